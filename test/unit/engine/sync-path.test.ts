// The loop calls `nextNow` when a simulator or agent answers at once (agenda, scripted,
// adversarial) and waits for nothing; the same participants behind a promise-only `next` give the
// same transcripts, and a synchronous failure is still that participant's failure.
import { strict as assert } from 'node:assert';
import type { Agent, UserSimulator } from '../../../core/dialogue/types';
import { runDialogue } from '../../../core/dialogue/index';
import { AgendaSimulator } from '../../../core/simulate/index';
import { AdversarialAgent, ScriptedAgent } from '../../../core/agents/index';
import { sampleScenarios, stable } from './helpers';

/** The same participant, seen only through its promise-returning `next`. */
const promiseOnly = <T extends { id: string; next: (ctx: never) => Promise<unknown> }>(x: T): T => ({ id: x.id, next: (ctx: never) => x.next(ctx) }) as unknown as T;

describe('engine: participants that answer at once (nextNow) and through a promise give the same dialogues', function () {
  this.timeout(60000);

  it('every sample scenario, scripted and adversarial agents, three seeds', async () => {
    let compared = 0;
    for (const { scenario, profile, ws } of await sampleScenarios()) {
      for (const makeAgent of [() => new ScriptedAgent(), () => new AdversarialAgent()]) {
        for (let seed = 1; seed <= 3; seed++) {
          const config = ws.config?.value;
          const now = await runDialogue({ scenario, profile, config, seed, simulator: new AgendaSimulator(), agent: makeAgent() });
          const later = await runDialogue({ scenario, profile, config, seed, simulator: promiseOnly(new AgendaSimulator()), agent: promiseOnly(makeAgent()) });
          assert.ok(now.turns.length >= 2, `${scenario.id}: a dialogue happened`);
          assert.deepEqual(stable(later), stable(now), `${scenario.id} seed ${seed}`);
          compared++;
        }
      }
    }
    assert.ok(compared >= 18);
  });

  it('a participant whose nextNow throws ends the dialogue with reason error, naming it', async () => {
    const [{ scenario, profile }] = await sampleScenarios();
    const agent: Agent = { id: 'broken-agent', next: async () => ({ text: 'unused' }), nextNow: () => { throw new Error('no line'); } };
    const t1 = await runDialogue({ scenario, profile, seed: 1, simulator: new AgendaSimulator(), agent });
    assert.equal(t1.end.reason, 'error');
    assert.match(t1.error ?? '', /agent 'broken-agent': no line/);
    const simulator: UserSimulator = { id: 'broken-sim', next: async () => { throw new Error('unused'); }, nextNow: () => { throw new Error('no reply'); } };
    const t2 = await runDialogue({ scenario, profile, seed: 1, simulator, agent: new ScriptedAgent() });
    assert.equal(t2.end.reason, 'error');
    assert.match(t2.error ?? '', /simulator 'broken-sim': no reply/);
  });
});
