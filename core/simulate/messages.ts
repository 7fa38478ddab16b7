// The chat messages a simulated user's model is sent, in one place: the live simulator (`LlmSimulator`)
// and the training datasets (SFT, RL, dialogue rows) build them alike, so a model is trained on the
// context it meets in use.
import type { ChatMessage } from '../backends/chat/index';

/** The stage line that opens the call when the user speaks first (no agent opening). Chat templates want
 *  a `user` message first, and some (Gemma's) drop a system prompt that no user message follows. */
export const CALL_CONNECTS = '(The call connects. You speak first.)';

type Spoken = { speaker: string; text: string };

/** The system prompt, then the dialogue seen from the user (agent → `user`, user → `assistant`), opened by
 *  CALL_CONNECTS when the user speaks first. */
export function simulatorMessages(system: string, turns: readonly Spoken[]): ChatMessage[] {
  const messages: ChatMessage[] = [{ role: 'system', content: system }];
  if (turns[0]?.speaker !== 'agent') messages.push({ role: 'user', content: CALL_CONNECTS });
  for (const t of turns) messages.push({ role: t.speaker === 'agent' ? 'user' : 'assistant', content: t.text });
  return messages;
}

/** The dialogue in simulator messages (the inverse of simulatorMessages): no system prompt, no stage line. */
export function dialogueOfMessages(messages: readonly { role: string; content: string }[]): { speaker: 'agent' | 'user'; text: string }[] {
  const rest = messages.filter((m) => m.role !== 'system');
  const spoken = rest[0]?.role === 'user' && rest[0].content === CALL_CONNECTS ? rest.slice(1) : rest;
  return spoken.map((m) => ({ speaker: m.role === 'user' ? 'agent' : 'user', text: m.content }));
}
