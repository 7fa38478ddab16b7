// Targets are met by information, not by echo: an agent turn meets a target only when it supplies
// what the target asks for (an amount, a time or date, the term, an explicit yes or no, an action
// done), with or without cues. A restatement is not an answer, and the simulated user presses again.
import { strict as assert } from 'node:assert';
import type { Scenario, Target } from '../../../core/generated/schema-types';
import { answerKind, compileScenario, targetsMetBy } from '../../../core/dialogue/rules';
import { runDialogue } from '../../../core/dialogue/index';
import type { Agent, AgentContext } from '../../../core/dialogue/types';
import { AgendaSimulator } from '../../../core/simulate/index';
import { PROFILE } from './helpers';

const pharmacy = (targets: Target[]): Scenario => ({ kind: 'scenario', id: 'pharmacy-refill', profile: 'pat', targets: targets as Scenario['targets'], termination: { max_turns: 6, min_turns: 1 } });

const COPAY: Target = { id: 'copay-amount', description: 'Find out the exact copay for the refill', cues: ['copay'] };
const PICKUP: Target = { id: 'pickup-time', description: 'Know when the refill will be ready for pickup' };
const TERM: Target = { id: 'plan-term', description: 'Understand how long the savings plan contract runs' };
const GENERIC: Target = { id: 'generic-ok', description: 'Confirm whether the cheaper generic is used if it is in stock', say: 'Will you use the generic if you have it?' };
const COUNT: Target = { id: 'refills-left', description: 'Ask how many refills are left on the prescription' };
const TRANSFER: Target = { id: 'transfer-rx', description: 'Get the prescription transferred to the Elm Street store' };

function met(target: Target, line: string): boolean {
  return targetsMetBy(compileScenario(pharmacy([target])), line).has(target.id);
}

describe('engine: targets are met by information, not by echo', () => {
  it('reads what each target asks for', () => {
    assert.equal(answerKind(COPAY), 'amount');
    assert.equal(answerKind(PICKUP), 'time');
    assert.equal(answerKind(TERM), 'term');
    assert.equal(answerKind(GENERIC), 'yesno');
    assert.equal(answerKind(COUNT), 'count');
    assert.equal(answerKind(TRANSFER), 'action');
  });

  const cases: [Target, string, boolean][] = [
    [COPAY, "Sure, I'll walk you through the exact copay before agreeing to anything.", false],
    [COPAY, 'Let me check the copay for you.', false],
    [COPAY, 'Would you like to hear about the copay?', false],
    [COPAY, 'Your copay for this refill is $12.40.', true],
    [COPAY, 'Good news: the copay is waived this month.', true],
    [PICKUP, 'I understand you want to know when the refill will be ready for pickup.', false],
    [PICKUP, 'The refill will be ready for pickup tomorrow after 3 pm.', true],
    [PICKUP, 'Your refill will be ready for pickup within 2 business days.', true],
    [TERM, 'Let me go over the savings plan contract with you.', false],
    [TERM, 'The savings plan contract runs for 12 months.', true],
    [GENERIC, 'I can check whether the cheaper generic is used if it is in stock.', false],
    [GENERIC, 'Yes, we use the cheaper generic whenever it is in stock.', true],
    [GENERIC, "No, the generic isn't in stock, so we'd use the brand.", true],
    [COUNT, 'Let me see how many refills are left on the prescription.', false],
    [COUNT, 'You have 2 refills left on the prescription.', true],
    [TRANSFER, "I understand you'd like the prescription transferred to the Elm Street store. Let me look into it.", false],
    [TRANSFER, "Done: I've transferred the prescription to the Elm Street store.", true],
    // a condition on the user says what the user might do, not what was done; the answer beside it still counts
    [TRANSFER, "After all this, I'd appreciate it if you transferred the prescription to the Elm Street store yourself.", false],
    [COPAY, 'If you refill today, your copay for this refill is $12.40.', true],
  ];
  for (const [target, line, expected] of cases) {
    it(`${expected ? 'meets' : 'does not meet'} ${target.id}: "${line}"`, () => assert.equal(met(target, line), expected));
  }

  it('the user presses again after an echo, and acknowledges only the answer', async () => {
    const lines = ["Sure, I'll walk you through the exact copay before agreeing to anything.", 'Your copay for this refill is $12.40.'];
    const agent: Agent = { id: 'fixed', next: async (ctx: AgentContext) => ({ text: lines[ctx.agentTurns] ?? 'Anything else?' }) };
    const scenario = pharmacy([{ ...COPAY, say: 'What will my copay be for the refill?', reveal: 'upfront' }]);
    const t = await runDialogue({ scenario, profile: PROFILE, seed: 3, simulator: new AgendaSimulator(), agent });
    const echo = t.turns.findIndex((x) => x.text === lines[0]);
    assert.ok(echo > 0, JSON.stringify(t.turns.map((x) => x.text)));
    assert.equal(t.turns[echo].targets_met, undefined);
    const after = t.turns[echo + 1];
    assert.match(after.rationale!.sections.plan!, /copay-amount/, after.rationale!.sections.plan);
    assert.doesNotMatch(after.text, /^(?:okay, good|good to hear|great)/i, after.text);
    const answer = t.turns.findIndex((x) => x.text === lines[1]);
    assert.deepEqual(t.turns[answer].targets_met, ['copay-amount']);
    assert.equal(t.targets?.find((x) => x.id === 'copay-amount')?.met_at, answer);
  });
});
