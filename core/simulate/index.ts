// User simulators: the built-in `agenda` one and `llm` (any OpenAI-compatible backend).
import { buildSimulatorPrompt } from '../rationale/index';
import { createChatClient, type ChatClient, type ChatMessage } from '../backends/chat/index';
import { backendKey, findBackend, type EngineEnv, type SimulatorContext, type UserSimulator, type UserTurnOutput } from '../dialogue/types';
import { AgendaSimulator } from './agenda';

export type { UserSimulator, SimulatorContext, UserTurnOutput, EngineEnv } from '../dialogue/types';
export { AgendaSimulator } from './agenda';

/** The user's first message when they speak first (no agent opening). */
export const CALL_CONNECTS = '(The call connects. You speak first.)';

/** A simulated user played by a model: system prompt from profile + scenario + rationale instructions. */
export class LlmSimulator implements UserSimulator {
  private readonly prompts = new WeakMap<object, string>();
  constructor(readonly id: string, readonly client: ChatClient) {}

  async next(ctx: SimulatorContext): Promise<UserTurnOutput> {
    let system = this.prompts.get(ctx.scenario);
    if (!system) {
      system = buildSimulatorPrompt(ctx.profile, ctx.scenario, ctx.config);
      this.prompts.set(ctx.scenario, system);
    }
    const messages: ChatMessage[] = [{ role: 'system', content: system }];
    // The model plays the user, so the agent's lines are its `user` messages. Chat templates want
    // a `user` message first: when the user speaks first, a stage line opens the call.
    if (ctx.turns[0]?.speaker !== 'agent') messages.push({ role: 'user', content: CALL_CONNECTS });
    for (const t of ctx.turns) messages.push({ role: t.speaker === 'agent' ? 'user' : 'assistant', content: t.text });
    const r = await this.client.complete({ messages, signal: ctx.signal, onDelta: ctx.onDelta });
    return { content: r.content, reasoning: r.reasoning, usage: r.usage, latencyMs: r.latencyMs };
  }
}

/** `agenda` (built in) or the id of a backend in `userlm.yaml`. */
export function createSimulator(id: string, env: EngineEnv): UserSimulator {
  if (id === 'agenda') return new AgendaSimulator();
  const backend = findBackend(id, env.config, 'simulator');
  return new LlmSimulator(id, createChatClient(backend, backendKey(backend, env)));
}
