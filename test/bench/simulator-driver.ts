// One measurement of the agenda simulator for `test/bench/simulator.ts`, run in its own process
// (so that the current tree and a baseline commit are measured the same way): complete 12-turn
// dialogues, agenda simulator plus scripted agent, over the sample scenarios. Prints one JSON line.
// Only APIs that exist in every version are used (runDialogue, AgendaSimulator, ScriptedAgent,
// loadWorkspace, resolveProfile).
import { loadWorkspace, resolveProfile } from '../../core/model/load';
import { runDialogue } from '../../core/dialogue/index';
import { AgendaSimulator } from '../../core/simulate/index';
import { ScriptedAgent } from '../../core/agents/index';

async function main(): Promise<void> {
  const [samples, secondsArg, mode] = process.argv.slice(2);
  const seconds = Number(secondsArg ?? 2);
  const ws = await loadWorkspace(samples);
  const config = ws.config?.value;
  const cases = [...ws.scenarios.values()].map(({ value }) => {
    const scenario = mode === 'natural' ? value : { ...value, termination: { ...value.termination, min_turns: 12, max_turns: 12, hang_up_when: undefined } };
    return { scenario, profile: resolveProfile(ws, value) };
  });
  const simulator = new AgendaSimulator();
  const agent = new ScriptedAgent();
  const run = async (limitMs: number) => {
    let dialogues = 0;
    let userTurns = 0;
    let seed = 1;
    const started = performance.now();
    const cpu0 = process.cpuUsage();
    while (performance.now() - started < limitMs) {
      for (const c of cases) {
        const t = await runDialogue({ scenario: c.scenario, profile: c.profile, config, simulator, agent, seed: seed++ });
        if (t.end.reason === 'error') throw new Error(`${c.scenario.id}: ${t.error}`);
        dialogues++;
        for (const x of t.turns) if (x.speaker === 'user') userTurns++;
      }
    }
    const cpu = process.cpuUsage(cpu0);
    return { dialogues, userTurns, ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
  await run(Math.min(500, seconds * 250)); // warm-up
  process.stdout.write(`${JSON.stringify({ scenarios: cases.length, ...(await run(seconds * 1000)) })}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
