import { strict as assert } from 'node:assert';
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadWorkspace, resolveProfile } from '../../../core/model/load';
import { buildDataset, readTranscripts, validationPath, workspaceSource, type RlSample, type SftSample } from '../../../core/datasets';
import { buildSimulatorPrompt } from '../../../core/rationale';
import { CALL_CONNECTS, dialogueOfMessages, simulatorMessages } from '../../../core/simulate/messages';
import { makeWorkspace, transcript } from './fixture';

const CLI = join(__dirname, '..', '..', '..', 'cli', 'main.js');

function cli(cwd: string, ...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
}

describe('training datasets: export', () => {
  it('sft: simulator prompt as system, roles flipped, five-section target, incomplete turns left out', async () => {
    const root = makeWorkspace([transcript('d1', 0.9)]);
    const ws = await loadWorkspace(root);
    const r = buildDataset(readTranscripts(join(root, '.userlm/runs/run-1')), workspaceSource(ws), { format: 'sft', split: 1 });
    assert.equal(r.summary.samples, 2);
    assert.equal(r.summary.incomplete, 1); // the last turn's rationale misses three sections
    const scenario = ws.scenarios.get('phone-upgrade')!.value;
    const system = buildSimulatorPrompt(resolveProfile(ws, scenario), scenario, ws.config?.value);
    const byLength = (r.train as SftSample[]).sort((a, b) => a.messages.length - b.messages.length);
    assert.deepEqual(byLength[0].messages.map((m) => m.role), ['system', 'user', 'assistant']);
    assert.equal(byLength[0].messages[0].content, system);
    assert.equal(byLength[0].messages[1].content, 'This offer ends today, decide now!');
    assert.equal(byLength[0].messages[2].content,
      '<think>\nAgent intent: pushing an upgrade with false urgency\nConcerns: the total monthly price\nPlan: ask for the price\n' +
      'State: trust 0.60 -> 0.50; patience 0.70 -> 0.65\nTone: polite but firm\n</think>\n<answer>What would it cost me?</answer>');
    assert.deepEqual(byLength[1].messages.map((m) => m.role), ['system', 'user', 'assistant', 'user', 'assistant']);
    assert.equal(byLength[1].messages[2].content, 'What would it cost me?'); // earlier user turns: the reply only
    assert.ok(byLength[1].messages[4].content.endsWith('<answer>How much is it per month, all in?</answer>'));
  });

  it('a dialogue the user opens: the stage line the live simulator sends opens every exported prompt, and is no turn', async () => {
    const t = transcript('u1', 0.9);
    t.turns = t.turns.slice(1).map((turn, index) => ({ ...turn, index })); // no agent opening: the user speaks first
    t.targets = [{ id: 'price', met_at: 3 }, { id: 'budget', met_at: null }];
    t.end = { reason: 'stop', at_turn: 4 };
    const root = makeWorkspace([t]);
    const ws = await loadWorkspace(root);
    const runs = readTranscripts(join(root, '.userlm/runs/run-1'));
    const sft = (buildDataset(runs, workspaceSource(ws), { format: 'sft', split: 1 }).train as SftSample[]).sort((a, b) => a.messages.length - b.messages.length);
    // Without it the first prompt is a system message alone, which Gemma's chat template drops: the model would see nothing.
    assert.deepEqual(sft[0].messages.slice(1).map((m) => [m.role, m.role === 'assistant' ? '…' : m.content]), [['user', CALL_CONNECTS], ['assistant', '…']]);
    assert.deepEqual(sft[1].messages.slice(1, 4).map((m) => m.content), [CALL_CONNECTS, 'What would it cost me?', 'Only a little more each month.']);
    const rl = (buildDataset(runs, workspaceSource(ws), { format: 'rl', split: 1 }).train as RlSample[]).sort((a, b) => a.context.turn_index - b.context.turn_index);
    assert.equal(rl[0].prompt[1].content, CALL_CONNECTS);
    assert.deepEqual(dialogueOfMessages(rl[1].prompt), [{ speaker: 'user', text: 'What would it cost me?' }, { speaker: 'agent', text: 'Only a little more each month.' }]);
    assert.deepEqual(dialogueOfMessages(rl[0].prompt), []);
    // the live simulator builds its messages with the same function
    assert.deepEqual(simulatorMessages('S', t.turns.slice(0, 2)), [{ role: 'system', content: 'S' }, { role: 'user', content: CALL_CONNECTS },
      { role: 'assistant', content: 'What would it cost me?' }, { role: 'user', content: 'Only a little more each month.' }]);
    assert.deepEqual(simulatorMessages('S', [{ speaker: 'agent', text: 'Hello' }]).map((m) => m.role), ['system', 'user']);
    // the trainer's rollout reads dialogue rows with the same stage line
    assert.ok(readFileSync(join(__dirname, '..', '..', '..', '..', 'trainer', 'rollout.py'), 'utf8').includes(`CALL_CONNECTS = "${CALL_CONNECTS}"`));
  });

  it('rejection sampling by total, de-duplication and a seeded split', async () => {
    const root = makeWorkspace();
    const ws = await loadWorkspace(root);
    const ts = readTranscripts(join(root, '.userlm/runs/run-1'));
    const r = buildDataset(ts, workspaceSource(ws), { format: 'sft', minTotal: 0.5, split: 0.5, seed: 7 });
    assert.equal(r.summary.rejected, 1); // d2 (0.2)
    assert.equal(r.summary.duplicates, 2); // d1-copy repeats d1's two samples
    assert.equal(r.summary.samples, 2);
    assert.equal(r.train.length + r.validation.length, 2);
    assert.equal(r.train.length, 1);
    assert.ok(r.summary.estimatedTokens > 100);
    const again = buildDataset(ts, workspaceSource(ws), { format: 'sft', minTotal: 0.5, split: 0.5, seed: 7 });
    assert.deepEqual(again, r);
    const seeds = new Set<string>();
    for (let s = 0; s < 8; s++) seeds.add(JSON.stringify(buildDataset(ts, workspaceSource(ws), { format: 'sft', split: 0.5, seed: s }).train));
    assert.ok(seeds.size > 1, 'the seed changes the split');
  });

  it('rl: one prompt per user turn with the reward context', async () => {
    const root = makeWorkspace([transcript('d1', 0.9)]);
    const ws = await loadWorkspace(root);
    const r = buildDataset(readTranscripts(join(root, '.userlm/runs/run-1')), workspaceSource(ws), { format: 'rl', split: 1 });
    const rows = (r.train as RlSample[]).sort((a, b) => a.context.turn_index - b.context.turn_index);
    assert.equal(rows.length, 3);
    const [first, second, third] = rows;
    assert.deepEqual(first.prompt.map((m) => m.role), ['system', 'user']);
    assert.equal(first.id, 'run-1/d1/1');
    assert.equal(first.context.scenario_id, 'phone-upgrade');
    assert.equal(first.context.profile_id, 'pat');
    assert.equal(first.context.tactic, 'false_urgency');
    assert.equal(first.context.must_resist, true);
    assert.equal(first.context.min_turns, 2);
    assert.deepEqual(first.context.turn, {
      i: 1, n: 1, p: -1, prev_state: { trust: 0.6, emotion: 0.5, patience: 0.7, engagement: 0.6 },
      met_at: { price: 4, budget: null }, agent_tactics: ['false_urgency'], tactic_seen: true, stop_token: '###STOP###', policies: [],
      earlier: [{ speaker: 'agent', text: 'This offer ends today, decide now!' }],
    });
    assert.ok(first.prompt[0].content.includes('## Your state now\ntrust 0.60; emotion 0.50; patience 0.70; engagement 0.60'), 'the RL prompt shows the state before the turn');
    assert.deepEqual(first.context.scenario.unknown, ['the early termination fee amount']);
    assert.equal(first.context.scenario.targets[1].reveal, 'never');
    assert.equal(first.context.profile.name, 'Pat Doe');
    assert.equal(second.context.tactic, null);
    assert.deepEqual(second.context.turn.prev_state, { trust: 0.5, emotion: 0.5, patience: 0.65, engagement: 0.6 }); // state after turn 1
    assert.equal(second.context.turn.n, 2);
    assert.deepEqual(second.context.turn.agent_tactics, []);
    assert.equal(third.prompt.length, 6);
  });

  it('the CLI writes FILE and FILE.val and prints a summary; bad input names what and where', () => {
    const root = makeWorkspace();
    const res = cli(root, 'export', 'run-1', '--format', 'sft', '--out', 'data/train.jsonl', '--split', '0.5', '--seed', '3');
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /samples: 3 \(train 2, validation 1; 3 duplicates dropped, 3 turns without a complete rationale\)/);
    assert.match(res.stdout, /estimated tokens: \d+/);
    const train = readFileSync(join(root, 'data/train.jsonl'), 'utf8').trim().split('\n');
    const val = readFileSync(join(root, 'data/train.val.jsonl'), 'utf8').trim().split('\n');
    assert.equal(train.length, 2);
    assert.equal(val.length, 1); // d2's first turn repeats d1's, d1-copy repeats both
    assert.equal(validationPath('/x/a.jsonl'), '/x/a.val.jsonl');
    const bad = cli(root, 'export', 'run-1', '--format', 'csv', '--out', 'x.jsonl');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--format must be sft or rl, got 'csv'/);
    const missing = cli(root, 'export', 'no-such-run', '--format', 'rl', '--out', 'x.jsonl');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no run 'no-such-run'/);
    assert.ok(!existsSync(join(root, 'x.jsonl')));
    writeFileSync(join(root, '.userlm/runs/run-1/transcripts.jsonl'), '{"run_id": "r"}\n{broken\n');
    const broken = cli(root, 'export', 'run-1', '--format', 'rl', '--out', 'y.jsonl');
    assert.notEqual(broken.status, 0);
    assert.match(broken.stderr, /transcripts\.jsonl:1: not a transcript/);
  });
});
