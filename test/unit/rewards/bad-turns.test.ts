// The labelled bad-turn set on a smaller slice than `npm run bench:rewards` (seed 1, both agents):
// every kind is caught by rules alone in >= 95% of cases, the agenda simulator's own turns keep a
// mean turn score >= 0.9, and garbage simulators total <= 0.2.
import { strict as assert } from 'node:assert';
import { DEFAULT_REWARD_SPEC, scoreTranscript } from '../../../core/rewards';
import { agendaMean, confusion, dialogues, garbage, judgePlant, KINDS, plants, sources, type Dialogue, type Outcome } from '../../bench/bad-turns-lib';

describe('rewards: planted bad user turns are caught by rules', function () {
  this.timeout(120000);
  let ds: Dialogue[];
  const outcomes: Outcome[] = [];
  before(async () => {
    const srcs = await sources();
    assert.ok(srcs.filter((s) => s.origin === 'test-only').length >= 4, 'at least 4 test-only scenarios');
    assert.ok(srcs.filter((s) => s.origin === 'sample').length >= 9, 'every sample scenario');
    ds = await dialogues(srcs, [1]);
    for (const d of ds) for (const p of plants(d)) outcomes.push(await judgePlant(p));
  });

  for (const kind of KINDS) {
    it(`catches >= 95% of ${kind}`, () => {
      const row = confusion(outcomes).find((r) => r.kind === kind)!;
      assert.ok(row.planted >= 10, `only ${row.planted} ${kind} plants`);
      assert.ok(row.share >= 0.95, `${kind}: ${row.caught}/${row.planted} caught`);
    });
  }

  it('plants every kind into test-only scenarios too (not only samples)', () => {
    for (const kind of KINDS) assert.ok(outcomes.some((o) => o.kind === kind && o.origin === 'test-only'), kind);
  });

  it("keeps the agenda simulator's own turns at a mean turn score >= 0.9", () => {
    const a = agendaMean(ds);
    assert.ok(a.turns > 50 && a.mean >= 0.9, `mean ${a.mean} over ${a.turns} turns`);
  });

  it('scores garbage (the system prompt copied back; a fixed off-topic string) at most 0.2 total', async () => {
    for (const how of ['system_prompt', 'off_topic'] as const) {
      for (const d of ds) {
        const s = await scoreTranscript(garbage(d, how), { scenario: d.scenario, profile: d.profile, spec: DEFAULT_REWARD_SPEC });
        assert.ok(s.rewards.total !== undefined && s.rewards.total <= 0.2, `${how} in ${d.scenario.id}: total ${s.rewards.total}`);
      }
    }
  });
});
