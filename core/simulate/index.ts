// User simulators: the built-in `agenda` one and `llm` (any OpenAI-compatible backend).
import { buildSimulatorPrompt } from '../rationale/index';
import { createChatClient, type ChatClient } from '../backends/chat/index';
import { backendKey, findBackend, type EngineEnv, type SimulatorContext, type UserSimulator, type UserTurnOutput } from '../dialogue/types';
import { AgendaSimulator } from './agenda';
import { simulatorMessages } from './messages';

export type { UserSimulator, SimulatorContext, UserTurnOutput, EngineEnv } from '../dialogue/types';
export { AgendaSimulator } from './agenda';

export { CALL_CONNECTS } from './messages';

/** What a plain user model (`rationale: off`) is told instead of the rationale format. */
export const PLAIN_OUTPUT = '## Output format\nWrite only what you say to the agent: one natural spoken turn in your own voice, no notes, no tags.';

/**
 * A simulated user played by a model: system prompt from profile + scenario. With the backend's
 * `rationale: prompt` (default) the prompt asks for the five-section rationale; with `off` (a plain
 * user model) it asks for the reply only, and the turn carries no rationale.
 */
export class LlmSimulator implements UserSimulator {
  private readonly prompts = new WeakMap<object, string>();
  readonly rationaleMode: 'prompt' | 'off';
  constructor(readonly id: string, readonly client: ChatClient) {
    this.rationaleMode = client.backend.rationale ?? 'prompt';
  }

  systemPrompt(ctx: Pick<SimulatorContext, 'profile' | 'scenario' | 'config'>): string {
    let system = this.prompts.get(ctx.scenario);
    if (!system) {
      system = buildSimulatorPrompt(ctx.profile, ctx.scenario, ctx.config);
      if (this.rationaleMode === 'off') {
        const at = system.lastIndexOf('## Output format');
        system = `${at >= 0 ? system.slice(0, at) : `${system}\n\n`}${PLAIN_OUTPUT}`;
      }
      this.prompts.set(ctx.scenario, system);
    }
    return system;
  }

  async next(ctx: SimulatorContext): Promise<UserTurnOutput> {
    const messages = simulatorMessages(this.systemPrompt(ctx), ctx.turns);
    const r = await this.client.complete({ messages, signal: ctx.signal, onDelta: ctx.onDelta });
    const out: UserTurnOutput = { content: r.content, reasoning: r.reasoning, usage: r.usage, latencyMs: r.latencyMs };
    if (this.rationaleMode === 'off') {
      // The reply only; whatever reasoning the server split off is kept in `output`, never scored as a rationale.
      out.parsed = { answer: r.content.replace(/<\/?answer>/gi, '').trim(), rationale: { raw: '', sections: {}, missing: [] } };
    }
    return out;
  }
}

/** `agenda` (built in) or the id of a backend in `userlm.yaml`. */
export function createSimulator(id: string, env: EngineEnv): UserSimulator {
  if (id === 'agenda') return new AgendaSimulator();
  const backend = findBackend(id, env.config, 'simulator');
  return new LlmSimulator(id, createChatClient(backend, backendKey(backend, env)));
}
