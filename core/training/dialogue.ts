// Multi-turn GRPO rows (`rollout=dialogue`): one row per scenario × profile, built from the RL
// export. The prompt is the simulator prompt plus the agent's opening (when it speaks first); the
// context is the RL context of the first user turn plus the agent's lines for the whole dialogue,
// produced here by the same scripted/adversarial agents `userlm run` uses and annotated with what
// the engine detects in them (tactic, targets met). trainer/rollout.py replays them turn by turn
// while the policy plays the user (see docs/training.md, "Multi-turn GRPO").
import type { Scenario, Turn, Workspace } from '../generated/schema-types';
import type { RlSample } from '../datasets';
import { AdversarialAgent, agentSystemPrompt, ScriptedAgent, type Agent, type AgentContext } from '../agents';
import { compileScenario, targetsMetBy } from '../dialogue/rules';
import { detectTactic } from '../dialogue/tactics';
import { allTactics } from '../library/tactics';
import { dialogueOfMessages } from '../simulate/messages';

export type DialogueAgent = 'scripted' | 'adversarial' | 'endpoint';

export interface AgentLine { text: string; tactic: string | null; targets: string[] }

export interface DialogueContext extends Record<string, unknown> {
  /** `scripted` | `adversarial`: the lines below are replayed; `endpoint`: the job's agent endpoint answers. */
  agent: DialogueAgent;
  /** The agent's lines after its opening, in order (empty for `endpoint`). */
  agent_lines: AgentLine[];
  /** The agent's system prompt (role and SOP), for `endpoint`. */
  agent_system: string;
  /** User turns at most: the lower of the scenario's and the job's. */
  max_turns: number;
}

export interface DialogueRow { id: string; prompt: RlSample['prompt']; context: RlSample['context'] & DialogueContext }

/**
 * One dialogue row per scenario × profile from RL rows (the row of each dialogue's first user
 * turn); `maxTurns` user turns at most, so maxTurns agent lines are prepared.
 */
export async function dialogueRows(rows: readonly RlSample[], opts: { agent: DialogueAgent; maxTurns: number; seed: number; config?: Workspace }): Promise<DialogueRow[]> {
  const tactics = allTactics(opts.config);
  const seen = new Set<string>();
  const out: DialogueRow[] = [];
  for (const row of rows) {
    const c = row.context;
    if (c.turn.n !== 1) continue;
    const key = `${c.scenario_id}\u0000${c.profile_id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const scenario = c.scenario as Scenario;
    const scenarioMax = scenario.termination?.max_turns;
    const maxTurns = Math.max(1, Math.min(opts.maxTurns, scenarioMax ?? opts.maxTurns));
    const lines = opts.agent === 'endpoint' ? [] : await agentLines(opts.agent === 'scripted' ? new ScriptedAgent() : new AdversarialAgent(), scenario, row, maxTurns, opts.seed, tactics);
    out.push({
      id: `dialogue/${c.scenario_id}/${c.profile_id}`,
      prompt: row.prompt,
      context: { ...c, agent: opts.agent, agent_lines: lines, agent_system: agentSystemPrompt(scenario), max_turns: maxTurns },
    });
  }
  return out;
}

async function agentLines(agent: Agent, scenario: Scenario, row: RlSample, n: number, seed: number, tactics: ReturnType<typeof allTactics>): Promise<AgentLine[]> {
  const compiled = compileScenario(scenario);
  const turns: Turn[] = dialogueOfMessages(row.prompt).map((t, index) => ({ index, ...t }));
  const scratch: Record<string, unknown> = {};
  const out: AgentLine[] = [];
  for (let k = 0; k < n; k++) {
    const ctx: AgentContext = {
      scenario, profile: { id: row.context.profile_id, name: row.context.profile.name ?? row.context.profile_id, ...row.context.profile } as AgentContext['profile'],
      seed, turns, userTurns: k + 1, agentTurns: k + (scenario.agent?.opening ? 1 : 0), maxTurns: n, tactics,
      targetsMet: new Map(), raised: new Set(), scratch, openConcerns: [],
    };
    const { text } = await agent.next(ctx);
    turns.push({ index: turns.length, speaker: 'agent', text });
    out.push({ text, tactic: detectTactic(text, tactics) ?? null, targets: [...targetsMetBy(compiled, text)] });
  }
  return out;
}
