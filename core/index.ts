// core: the engine, plain TypeScript, no `vscode` and no LSP imports.
export * from './generated/schema-types';
export { schemaFiles } from './generated/schemas';
export * from './model/load';
export { BUILT_IN_TACTICS } from './library/tactics';
// The simulation engine (dialogue loop, simulators, agents, rationale format, chat backends).
export { allTactics } from './library/tactics';
export { runDialogue, DEFAULT_MAX_TURNS, firedPolicies, hangUpReason, successHolds, initialState, applyTransitions, compare } from './dialogue/index';
export type { DialogueEvent, DialogueOptions } from './dialogue/index';
export { findBackend, backendKey } from './dialogue/types';
export type { EngineEnv, DialogueView, SimulatorContext, UserTurnOutput, UserSimulator, AgentContext, Agent, ResolvedProfile } from './dialogue/types';
export { detectTactic } from './dialogue/tactics';
export { createTacticJudge, parseTacticVerdict, tacticJudgePrompt } from './dialogue/tactic-judge';
export type { TacticJudge } from './dialogue/tactic-judge';
export { createSimulator, AgendaSimulator, LlmSimulator, CALL_CONNECTS } from './simulate/index';
export { createAgent, ScriptedAgent, AdversarialAgent, HumanAgent, LlmAgent, agentSystemPrompt, envSecret, scenarioSlots, AGENT_CALL_CONNECTS } from './agents/index';
export { buildSimulatorPrompt, parseUserOutput, formatUserOutput, formatRationale, formatStateLine, parseStateLine, parseSections, RATIONALE_INSTRUCTIONS, SECTION_KEYS, DEFAULT_STOP_TOKEN } from './rationale/index';
export type { Rationale, SectionKey } from './rationale/index';
export { createChatClient, ChatError, Limiter, backendLimiter, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS } from './backends/chat/index';
export type { ChatClient, ChatRequest, ChatResult, ChatMessage, ChatClientOptions } from './backends/chat/index';
export { createRng, hashString } from './util/rng';
export type { Rng } from './util/rng';
// Training: datasets from runs (SFT / RL exports) and training backends (Ray Jobs, OpenAI fine-tuning).
export * as datasets from './datasets';
export * as training from './training';
