// `userlm score` / rescoreRun: re-scoring a real run reproduces its rewards exactly with the same
// spec, changes them with an edited spec, never edits the original, and bad inputs fail clearly.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Transcript } from '../../../core/generated/schema-types';
import { runSuite } from '../../../core/runs';
import { rescoreRun } from '../../../core/rewards/rescore-run';
import { scoreCommand } from '../../../cli/commands/score';
import { UsageError } from '../../../cli/args';
import { sampleWorkspace, type TempWorkspace } from '../runs/fixtures';

const noSecret = () => undefined;
const strip = (t: Transcript) => ({ ...t, run_id: '' });

describe('rewards: userlm score (re-scoring a run)', function () {
  this.timeout(60000);
  let ws: TempWorkspace;
  let runDir: string;
  let original: string;
  before(async () => {
    ws = sampleWorkspace();
    ({ runDir } = await runSuite({ root: ws.root, suiteFile: join(ws.root, 'suites/adversarial.suite.yaml'), outDir: join(ws.root, 'runs'), secret: noSecret }));
    original = readFileSync(join(runDir, 'transcripts.jsonl'), 'utf8');
  });
  after(() => ws.dispose());

  const read = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Transcript);

  it('with the run\'s own spec reproduces every reward, turn score, total and metric exactly, in a new run beside the old one', async () => {
    const r = await rescoreRun({ input: runDir, root: ws.root, secret: noSecret });
    assert.ok(r.runDir && r.runDir !== runDir && dirname(r.runDir) === dirname(runDir));
    const before = read(join(runDir, 'transcripts.jsonl'));
    const after = read(r.transcriptsFile);
    assert.equal(after.length, before.length);
    assert.ok(after.length >= 4);
    assert.deepEqual(after.map(strip), before.map(strip));
    assert.ok(after.every((t) => t.run_id === JSON.parse(readFileSync(join(r.runDir!, 'run.json'), 'utf8')).run_id));
    assert.ok(existsSync(join(r.runDir, 'summary.json')));
    assert.equal(readFileSync(join(runDir, 'transcripts.jsonl'), 'utf8'), original, 'the original is never edited');
  });

  it('with an edited spec changes the rewards; --out writes just that file', async () => {
    const spec = ws.write('rewards/edited.rewards.yaml', 'kind: rewards\ncomponents:\n  - {name: format, kind: rule}\n  - {name: voice, kind: rule, weight: 2}\n  - {name: termination, kind: rule, level: session}\naggregate: {gates: []}\n');
    const out = join(ws.root, 'elsewhere', 'rescored.jsonl');
    const r = await rescoreRun({ input: join(runDir, 'transcripts.jsonl'), root: ws.root, rewardsFile: spec, out, secret: noSecret });
    assert.equal(r.transcriptsFile, out);
    assert.equal(r.runDir, undefined);
    const after = read(out);
    const before = read(join(runDir, 'transcripts.jsonl'));
    for (const t of after) {
      assert.deepEqual(Object.keys(t.rewards.turn_mean).sort(), ['format', 'voice']);
      assert.deepEqual(Object.keys(t.rewards.session), ['termination']);
    }
    assert.notDeepEqual(after.map((t) => t.rewards), before.map((t) => t.rewards));
  });

  it('re-derives text and rationale from the raw output', async () => {
    const ts = read(join(runDir, 'transcripts.jsonl'));
    const k = ts[0].turns.findIndex((u) => u.speaker === 'user');
    const tampered: Transcript = { ...ts[0], turns: ts[0].turns.map((u, j) => (j === k ? { ...u, text: 'TAMPERED', rationale: undefined } : u)) };
    const file = ws.write('tampered.jsonl', JSON.stringify(tampered) + '\n');
    const r = await rescoreRun({ input: file, root: ws.root, out: join(ws.root, 'fixed.jsonl'), secret: noSecret });
    assert.equal(r.transcripts[0].turns[k].text, ts[0].turns[k].text);
    assert.deepEqual(r.transcripts[0].turns[k].rationale, ts[0].turns[k].rationale);
  });

  it('gives clear errors for bad inputs and loses nothing', async () => {
    await assert.rejects(rescoreRun({ input: join(ws.root, 'no-such-run'), root: ws.root, secret: noSecret }), /no-such-run: no such run directory or transcripts file/);
    await assert.rejects(rescoreRun({ input: ws.root, root: ws.root, secret: noSecret }), /not a run directory \(no transcripts\.jsonl in it\)/);
    const input = join(runDir, 'transcripts.jsonl');
    await assert.rejects(rescoreRun({ input, root: ws.root, out: input, secret: noSecret }), /is the input file: score never edits the original/);
    const bad = ws.write('bad.jsonl', original.split('\n')[0] + '\n{not json\n');
    await assert.rejects(rescoreRun({ input: bad, root: ws.root, out: join(ws.root, 'x.jsonl'), secret: noSecret }), /bad\.jsonl:2: not valid JSON/);
    const stranger = ws.write('stranger.jsonl', JSON.stringify({ ...JSON.parse(original.split('\n')[0]), scenario_id: 'nowhere' }) + '\n');
    await assert.rejects(rescoreRun({ input: stranger, root: ws.root, out: join(ws.root, 'y.jsonl'), secret: noSecret }), /refers to scenario 'nowhere', which is not in the workspace/);
    const badSpec = ws.write('rewards/bad.rewards.yaml', 'kind: rewards\ncomponents:\n  - {name: formatt, kind: rule}\n');
    await assert.rejects(rescoreRun({ input, root: ws.root, rewardsFile: badSpec, out: join(ws.root, 'z.jsonl'), secret: noSecret }), /bad\.rewards\.yaml: invalid reward spec: components\[0\]: 'formatt' is not a rule/);
    assert.ok(!existsSync(join(ws.root, 'x.jsonl')) && !existsSync(join(ws.root, 'z.jsonl')), 'nothing written on error');
    await assert.rejects(scoreCommand.run([]), (e: Error) => e instanceof UsageError && /missing run directory or transcripts\.jsonl/.test(e.message));
    await assert.rejects(scoreCommand.run([input, '--rewards', join(ws.root, 'nope.yaml')]), (e: Error) => e instanceof UsageError && /--rewards '.*nope\.yaml' does not exist/.test(e.message));
    assert.equal(readFileSync(input, 'utf8'), original);
  });
});
