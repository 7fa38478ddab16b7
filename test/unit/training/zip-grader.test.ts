import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProgress, buildZip, crc32, rayPackageName, compileGrader, readGraderLibrary, packageEntries, trainerEntries, buildJobJson, specWithRubrics, estimateJob, entrypointFor, TRAINER_ENTRYPOINT } from '../../../core/training';
import { BUILT_IN_RUBRICS } from '../../../core/rewards/judge';
import { RULE_NAMES } from '../../../core/rewards/rules';
import { rlContext, type RlContext } from '../../../core/datasets/rl-context';
import type { RewardSpec } from '../../../core/generated/schema-types';

const ROOT = join(__dirname, '..', '..', '..', '..');
const TRAINER = join(ROOT, 'trainer');
const VECTORS = join(ROOT, 'test', 'vectors');
const LIBRARY = readGraderLibrary(TRAINER);

function python(code: string, input?: string) {
  return spawnSync('python3', ['-c', code], { encoding: 'utf8', input });
}

describe('training: deterministic zip', () => {
  it('crc32 matches the standard check value', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  });

  it('same files in any order give the same bytes and package name; Python reads them back', () => {
    const a = [{ path: 'job.json', data: Buffer.from('{"type":"sft"}') }, { path: 'data/train.jsonl', data: Buffer.from('x\n'.repeat(500)) }, { path: 'trainer/__main__.py', data: Buffer.from('') }];
    const z1 = buildZip(a);
    const z2 = buildZip([...a].reverse());
    assert.ok(z1.equals(z2));
    assert.match(rayPackageName(z1), /^_ray_pkg_[0-9a-f]{40}\.zip$/);
    assert.notEqual(rayPackageName(buildZip([{ path: 'job.json', data: Buffer.from('{}') }])), rayPackageName(z1));
    const file = join(mkdtempSync(join(tmpdir(), 'zip-')), 'p.zip');
    writeFileSync(file, z1);
    const r = python(`import zipfile,sys,json; z=zipfile.ZipFile(sys.argv[1] if len(sys.argv)>1 else ${JSON.stringify(file)}); assert z.testzip() is None; print(json.dumps({n.filename: len(z.read(n)) for n in z.infolist()}))`);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { 'data/train.jsonl': 1000, 'job.json': 14, 'trainer/__main__.py': 0 });
  });

  it('rejects unsafe and duplicate paths', () => {
    assert.throws(() => buildZip([{ path: '../x', data: Buffer.from('') }]), /bad entry path/);
    assert.throws(() => buildZip([{ path: 'a', data: Buffer.from('') }, { path: 'a', data: Buffer.from('') }]), /duplicate entry/);
  });

  it('the package holds the trainer sources (no tests), data and job.json', () => {
    const entries = packageEntries({ trainerDir: TRAINER, job: { type: 'sft' }, train: 'a\n', validation: 'b\n' });
    const paths = entries.map((e) => e.path);
    assert.ok(paths.includes('trainer/__main__.py') && paths.includes('trainer/rewards/score.py') && paths.includes('trainer/requirements.txt'));
    assert.ok(!paths.some((p) => p.includes('tests/') || p.includes('__pycache__')));
    assert.ok(paths.includes('job.json') && paths.includes('data/train.jsonl') && paths.includes('data/validation.jsonl'));
    assert.ok(buildZip(entries).equals(buildZip(packageEntries({ trainerDir: TRAINER, job: { type: 'sft' }, train: 'a\n', validation: 'b\n' }))));
    assert.throws(() => trainerEntries(join(ROOT, 'samples')), /not the trainer package/);
  });
});

const SPEC: RewardSpec = {
  kind: 'rewards',
  components: [
    { name: 'format', kind: 'rule' },
    { name: 'rationale_length', kind: 'rule', weight: 0.5, params: { min_tokens: 5 } },
    { name: 'persona_consistency', kind: 'judge', weight: 2 },
    { name: 'robotic_tone', kind: 'judge', weight: 0.5 },
    { name: 'goal_progress', kind: 'judge', level: 'session' },
    { name: 'termination', kind: 'rule', level: 'session' },
  ],
};

describe('training: reward spec → OpenAI multi grader', () => {
  it('rules become python graders, judges score_model graders, the formula is the weighted mean', () => {
    const { grader, skipped } = compileGrader(SPEC, { graderLibrary: LIBRARY, graderModel: 'gpt-4.1-mini' });
    assert.equal(grader.type, 'multi');
    assert.deepEqual(Object.keys(grader.graders), ['format', 'rationale_length', 'persona_consistency', 'robotic_tone', 'termination']);
    assert.deepEqual(skipped.map((s) => s.name), ['goal_progress']);
    assert.equal(grader.calculate_output,
      '(1.0 * format + 0.5 * rationale_length + 2.0 * ((persona_consistency - 1) / 9) + 0.5 * ((10 - robotic_tone) / 9) + 1.0 * termination) / 5.0');
    const judge = grader.graders.persona_consistency;
    assert.equal(judge.type, 'score_model');
    if (judge.type === 'score_model') {
      assert.deepEqual(judge.range, [1, 10]);
      assert.equal(judge.model, 'gpt-4.1-mini');
      assert.ok(judge.input[1].content.includes(BUILT_IN_RUBRICS.persona_consistency));
      assert.ok(judge.input[1].content.includes('{{sample.output_text}}') && judge.input[1].content.includes('{{item.judge_context}}'));
    }
    assert.throws(() => compileGrader({ kind: 'rewards', components: [{ name: 'format', kind: 'rule' }, { name: 'format', kind: 'rule' }] }, { graderLibrary: '', graderModel: 'm' }), /appears twice/);
    assert.throws(() => compileGrader({ kind: 'rewards', components: [{ name: 'mine', kind: 'judge' }] }, { graderLibrary: '', graderModel: 'm' }), /needs a rubric/);
  });

  it('a python grader runs as OpenAI runs it: grade(sample, item) on a dataset row', () => {
    const { grader } = compileGrader(SPEC, { graderLibrary: LIBRARY, graderModel: 'm' });
    const src = grader.graders.rationale_length;
    assert.equal(src.type, 'python');
    const item = {
      context: {
        turn: { i: 1, n: 1, p: -1, prev_state: { trust: 0.5, emotion: 0.5, patience: 0.6, engagement: 0.6 }, met_at: {}, agent_tactics: [], tactic_seen: false, stop_token: '###STOP###' },
        scenario: { id: 's', targets: [{ id: 't', description: 'find the price' }] },
      },
    };
    const code = `${src.type === 'python' ? src.source : ''}\nimport sys\nprint(grade({"output_text": "<think>one two three</think><answer>hi</answer>"}, json.loads(sys.stdin.read())))`;
    const r = python(code, JSON.stringify(item));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(Number(r.stdout.trim()), 0.6); // 3 tokens of min_tokens 5
  });
  it('every rule graded from the one-source library equals the trainer package on real turns (the shared vectors)', () => {
    const rules = RULE_NAMES.map((name) => ({ name, kind: 'rule' as const }));
    const { grader } = compileGrader({ kind: 'rewards', components: rules as RewardSpec['components'] }, { graderLibrary: LIBRARY, graderModel: 'm' });
    const sources = Object.fromEntries(RULE_NAMES.map((r) => [r, (grader.graders[r] as { source: string }).source]));
    const cases: { sample: { output_text: string }; item: { context: RlContext } }[] = [];
    for (const f of readdirSync(VECTORS).filter((x) => x.endsWith('.json'))) {
      const v = JSON.parse(readFileSync(join(VECTORS, f), 'utf8'));
      if (!v.transcript || !v.scenario) continue;
      v.transcript.turns.forEach((t: { speaker: string; output?: string; text: string }, k: number) => {
        if (t.speaker === 'user') cases.push({ sample: { output_text: t.output ?? t.text }, item: { context: rlContext(v.transcript, k, v.scenario, v.profile ?? {}) } });
      });
    }
    assert.ok(cases.length >= 50, `${cases.length} user turns`);
    const r = spawnSync('python3', ['-c', `
import json, sys
from trainer.rewards.text import parse_output
from trainer.rewards.context import context_from_json
from trainer.rewards.rules import score_rule
data = json.load(sys.stdin)
bad, n = [], 0
for rule, source in data["sources"].items():
    ns = {}
    exec(compile(source, "grader-" + rule, "exec"), ns)
    for c in data["cases"]:
        ctx = c["item"]["context"]
        want = score_rule(rule, parse_output(c["sample"]["output_text"]), context_from_json(ctx["turn"], None, ctx["profile"]), ctx["scenario"], {})
        got = ns["grade"](c["sample"], c["item"])
        n += 1
        if got != (1.0 if want is None else want):
            bad.append([rule, ctx["dialogue_id"], ctx["turn_index"], got, want])
print(json.dumps({"n": n, "bad": bad[:10]}))
`], { cwd: ROOT, encoding: 'utf8', input: JSON.stringify({ sources, cases }), maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { n: number; bad: unknown[] };
    assert.equal(out.n, RULE_NAMES.length * cases.length);
    assert.deepEqual(out.bad, []);
  });
});

describe('training: job.json and estimates', () => {
  it('fills built-in rubrics, names the package paths, never holds a key', () => {
    const job = buildJobJson({ type: 'grpo', baseModel: 'm', rewardSpec: SPEC, judge: { base_url: 'http://j/v1', model: 'jm', api_key_env: 'JUDGE_KEY' } }, true) as any;
    assert.deepEqual(job.datasets, { train: 'data/train.jsonl', validation: 'data/validation.jsonl' });
    assert.equal(job.reward_spec.components[2].rubric, BUILT_IN_RUBRICS.persona_consistency);
    assert.equal(specWithRubrics(SPEC).components[0].rubric, undefined);
    assert.equal(job.judge.api_key_env, 'JUDGE_KEY');
    assert.throws(() => buildJobJson({ type: 'grpo', baseModel: 'm' }, false), /needs a reward spec/);
  });

  it('estimates tokens and cost; entrypoints', () => {
    assert.deepEqual(estimateJob({ type: 'sft', samples: 10, datasetTokens: 5000, epochs: 3, pricePerMTokens: 3 }), { samples: 10, datasetTokens: 5000, trainingTokens: 15000, cost: 0.05 });
    assert.equal(estimateJob({ type: 'grpo', samples: 10, datasetTokens: 5000, numGenerations: 4, maxCompletionLength: 100 }).trainingTokens, 4 * (5000 + 1000));
    assert.equal(entrypointFor({ id: 'r' }), TRAINER_ENTRYPOINT);
    assert.equal(entrypointFor({ id: 'r', entrypoint: 'verl', command: 'python3 -m verl.trainer.main_ppo' }), 'python3 -m verl.trainer.main_ppo');
    assert.throws(() => entrypointFor({ id: 'r', entrypoint: 'custom' }), /no `command`/);
  });
});

describe('training: progress lines', () => {
  it('parseProgress reads the trainer lines out of a mixed log', () => {
    const log = 'Loading weights...\n(raylet) {"userlm_progress": 1, "step": 1, "loss": 2.5, "reward/format": 0.5, "learning_rate": 1e-4}\n{"loss": 9}\n{"userlm_progress": 1, "event": "finished"}\n{"userlm_progress": 1, "step": 2, "reward": 0.7}';
    assert.deepEqual(parseProgress(log), [{ step: 1, loss: 2.5, 'reward/format': 0.5, learning_rate: 1e-4 }, { step: 2, reward: 0.7 }]);
  });
});
