// Benchmark: the labelled set of bad user turns (test/bench/bad-turns-lib.ts), caught by rules
// alone (`npm run bench:rewards`). Prints the confusion table per kind, the agenda simulator's
// own mean turn score and the totals of garbage simulators. Targets: >= 95% caught per kind,
// agenda mean >= 0.9, garbage totals <= 0.2. Exit code 1 when a target is missed.
import { DEFAULT_REWARD_SPEC, scoreTranscript } from '../../core/rewards';
import { agendaMean, confusion, dialogues, garbage, judgePlant, plants, sources, type Outcome } from './bad-turns-lib';

const SEEDS = (process.env.BENCH_SEEDS ?? '1,2,3').split(',').map(Number);

async function main(): Promise<void> {
  const srcs = await sources();
  const ds = await dialogues(srcs, SEEDS);
  const outcomes: Outcome[] = [];
  for (const d of ds) for (const p of plants(d)) outcomes.push(await judgePlant(p));
  const table = confusion(outcomes);
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log(`bad user turns planted into ${ds.length} real dialogues (${srcs.filter((s) => s.origin === 'sample').length} sample + ${srcs.filter((s) => s.origin === 'test-only').length} test-only scenarios × scripted/adversarial agents × seeds ${SEEDS.join(',')}), default spec, rules only`);
  console.log(`${'kind'.padEnd(14)}${pad('planted', 8)}${pad('caught', 8)}${pad('missed', 8)}${pad('caught %', 10)}${pad('sample %', 10)}${pad('test-only %', 13)}`);
  let ok = true;
  for (const row of table) {
    const by = (origin: string) => { const os = outcomes.filter((o) => o.kind === row.kind && o.origin === origin); return os.length ? `${((100 * os.filter((o) => o.caught).length) / os.length).toFixed(1)}` : '-'; };
    console.log(`${row.kind.padEnd(14)}${pad(row.planted, 8)}${pad(row.caught, 8)}${pad(row.planted - row.caught, 8)}${pad((100 * row.share).toFixed(1), 10)}${pad(by('sample'), 10)}${pad(by('test-only'), 13)}`);
    if (row.share < 0.95) ok = false;
  }
  const missed = outcomes.filter((o) => !o.caught).slice(0, 8);
  for (const m of missed) console.log(`  missed ${m.kind} in ${m.scenario}: ${m.before} -> ${m.after}`);
  const a = agendaMean(ds);
  console.log(`agenda simulator's own turns: mean turn score ${a.mean.toFixed(4)} over ${a.turns} turns (target >= 0.9)`);
  if (a.mean < 0.9) ok = false;
  for (const how of ['system_prompt', 'off_topic'] as const) {
    const totals = await Promise.all(ds.map(async (d) => (await scoreTranscript(garbage(d, how), { scenario: d.scenario, profile: d.profile, spec: DEFAULT_REWARD_SPEC })).rewards.total ?? 0));
    const max = Math.max(...totals);
    console.log(`garbage (${how}): max total ${max.toFixed(4)}, mean ${(totals.reduce((x, y) => x + y, 0) / totals.length).toFixed(4)} over ${totals.length} dialogues (target <= 0.2)`);
    if (max > 0.2) ok = false;
  }
  // For information: the same garbage with gating turned off (what the other rules alone give).
  const ungated = { ...DEFAULT_REWARD_SPEC, aggregate: { ...DEFAULT_REWARD_SPEC.aggregate, gates: [] } };
  for (const how of ['system_prompt', 'off_topic'] as const) {
    const totals = await Promise.all(ds.map(async (d) => (await scoreTranscript(garbage(d, how), { scenario: d.scenario, profile: d.profile, spec: ungated })).rewards.total ?? 0));
    console.log(`  without gates (information only): ${how} max total ${Math.max(...totals).toFixed(4)}`);
  }
  console.log(ok ? 'all targets met' : 'TARGET MISSED');
  if (!ok) process.exitCode = 1;
}

main().catch((e) => { console.error(e); process.exit(1); });
