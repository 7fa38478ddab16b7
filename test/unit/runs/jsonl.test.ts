// The one JSONL reader (core/util/jsonl.ts) and the transcript reader built on it: strict mode
// names file and line of the first bad line, tolerant mode skips and counts bad lines.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJsonl, readJsonl } from '../../../core/util/jsonl';
import { readTranscriptLines, readTranscripts } from '../../../core/runs';
import { readTranscripts as datasetTranscripts, readDatasetFile } from '../../../core/datasets';

const transcript = (id: string) => JSON.stringify({ run_id: 'r', dialogue_id: id, scenario_id: 's', profile_id: 'p', seed: 1, simulator: 'agenda', agent: 'scripted', turns: [], end: { reason: 'stop', at_turn: 0 }, rewards: { turn_mean: {}, session: {}, total: 0.5 }, metrics: {} });

describe('jsonl: one reader, strict and tolerant', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'userlm-jsonl-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('counts lines as the file has them (blank lines skipped, not renumbered)', () => {
    const r = parseJsonl<{ a: number }>('{"a":1}\n\n  \n{"a":2}\n', 'f.jsonl', { mode: 'strict' });
    assert.deepEqual(r.rows, [{ line: 1, value: { a: 1 } }, { line: 4, value: { a: 2 } }]);
    assert.throws(() => parseJsonl('{"a":1}\n\n{"a":\n', 'f.jsonl', { mode: 'strict' }), /^Error: f\.jsonl:3: not valid JSON/);
    assert.throws(() => parseJsonl('{"a":1}\n[1]\n', 'f.jsonl', { mode: 'strict', check: (v) => (Array.isArray(v) ? 'a list, not a record' : undefined) }), /f\.jsonl:2: a list, not a record/);
  });

  it('tolerant mode skips bad lines and lists them; a missing file is empty there and an error in strict mode', () => {
    const r = parseJsonl('{"a":1}\nnot json\n{"a":3}\n{"a":', 'f.jsonl', { mode: 'tolerant' });
    assert.equal(r.rows.length, 2);
    assert.deepEqual(r.problems.map((p) => p.line), [2, 4]);
    assert.deepEqual(readJsonl(join(dir, 'none.jsonl'), { mode: 'tolerant' }), { rows: [], problems: [] });
    assert.throws(() => readJsonl(join(dir, 'none.jsonl'), { mode: 'strict', hint: 'give a run folder' }), /cannot read .*none\.jsonl: ENOENT \(give a run folder\)/);
  });

  it('transcripts: a torn tail is skipped when reading a run, and names its line for a dataset', () => {
    writeFileSync(join(dir, 'transcripts.jsonl'), `${transcript('d1')}\n${transcript('d2')}\n{"run_id":"r","dialogue_id":"d3","sce`);
    const tolerant = readTranscriptLines(dir);
    assert.deepEqual(tolerant.transcripts.map((t) => t.dialogue_id), ['d1', 'd2']);
    assert.equal(tolerant.bad, 1);
    assert.throws(() => readTranscripts(dir, 'strict'), /transcripts\.jsonl:3: not valid JSON/);
    assert.equal(datasetTranscripts, readTranscripts, 'core/datasets uses the same function');
    writeFileSync(join(dir, 'other.jsonl'), `${transcript('d1')}\n{"turns": []}\n`);
    assert.throws(() => readTranscripts(join(dir, 'other.jsonl'), 'strict'), /other\.jsonl:2: not a transcript \(needs dialogue_id, scenario_id and turns\)/);
    assert.equal(readTranscripts(join(dir, 'other.jsonl')).length, 1);
  });

  it('dataset files: strict, with the real line number of a wrong row', () => {
    const file = join(dir, 'train.jsonl');
    writeFileSync(file, `{"messages": []}\n\n{"prompt": []}\n`);
    assert.throws(() => readDatasetFile(file, 'sft'), /train\.jsonl:3: an SFT job needs rows with 'messages'/);
    assert.throws(() => readDatasetFile(join(dir, 'none.jsonl'), 'sft'), /none\.jsonl: no such file/);
  });
});
