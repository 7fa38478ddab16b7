// Fair baselines: a simulator backend with `rationale: off` (a plain user model) is asked for the
// reply only, its transcript says `simulator_rationale: off`, and the rationale components are
// not applicable (no value) instead of 0; `rationale: prompt` (the default) asks for the format.
import { strict as assert } from 'node:assert';
import type { Workspace } from '../../../core/generated/schema-types';
import { runDialogue } from '../../../core/dialogue/index';
import { createSimulator, PLAIN_OUTPUT } from '../../../core/simulate/index';
import { createAgent } from '../../../core/agents/index';
import { RATIONALE_INSTRUCTIONS } from '../../../core/rationale/index';
import { scoreTranscript } from '../../../core/rewards/score';
import { DEFAULT_REWARD_SPEC } from '../../../core/rewards/spec';
import { startOpenAIServer, type OpenAIServer } from '../../support/openai-server';
import { PROFILE, toyScenario } from './helpers';

describe('engine: fair baselines (rationale: off | prompt)', function () {
  this.timeout(20000);
  let server: OpenAIServer;
  beforeEach(async () => { server = await startOpenAIServer(); });
  afterEach(async () => { await server.close(); });

  async function dialogue(rationale: 'off' | 'prompt' | undefined) {
    const config: Workspace = { kind: 'workspace', backends: [{ id: 'sim', type: 'openai-compatible', base_url: server.url, model: 'sim-think', ...(rationale ? { rationale } : {}) }] };
    const env = { config, secret: () => undefined };
    const scenario = toyScenario({ termination: { max_turns: 3 } });
    const t = await runDialogue({ scenario, profile: PROFILE, config, seed: 4, simulator: createSimulator('sim', env), agent: createAgent('scripted', env) });
    assert.equal(t.error, undefined, t.error);
    return { t, scored: await scoreTranscript(t, { scenario, profile: PROFILE, spec: DEFAULT_REWARD_SPEC }), system: server.requests[0].body.messages[0].content as string };
  }

  it('off: the prompt asks for the reply only; the turns carry no rationale; rationale components are n/a, not 0', async () => {
    const { t, scored, system } = await dialogue('off');
    assert.equal(t.simulator_rationale, 'off');
    assert.ok(system.endsWith(PLAIN_OUTPUT), system.slice(-200));
    assert.ok(!system.includes(RATIONALE_INSTRUCTIONS));
    assert.match(system, /You are playing a user, Pat Doe/);
    const users = t.turns.filter((x) => x.speaker === 'user');
    assert.ok(users.length >= 2);
    for (const u of users) {
      assert.equal(u.rationale!.raw, '');
      assert.ok(!/<\/?(?:think|answer)>/.test(u.text), u.text);
    }
    assert.equal(scored.rewards.turn_mean.format, undefined, JSON.stringify(scored.rewards.turn_mean));
    assert.equal(typeof scored.rewards.total, 'number');
  });

  for (const mode of ['prompt', undefined] as const) {
    it(`${mode ?? 'unset (default prompt)'}: the prompt asks for the rationale format and format is scored`, async () => {
      const { t, scored, system } = await dialogue(mode);
      assert.equal(t.simulator_rationale, 'prompt');
      assert.ok(system.includes(RATIONALE_INSTRUCTIONS));
      for (const u of t.turns.filter((x) => x.speaker === 'user')) assert.deepEqual(u.rationale!.missing, []);
      assert.equal(scored.rewards.turn_mean.format, 1);
    });
  }
});
