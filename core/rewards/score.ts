// Scoring a transcript (docs/rewards.md §5): rule and judge components per user turn, session
// components, aggregation, paper metrics.
import type { ProfileFields, RewardSpec, Scenario, Transcript } from '../generated/schema-types';
import { turnContext, userTurnIndices } from './context';
import { buildJudgePrompt, METRIC_OF, METRICS, type Judge, type Metric } from './judge';
import { RULES, isRuleName } from './rules';
import { normalizeComponents, type NormalComponent } from './spec';
import { parseOutput, round6 } from './text';

export interface ScoreContext {
  scenario: Scenario;
  profile: ProfileFields;
  spec: RewardSpec;
  judge?: Judge;
  signal?: AbortSignal;
}

type Values = Record<string, number>;

/** Rule values of every rule component (turn and session level) for the user turn at position k. */
function ruleValues(t: Transcript, k: number, comps: NormalComponent[], scenario: Scenario, profile: ProfileFields): Values {
  const turn = t.turns[k];
  const out = parseOutput(turn.output ?? turn.text);
  const ctx = turnContext(t, k, scenario, profile);
  const values: Values = {};
  for (const c of comps) {
    if (c.kind === 'rule' && isRuleName(c.name) && !(c.name in values)) values[c.name] = round6(RULES[c.name](out, ctx, scenario, c.params));
  }
  return values;
}

/** The judge's value for one component at one turn (or the session), or undefined. */
async function judgeOne(c: NormalComponent, t: Transcript, ctx: ScoreContext, turnIndex?: number): Promise<{ value: number; x: number } | undefined> {
  if (!ctx.judge || !c.rubric) return undefined;
  const prompt = buildJudgePrompt({ rubric: c.rubric, scenario: ctx.scenario, profile: ctx.profile, transcript: t, turnIndex });
  const { score: x } = await ctx.judge.score(c.name, prompt, ctx.signal);
  if (!Number.isFinite(x)) return undefined;
  return { value: round6(c.invert ? 1 - x : x), x };
}

function weightedMean(comps: NormalComponent[], values: Values): number | undefined {
  let num = 0;
  let den = 0;
  for (const c of comps) {
    const v = values[c.name];
    if (v === undefined) continue;
    num += c.weight * v;
    den += c.weight;
  }
  return den > 0 ? num / den : undefined;
}

function mean(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** §5.3: the turn part T from the turn scores, or undefined when there are none. */
export function turnPart(scores: number[], discount?: number): number | undefined {
  if (scores.length === 0) return undefined;
  if (discount === undefined) return mean(scores);
  const normalised: number[] = new Array(scores.length);
  let c = 0;
  let z = 0;
  for (let t = scores.length - 1; t >= 0; t--) {
    c = t === scores.length - 1 ? scores[t] : scores[t] + discount * c;
    z = t === scores.length - 1 ? 1 : 1 + discount * z;
    normalised[t] = c / z;
  }
  return mean(normalised);
}

/** Component values of one user turn (`turnIndex` = the turn's `index`), judges included when configured. */
export async function scoreUserTurn(turnIndex: number, t: Transcript, ctx: ScoreContext): Promise<Record<string, number>> {
  const k = t.turns.findIndex((u) => u.index === turnIndex);
  if (k < 0 || t.turns[k].speaker !== 'user') throw new Error(`turn ${turnIndex} is not a user turn of dialogue ${t.dialogue_id}`);
  const comps = normalizeComponents(ctx.spec).filter((c) => c.level === 'turn');
  const rules = ruleValues(t, k, comps, ctx.scenario, ctx.profile);
  const values: Values = {};
  const judged = await Promise.all(comps.map((c) => (c.kind === 'judge' ? judgeOne(c, t, ctx, turnIndex) : undefined)));
  comps.forEach((c, j) => {
    if (c.kind === 'rule') values[c.name] = rules[c.name];
    else if (judged[j]) values[c.name] = judged[j]!.value;
  });
  return values;
}

/** The weighted turn score of a turn's component values (§5.1), or undefined. */
export function turnScore(spec: RewardSpec, values: Record<string, number>): number | undefined {
  const m = weightedMean(normalizeComponents(spec).filter((c) => c.level === 'turn'), values);
  return m === undefined ? undefined : round6(m);
}

/** Fills turns[].rewards/.score, rewards {turn_mean, session, total} and metrics. Returns a new transcript. */
export async function scoreTranscript(t: Transcript, ctx: ScoreContext): Promise<Transcript> {
  const comps = normalizeComponents(ctx.spec);
  const turnComps = comps.filter((c) => c.level === 'turn');
  const sessionComps = comps.filter((c) => c.level === 'session');
  const users = userTurnIndices(t);
  const out: Transcript = { ...t, turns: t.turns.map((u) => ({ ...u })) };
  const judgeXs = new Map<string, number[]>();
  const noteX = (name: string, x: number) => { const a = judgeXs.get(name) ?? []; a.push(x); judgeXs.set(name, a); };

  // Per user turn: rules now, judges concurrently.
  const perTurn = await Promise.all(users.map(async (k) => {
    const rules = ruleValues(t, k, comps, ctx.scenario, ctx.profile);
    const judged = await Promise.all(turnComps.map((c) => (c.kind === 'judge' ? judgeOne(c, t, ctx, t.turns[k].index) : undefined)));
    return { k, rules, judged };
  }));
  const turnScores: number[] = [];
  const ruleHistory: Values[] = [];
  for (const { k, rules, judged } of perTurn) {
    const values: Values = {};
    turnComps.forEach((c, j) => {
      if (c.kind === 'rule') values[c.name] = rules[c.name];
      else if (judged[j]) { values[c.name] = judged[j]!.value; noteX(c.name, judged[j]!.x); }
    });
    ruleHistory.push(rules);
    const turn = out.turns[k];
    turn.rewards = values;
    const m = weightedMean(turnComps, values);
    if (m === undefined) delete turn.score;
    else { turn.score = round6(m); turnScores.push(turn.score); }
  }

  const turnMean: Values = {};
  for (const c of turnComps) {
    const vs = perTurn.map(({ k }) => out.turns[k].rewards![c.name]).filter((v): v is number => v !== undefined);
    if (vs.length) turnMean[c.name] = round6(mean(vs));
  }

  const session: Values = {};
  const sessionJudged = await Promise.all(sessionComps.map((c) => (c.kind === 'judge' ? judgeOne(c, t, ctx) : undefined)));
  sessionComps.forEach((c, j) => {
    if (c.kind === 'rule') {
      if (ruleHistory.length) session[c.name] = round6(Math.min(...ruleHistory.map((r) => r[c.name])));
    } else if (sessionJudged[j]) {
      session[c.name] = sessionJudged[j]!.value;
      noteX(c.name, sessionJudged[j]!.x);
    }
  });

  const T = turnPart(turnScores, ctx.spec.aggregate?.discount);
  const tw = ctx.spec.aggregate?.turn_weight ?? 1;
  let num = 0;
  let den = 0;
  if (T !== undefined) { num += tw * T; den += tw; }
  for (const c of sessionComps) {
    const v = session[c.name];
    if (v === undefined) continue;
    num += c.weight * v;
    den += c.weight;
  }
  out.rewards = { turn_mean: turnMean, session, total: den > 0 ? round6(num / den) : 0 };
  out.metrics = metricsFrom(comps, judgeXs);
  return out;
}

function metricsFrom(comps: NormalComponent[], xs: Map<string, number[]>): Transcript['metrics'] {
  const metrics: Record<Metric, number | null> = Object.fromEntries(METRICS.map((m) => [m, null])) as Record<Metric, number | null>;
  for (const c of comps) {
    const metric = METRIC_OF[c.name] as Metric | undefined;
    const values = xs.get(c.name);
    if (metric && values?.length && metrics[metric] === null) metrics[metric] = round6(mean(values));
  }
  return metrics;
}

/** Spec components a transcript has no value for because no judge answered: shown as "no judge". */
export function unjudged(spec: RewardSpec, t: Transcript): string[] {
  return normalizeComponents(spec)
    .filter((c) => c.kind === 'judge')
    .filter((c) => (c.level === 'session' ? !(c.name in t.rewards.session) : !(c.name in t.rewards.turn_mean)))
    .map((c) => c.name);
}
