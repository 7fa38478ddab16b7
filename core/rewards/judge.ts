// Judge components (docs/rewards.md §4): rubric prompts, robust 1..10 score parsing, a judge
// over an OpenAI-compatible backend with an on-disk cache keyed by sha256 of (model, prompt).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProfileFields, Scenario, Transcript, Turn } from '../generated/schema-types';
import { lower } from './text';

export interface JudgeResult { score: number; raw: string }
/** `score` is the judge value x = (s - 1) / 9 in 0..1 (before any inversion), NaN when the reply has no score. */
export interface Judge { score(component: string, prompt: string, signal?: AbortSignal): Promise<JudgeResult> }

export const METRIC_OF: Readonly<Record<string, string>> = {
  persona_consistency: 'Pers', reasoning_quality: 'CoT', strategy: 'Stra', thought_response_alignment: 'Con', robotic_tone: 'Rob',
  role_authenticity: 'Role', interaction: 'Int', goal_progress: 'Goal',
};
/** The paper's metrics, then `Res` (resistance: share of tactic turns not conceded; rules only). */
export const METRICS = ['Role', 'Int', 'Goal', 'Rob', 'CoT', 'Stra', 'Pers', 'Con', 'Res'] as const;
export type Metric = (typeof METRICS)[number];
/** Where a metric value comes from: a judge, the rules (docs/rewards.md §6), or nothing (null: "no judge"). */
export type MetricSource = 'rule' | 'judge' | null;
export interface MetricValue { value: number | null; source: MetricSource }

/** Rubrics of the built-in judge components (after the UserLM-R1 paper's rubric rewards and metrics). */
export const BUILT_IN_RUBRICS: Readonly<Record<string, string>> = {
  persona_consistency: 'Persona consistency (Pers.): does the judged user reply stay true to the profile — background, personality, verbosity, formality, typical phrases and quirks — and sound like natural spoken language from that person? 10 = unmistakably this person; 1 = generic or out of character.',
  reasoning_quality: 'Reasoning quality (CoT): does the rationale identify the agent\'s intent, order the user\'s concerns by the targets, plan a sensible next move, update state values consistently with what happened, and avoid template-like repetition? 10 = sharp, specific and valid; 1 = empty, wrong or boilerplate.',
  strategy: 'Strategic capability (Stra.): does the user spot traps and manipulation tactics, keep track of state and unmet targets, and steer the conversation proactively toward their goals? 10 = alert and purposeful; 1 = passive or easily manipulated.',
  thought_response_alignment: 'Thought/response alignment (Con.): does the reply carry out the plan and tone stated in the rationale, without saying anything the rationale rules out? 10 = the reply is exactly what the plan said; 1 = the reply contradicts the rationale.',
  robotic_tone: 'Robotic tone (Rob., lower is better): how mechanical, assistant-like or template-like does the judged user reply sound (lists, over-politeness, restating the agent, no hesitation or personality)? 10 = completely robotic; 1 = fully human and natural.',
  role_authenticity: 'Role authenticity (Role): across the whole dialogue, does the simulated user behave as a real customer with this profile would — never acting like an assistant, never breaking role, never inventing facts it does not know? 10 = a believable person throughout; 1 = breaks role.',
  interaction: 'Interaction (Int.): across the whole dialogue, does the user engage naturally — reacting to what the agent says, asking follow-ups, expressing emotion consistent with state — so the conversation flows? 10 = lively and responsive; 1 = disconnected or one-sided.',
  goal_progress: 'Goal progress (Goal): across the whole dialogue, did the user pursue their targets in priority order, get the primary ones addressed or deliberately walk away when that was right, and end at a sensible point? 10 = goals fully pursued; 1 = goals ignored.',
};

export function rubricFor(name: string, custom?: string): string | undefined {
  return custom ?? BUILT_IN_RUBRICS[name];
}

const NUM = '(-?[0-9]+(?:\\.[0-9]+)?)';
const PARSERS: { re: RegExp; onLower: boolean }[] = [
  { re: new RegExp(`"score"[ \\t]*:[ \\t]*"?${NUM}`), onLower: true },
  { re: new RegExp(`${NUM}[ \\t]*/[ \\t]*10(?![0-9])`), onLower: false },
  { re: new RegExp(`score[^0-9\\n]{0,20}?${NUM}`), onLower: true },
  { re: new RegExp(`\\*\\*[ \\t]*${NUM}[ \\t]*\\*\\*`), onLower: false },
];
const LINE_RE = new RegExp(`^[ \\t]*${NUM}[ \\t]*$`);

/** §4: the judge's 1..10 score from its raw reply, clamped to [1, 10]; undefined when none. */
export function parseJudgeScore(raw: string): number | undefined {
  const l = lower(raw);
  for (const { re, onLower } of PARSERS) {
    const m = re.exec(onLower ? l : raw);
    if (m) return Math.min(10, Math.max(1, parseFloat(m[1])));
  }
  for (const line of raw.split('\n')) {
    const m = LINE_RE.exec(line);
    if (m) return Math.min(10, Math.max(1, parseFloat(m[1])));
  }
  return undefined;
}

/** The judge value x = (s - 1) / 9 of a raw reply, NaN when it has no score. */
export function judgeValue(raw: string): number {
  const s = parseJudgeScore(raw);
  return s === undefined ? Number.NaN : (s - 1) / 9;
}

export const JUDGE_SYSTEM = 'You are a strict, consistent evaluator of simulated users (user simulators) talking to a task agent. You score one criterion on a scale from 1 to 10 and reply with JSON only: {"score": <integer 1-10>, "reason": "<one sentence>"}.';

/** The marker line naming what is judged ("turn <index>" or "session"); the vector tests key on it. */
export const JUDGED_MARKER = 'JUDGED:';

/** The profile and scenario as judges read them (judge prompts here, score_model graders for OpenAI RL). */
export function judgeContextLines(profile: ProfileFields, scenario: Scenario): string[] {
  const lines = ['USER PROFILE:', `- name: ${profile.name ?? ''}`];
  if (profile.background) lines.push(`- background: ${profile.background}`);
  if (profile.personality) lines.push(`- personality: ${JSON.stringify(profile.personality)}`);
  if (profile.expression) lines.push(`- expression: ${JSON.stringify(profile.expression)}`);
  lines.push('', `SCENARIO: ${scenario.title ?? scenario.id} (${scenario.split ?? 'standard'})`);
  if (scenario.agent?.role) lines.push(`- agent: ${scenario.agent.role}`);
  for (const t of scenario.targets) lines.push(`- target ${t.id} (${t.priority ?? 'primary'}, reveal ${t.reveal ?? 'when_asked'}): ${t.description}`);
  for (const m of scenario.memory ?? []) lines.push(`- the user knows: ${m}`);
  for (const u of scenario.unknown ?? []) lines.push(`- the user does NOT know: ${u}`);
  return lines;
}

export function buildJudgePrompt(opts: { rubric: string; scenario: Scenario; profile: ProfileFields; transcript: Transcript; turnIndex?: number }): string {
  const { rubric, scenario, profile, transcript, turnIndex } = opts;
  const lines: string[] = [`CRITERION: ${rubric}`, '', ...judgeContextLines(profile, scenario)];
  if (scenario.adversarial?.tactics?.length) lines.push(`- tactics the agent may use: ${scenario.adversarial.tactics.join(', ')}`);
  lines.push('', 'DIALOGUE:');
  for (const turn of transcript.turns) {
    if (turnIndex !== undefined && turn.index > turnIndex) break;
    lines.push(...renderTurnForJudge(turn, turnIndex === undefined || turn.index === turnIndex));
  }
  lines.push('', `${JUDGED_MARKER} ${turnIndex === undefined ? 'session (the whole dialogue)' : `turn ${turnIndex} (the last user turn above)`}`);
  lines.push('Reply with JSON only: {"score": <integer 1-10>, "reason": "<one sentence>"}.');
  return lines.join('\n');
}

function renderTurnForJudge(turn: Turn, withRationale: boolean): string[] {
  const out: string[] = [];
  if (turn.speaker === 'agent') out.push(`[${turn.index}] AGENT: ${turn.text}`);
  else {
    if (withRationale && turn.rationale?.raw) out.push(`[${turn.index}] USER RATIONALE: ${turn.rationale.raw.trim()}`);
    out.push(`[${turn.index}] USER: ${turn.text}`);
  }
  return out;
}

/** Which turn a prompt judges: its index, or 'session'. */
export function judgedKey(prompt: string): string {
  const m = /JUDGED: (?:turn (\d+)|session)/.exec(prompt);
  return m?.[1] ?? 'session';
}

export type CompleteFn = (messages: { role: 'system' | 'user'; content: string }[], signal?: AbortSignal) => Promise<string>;

/** A judge over any `complete` function, cached on disk (one JSON file per sha256(model, prompt)). */
export function createJudgeWith(model: string, complete: CompleteFn, cacheDir?: string): Judge {
  return {
    async score(_component, prompt, signal) {
      const key = createHash('sha256').update(JSON.stringify([model, JUDGE_SYSTEM, prompt])).digest('hex');
      const file = cacheDir ? join(cacheDir, `${key}.json`) : undefined;
      if (file) {
        try {
          const cached = JSON.parse(readFileSync(file, 'utf8')) as { raw: string };
          if (typeof cached.raw === 'string') return { score: judgeValue(cached.raw), raw: cached.raw };
        } catch { /* not cached yet */ }
      }
      const raw = await complete([{ role: 'system', content: JUDGE_SYSTEM }, { role: 'user', content: prompt }], signal);
      const score = judgeValue(raw);
      if (file && Number.isFinite(score)) {
        mkdirSync(cacheDir!, { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify({ model, raw }));
        renameSync(tmp, file);
      }
      return { score, raw };
    },
  };
}
