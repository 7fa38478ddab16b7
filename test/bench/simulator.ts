// Benchmark: complete 12-turn dialogues per second on one core, agenda simulator + scripted
// agent over the sample scenarios (`npm run bench:simulator`). Target: at least 1,000 per second.
// Each scenario is run with min_turns = max_turns = 12 (and no hang-up rule), so every dialogue
// has exactly 12 user turns; a second figure runs the scenarios as written.
import { resolve } from 'node:path';
import { loadWorkspace, resolveProfile } from '../../core/model/load';
import type { Scenario, Workspace } from '../../core/generated/schema-types';
import { runDialogue } from '../../core/dialogue/index';
import { AgendaSimulator } from '../../core/simulate/index';
import { ScriptedAgent } from '../../core/agents/index';
import type { ResolvedProfile } from '../../core/dialogue/types';

const TARGET = 1000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

interface Case { scenario: Scenario; profile: ResolvedProfile }

async function measure(cases: Case[], config: Workspace | undefined, seconds: number): Promise<{ dialogues: number; userTurns: number; turns: number; ms: number; cpuMs: number }> {
  const simulator = new AgendaSimulator();
  const agent = new ScriptedAgent();
  let dialogues = 0;
  let userTurns = 0;
  let turns = 0;
  const started = performance.now();
  let seed = 1;
  const cpu0 = process.cpuUsage();
  while (performance.now() - started < seconds * 1000) {
    for (const c of cases) {
      const t = await runDialogue({ scenario: c.scenario, profile: c.profile, config, simulator, agent, seed: seed++ });
      if (t.end.reason === 'error') throw new Error(`${c.scenario.id}: ${t.error}`);
      dialogues++;
      turns += t.turns.length;
      userTurns += t.turns.filter((x) => x.speaker === 'user').length;
    }
  }
  const cpu = process.cpuUsage(cpu0);
  return { dialogues, userTurns, turns, ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function main(): Promise<void> {
  const ws = await loadWorkspace(resolve(__dirname, '../../../samples'));
  const config = ws.config?.value;
  const natural: Case[] = [...ws.scenarios.values()].map(({ value }) => ({ scenario: value, profile: resolveProfile(ws, value) }));
  if (!natural.length) throw new Error('no sample scenarios found');
  const fixed: Case[] = natural.map((c) => ({
    ...c,
    scenario: { ...c.scenario, termination: { ...c.scenario.termination, min_turns: 12, max_turns: 12, hang_up_when: undefined } },
  }));
  await measure(fixed, config, 0.5); // warm-up
  const r = await measure(fixed, config, SECONDS);
  const perSec = r.dialogues / (r.ms / 1000);
  const perCpuSec = r.dialogues / (r.cpuMs / 1000);
  const usPerTurn = (r.ms * 1000) / r.userTurns;
  console.log(`agenda + scripted, ${fixed.length} sample scenarios, one core, ${SECONDS} s:`);
  console.log(`  12-turn dialogues: ${r.dialogues} in ${(r.ms / 1000).toFixed(2)} s wall = ${perSec.toFixed(0)} dialogues/s`);
  console.log(`  per CPU-second of this (single-threaded) process: ${perCpuSec.toFixed(0)} dialogues/s (target >= ${TARGET}: ${perCpuSec >= TARGET ? 'met' : 'NOT met'})`);
  console.log(`  (wall and CPU figures differ when other processes share the cores; CPU time is what one core gives)`);
  console.log(`  user turns per dialogue: ${(r.userTurns / r.dialogues).toFixed(2)}; ${usPerTurn.toFixed(1)} us per user turn (agent turn included)`);
  const n = await measure(natural, config, Math.max(1, SECONDS / 3));
  console.log(`  scenarios as written: ${(n.dialogues / (n.ms / 1000)).toFixed(0)} dialogues/s, ${(n.userTurns / n.dialogues).toFixed(2)} user turns per dialogue`);
  if (perCpuSec < TARGET) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
