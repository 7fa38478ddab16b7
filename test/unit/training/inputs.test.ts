// The inputs a training submission takes from the user, shared by the CLI and the editor.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDatasetFile } from '../../../core/datasets';
import { checkHyperparameters, HYPERPARAMETER_NAMES, parseHyperparameters } from '../../../core/training';

describe('training inputs', () => {
  it('parses key=value hyperparameters into numbers and booleans, and says what is wrong', () => {
    assert.deepEqual(parseHyperparameters(' learning_rate=1e-5, num_train_epochs=2,lora=true '), { learning_rate: 1e-5, num_train_epochs: 2, lora: true });
    assert.deepEqual(parseHyperparameters(''), {});
    assert.throws(() => parseHyperparameters('epochs'), /expects key=value/);
    assert.deepEqual(parseHyperparameters('dtype=bfloat16,rollout=dialogue'), { dtype: 'bfloat16', rollout: 'dialogue' });
    assert.throws(() => parseHyperparameters('lr='), /lr: no value after '='/);
  });

  it('checks hyperparameters against schemas/hyperparameters.schema.json, naming each bad one and what is allowed', () => {
    assert.ok(HYPERPARAMETER_NAMES.includes('lora') && HYPERPARAMETER_NAMES.includes('attn_implementation') && HYPERPARAMETER_NAMES.includes('strategy'));
    // the editor's own suggestion is valid now
    assert.doesNotThrow(() => checkHyperparameters(parseHyperparameters('learning_rate=1e-5,num_train_epochs=2,lora=true'), 'sft'));
    assert.doesNotThrow(() => checkHyperparameters({ lora: { r: 16, alpha: 32 }, dtype: 'bfloat16', gradient_checkpointing: true, rollout: 'dialogue', agent: 'adversarial' }, 'grpo'));
    const problems = (hp: Record<string, unknown>, type: 'sft' | 'grpo' = 'sft') => {
      try { checkHyperparameters(hp, type); return []; } catch (e) { return (e as { problems: string[] }).problems; }
    };
    assert.deepEqual(problems({ lr: 1 }), [`hyperparameters.lr: unknown hyperparameter; allowed: ${HYPERPARAMETER_NAMES.join(', ')}`]);
    assert.deepEqual(problems({ learning_rate: 0 }), ['hyperparameters.learning_rate: must be > 0, got 0']);
    assert.deepEqual(problems({ max_steps: 1.5 }), ['hyperparameters.max_steps: must be a whole number, got 1.5']);
    assert.deepEqual(problems({ dtype: 'fp8' }), ['hyperparameters.dtype: must be one of "auto" | "float32" | "bfloat16" | "float16", got "fp8"']);
    assert.deepEqual(problems({ lora: 'yes' }), ['hyperparameters.lora: must be true, false or {r, alpha, dropout, target_modules}, got "yes"']);
    assert.deepEqual(problems({ lora: { rank: 8 } }), ['hyperparameters.lora.rank: unknown field; allowed: r, alpha, dropout, target_modules']);
    assert.deepEqual(problems({ per_device_train_batch_size: 3, num_generations: 2 }, 'grpo'), ['hyperparameters: per_device_train_batch_size × gradient_accumulation_steps (3 × 1) must be a multiple of num_generations (2)']);
    // a generation round of several steps: its batch is what must hold whole groups
    assert.deepEqual(problems({ per_device_train_batch_size: 2, num_generations: 4, steps_per_generation: 3 }, 'grpo'), ['hyperparameters: per_device_train_batch_size × steps_per_generation (2 × 3) must be a multiple of num_generations (4)']);
    assert.deepEqual(problems({ per_device_train_batch_size: 2, num_generations: 4, steps_per_generation: 2 }, 'grpo'), []);
    assert.deepEqual(problems({ steps_per_generation: 0 }, 'grpo'), ['hyperparameters.steps_per_generation: must be >= 1, got 0']);
    assert.deepEqual(problems({ load_in_4bit: true }), ['hyperparameters.load_in_4bit: a 4-bit model cannot be trained directly; add lora=true (QLoRA)']);
    assert.deepEqual(problems({ strategy: 'deepspeed' }), ['hyperparameters.strategy: deepspeed needs num_workers >= 2']);
    assert.deepEqual(problems({ vllm: 'server' }, 'grpo'), ['hyperparameters.vllm_server_base_url: needed with vllm=server (the `trl vllm-serve` address)']);
    assert.deepEqual(problems({ rollout: 'dialogue' }), ['hyperparameters.rollout: dialogue rollouts are for GRPO jobs']);
    assert.deepEqual(problems({ rollout: 'dialogue', dialogue_history: 'written', turn_credit: 'to_go' }, 'grpo'), [
      "hyperparameters.turn_credit: to_go credits the one turn a rollout trains (dialogue_history=spoken); written trains every turn with the dialogue's total"]);
    assert.deepEqual(problems({ rollout: 'dialogue', dialogue_history: 'written' }, 'grpo'), [], 'the default credit does not stand in the way of written');
    assert.deepEqual(problems({ turn_credit: 'turn' }, 'grpo'), ['hyperparameters.turn_credit: must be one of "to_go" | "total", got "turn"']);
    assert.equal(problems({ learning_rate: -1, dtype: 'x' }).length, 2, 'every problem at once');
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
