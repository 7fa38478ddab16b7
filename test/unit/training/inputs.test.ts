// The inputs a training submission takes from the user, shared by the CLI and the editor.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDatasetFile } from '../../../core/datasets';
import { parseHyperparameters } from '../../../core/training';

describe('training inputs', () => {
  it('parses key=value hyperparameters into numbers and booleans, and says what is wrong', () => {
    assert.deepEqual(parseHyperparameters(' learning_rate=1e-5, num_train_epochs=2,lora=true '), { learning_rate: 1e-5, num_train_epochs: 2, lora: true });
    assert.deepEqual(parseHyperparameters(''), {});
    assert.throws(() => parseHyperparameters('epochs'), /expects key=value/);
    assert.throws(() => parseHyperparameters('lr=fast'), /lr: 'fast' is not a number or true\/false/);
  });

  describe('dataset files', () => {
    let dir: string;
    before(() => { dir = mkdtempSync(join(tmpdir(), 'userlm-ds-')); });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('reads a dataset and its .val sibling, with an estimate of tokens', () => {
      const file = join(dir, 'sft.jsonl');
      const row = { messages: [{ role: 'system', content: 'you are the user' }, { role: 'assistant', content: '<answer>hi</answer>' }] };
      writeFileSync(file, `${JSON.stringify(row)}\n${JSON.stringify(row)}\n`);
      writeFileSync(join(dir, 'sft.val.jsonl'), `${JSON.stringify(row)}\n`);
      const r = readDatasetFile(file, 'sft');
      assert.equal(r.train.length, 2);
      assert.equal(r.validation.length, 1);
      assert.equal(r.summary.samples, 3);
      assert.ok(r.summary.estimatedTokens > 0);
    });

    it('names the file and line of a broken row, and refuses the wrong kind of dataset', () => {
      const broken = join(dir, 'broken.jsonl');
      writeFileSync(broken, '{"messages": []}\n{not json\n');
      assert.throws(() => readDatasetFile(broken, 'sft'), /broken\.jsonl:2: not valid JSON/);
      const rl = join(dir, 'rl.jsonl');
      writeFileSync(rl, '{"id": "a", "prompt": [], "context": {}}\n');
      assert.throws(() => readDatasetFile(rl, 'sft'), /rl\.jsonl:1: an SFT job needs rows with 'messages'/);
      assert.throws(() => readDatasetFile(join(dir, 'missing.jsonl'), 'grpo'), /missing\.jsonl: no such file/);
    });
  });
});
