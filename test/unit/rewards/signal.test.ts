// A learnable signal (docs/rewards.md §8): for every rule component, each input it reads is either
// in the RL row's prompt (what the user can know) or on the documented list of ground truth that
// stays in the reward context. The simulator prompt never names a tactic.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../../../core/generated/schema-types';
import { rlSamples, type RlSample } from '../../../core/datasets';
import { allTactics } from '../../../core/library/tactics';
import { RATIONALE_INSTRUCTIONS, stateMoves } from '../../../core/rationale';
import { concreteValues, copySources, knownTexts, RULE_NAMES, turnContext, type RuleName } from '../../../core/rewards';
import { dialogues, REPO, sources, type Dialogue } from '../../bench/bad-turns-lib';

const fmt2 = (x: number) => x.toFixed(2);

/** What each rule reads besides the output: [input name, the strings the user must see for it] or a ground-truth name. */
type Reads = (d: Dialogue, row: RlSample, k: number) => { input: string; needs?: string[]; values?: string[]; groundTruth?: string }[];

const READS: Record<RuleName, Reads> = {
  format: () => [], sections: () => [], rationale_length: () => [], voice: () => [], no_leak: () => [],
  plan_reply: (d) => [{ input: 'stop_token', needs: [stop(d.scenario)] }],
  grounding: (d) => [
    { input: 'memory', needs: d.scenario.memory ?? [] },
    { input: 'target description and say', needs: d.scenario.targets.flatMap((t) => [t.description, ...(t.say ? [t.say] : [])]) },
    { input: 'met_at', groundTruth: 'met_at' },
  ],
  state_validity: (d, row) => [
    { input: 'prev_state', needs: [`## Your state now\n${(['trust', 'emotion', 'patience', 'engagement'] as const).map((k) => `${k} ${fmt2(row.context.turn.prev_state[k])}`).join('; ')}`] },
    { input: 'transitions', needs: stateMoves(d.scenario) },
    { input: 'agent_tactics', groundTruth: 'agent_tactics' },
    { input: 'met_new', groundTruth: 'met_at' },
  ],
  disclosure: (d) => [{ input: 'unknown and reveal: never', needs: [...(d.scenario.unknown ?? []), ...d.scenario.targets.filter((t) => t.reveal === 'never').map((t) => t.description)] }],
  termination: (d) => [
    { input: 'stop_token', needs: [stop(d.scenario)] },
    { input: 'min_turns', needs: d.scenario.termination?.min_turns ? [`Never end before your turn ${d.scenario.termination.min_turns}`] : [] },
    { input: 'hang_up_when', needs: Object.values(d.scenario.termination?.hang_up_when ?? {}).map((x) => `falls below ${x}`) },
    { input: 'primary targets', needs: d.scenario.targets.map((t) => `[${t.priority ?? 'primary'}] ${t.description}`) },
    { input: 'end policies', needs: (d.scenario.decision_policy ?? []).filter((p) => p.action === 'end').map((p) => p.then) },
    { input: 'met_at', groundTruth: 'met_at' },
    { input: 'policies', groundTruth: 'policies' },
  ],
  resistance: (d) => [
    { input: 'must_resist', needs: d.scenario.adversarial?.must_resist ? ['may try to manipulate you'] : [] },
    { input: 'primary targets', needs: d.scenario.targets.map((t) => t.description) },
    { input: 'tactic_seen', groundTruth: 'tactic_seen' },
  ],
  no_invention: (d, _row, k) => {
    const ctx = turnContext(d.transcript, k, d.scenario, d.profile);
    return [
      { input: 'known values (profile, memory, targets, policies, earlier turns)', values: knownTexts(ctx, d.scenario).flatMap(concreteValues) },
      { input: 'unknown items', needs: d.scenario.unknown ?? [] },
    ];
  },
  no_copying: (d) => [
    { input: 'copy sources in the prompt', needs: copySources(d.scenario).filter((s) => !d.scenario.targets.some((t) => t.done_when === s)) },
    { input: 'done_when', groundTruth: 'done_when' },
  ],
  no_degenerate: (d, _row, k) => [
    { input: 'stop_token', needs: [stop(d.scenario)] },
    { input: 'earlier user turns', needs: d.transcript.turns.slice(0, k).filter((u) => u.speaker === 'user').map((u) => u.text) },
  ],
};

function stop(s: Scenario): string { return s.termination?.stop_token ?? '###STOP###'; }

describe('rewards: a signal the policy can learn', function () {
  this.timeout(60000);
  let ds: Dialogue[];
  let groundTruth: string;
  before(async () => {
    ds = await dialogues(await sources(), [1]);
    const doc = readFileSync(join(REPO, 'docs', 'rewards.md'), 'utf8');
    groundTruth = doc.slice(doc.indexOf('## 8.'), doc.indexOf('## 9.'));
  });

  it('every input of every rule is in the RL prompt or on the ground-truth list of docs/rewards.md §8', () => {
    assert.deepEqual(Object.keys(READS).sort(), [...RULE_NAMES].sort(), 'every rule is covered');
    let checked = 0;
    for (const d of ds) {
      const rows = rlSamples(d.transcript, () => ({ scenario: d.scenario, profile: d.profile }));
      const users = d.transcript.turns.map((u, k) => (u.speaker === 'user' ? k : -1)).filter((k) => k >= 0);
      rows.forEach((row, n) => {
        const k = users[n];
        const prompt = row.prompt.map((m) => m.content).join('\n');
        const contextText = JSON.stringify(row.context);
        for (const name of RULE_NAMES) {
          for (const r of READS[name](d, row, k)) {
            if (r.groundTruth) {
              assert.ok(groundTruth.includes(`\`${r.groundTruth}\``), `${name} reads ${r.input}: not on the ground-truth list`);
              assert.ok(contextText.includes(`"${r.groundTruth === 'done_when' ? 'done_when' : r.groundTruth}"`), `${name}: ${r.groundTruth} missing from the reward context`);
              continue;
            }
            const shown = new Set(concreteValues(prompt));
            for (const v of r.values ?? []) {
              checked++;
              assert.ok(shown.has(v), `${d.scenario.id} turn ${row.context.turn_index}: ${name} reads the value ${v} (${r.input}), which the prompt does not show`);
            }
            for (const needle of r.needs ?? []) {
              checked++;
              assert.ok(prompt.includes(needle), `${d.scenario.id} turn ${row.context.turn_index}: ${name} reads ${r.input} "${needle}", which the prompt does not show`);
            }
          }
        }
        assert.ok(prompt.includes(RATIONALE_INSTRUCTIONS));
      });
    }
    assert.ok(checked > 1000, `only ${checked} checks`);
  });

  it('keeps ground truth out of the prompt: no done_when text, no tactic name', () => {
    const names = allTactics().map((t) => t.name);
    for (const d of ds) {
      const rows = rlSamples(d.transcript, () => ({ scenario: d.scenario, profile: d.profile }));
      for (const row of rows) {
        const system = row.prompt[0].content;
        for (const t of d.scenario.targets) if (t.done_when) assert.ok(!system.includes(t.done_when), `${d.scenario.id}: done_when of ${t.id} in the prompt`);
        for (const n of names) assert.ok(!new RegExp(n.replace(/_/g, '[ _-]'), 'i').test(system), `${d.scenario.id}: the prompt names the tactic ${n}`);
      }
    }
  });
});
