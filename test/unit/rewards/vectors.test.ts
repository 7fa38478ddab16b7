// Recomputes every shared reward test vector (test/vectors/*.json) with the TypeScript interpreter.
// The Python interpreter (trainer/rewards/) runs the same files.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProfileFields, RewardSpec, Scenario, Transcript } from '../../../core/generated/schema-types';
import { judgedKey, judgeValue, round6, scoreTranscript, type Judge, type MetricValue } from '../../../core/rewards';

const DIR = join(__dirname, '..', '..', '..', '..', 'test', 'vectors');

interface Vector {
  name: string; description: string; spec: RewardSpec; scenario: Scenario; profile: ProfileFields; transcript: Transcript;
  judge_responses?: Record<string, Record<string, string>>;
  expected: { turns: { index: number; rewards: Record<string, number>; score?: number }[]; rewards: Transcript['rewards']; metrics: Transcript['metrics'] };
}

export function vectorJudge(responses: Record<string, Record<string, string>>): Judge {
  return {
    async score(component, prompt) {
      const raw = responses[component]?.[judgedKey(prompt)];
      return raw === undefined ? { score: Number.NaN, raw: '' } : { score: judgeValue(raw), raw };
    },
  };
}

function near(got: number | undefined, want: number, what: string): void {
  assert.ok(got !== undefined, `${what}: missing (expected ${want})`);
  assert.ok(Math.abs(round6(got) - round6(want)) <= 1e-9, `${what}: got ${got}, expected ${want}`);
}

function sameScores(got: Record<string, number>, want: Record<string, number>, what: string): void {
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `${what}: components`);
  for (const [k, v] of Object.entries(want)) near(got[k], v, `${what}.${k}`);
}

describe('reward test vectors', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

  it('has at least 25 vectors covering every rule and judge component', () => {
    assert.ok(files.length >= 25, `only ${files.length} vectors`);
    const names = new Set<string>();
    for (const f of files) for (const c of (JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Vector).spec.components) names.add(c.name);
    for (const n of ['format', 'sections', 'rationale_length', 'grounding', 'state_validity', 'disclosure', 'termination', 'resistance',
      'persona_consistency', 'reasoning_quality', 'strategy', 'thought_response_alignment', 'robotic_tone', 'role_authenticity', 'interaction', 'goal_progress']) {
      assert.ok(names.has(n), `no vector uses ${n}`);
    }
  });

  for (const f of files) {
    it(f.replace(/\.json$/, ''), async () => {
      const v = JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Vector;
      const scored = await scoreTranscript(v.transcript, {
        scenario: v.scenario, profile: v.profile, spec: v.spec, judge: v.judge_responses ? vectorJudge(v.judge_responses) : undefined,
      });
      const users = scored.turns.filter((t) => t.speaker === 'user');
      assert.equal(users.length, v.expected.turns.length, 'user turns');
      for (const want of v.expected.turns) {
        const got = users.find((t) => t.index === want.index)!;
        sameScores(got.rewards ?? {}, want.rewards, `turn ${want.index}`);
        if (want.score === undefined) assert.equal(got.score, undefined, `turn ${want.index} score`);
        else near(got.score, want.score, `turn ${want.index} score`);
      }
      sameScores(scored.rewards.turn_mean, v.expected.rewards.turn_mean, 'turn_mean');
      sameScores(scored.rewards.session, v.expected.rewards.session, 'session');
      if (v.expected.rewards.total === undefined) assert.equal(scored.rewards.total, undefined, 'no total');
      else near(scored.rewards.total, v.expected.rewards.total, 'total');
      for (const [m, want] of Object.entries(v.expected.metrics) as [string, MetricValue][]) {
        const got = (scored.metrics as Record<string, MetricValue>)[m];
        assert.equal(got.source, want.source, `metric ${m} source`);
        if (want.value === null) assert.equal(got.value, null, `metric ${m}`);
        else near(got.value ?? undefined, want.value, `metric ${m}`);
      }
    });
  }
});
