// Scoring a transcript (docs/rewards.md §5): rule and judge components per user turn, session
// components, aggregation, paper metrics.
import type { ProfileFields, RewardSpec, Scenario, Transcript } from '../generated/schema-types';
import { turnContext, userTurnIndices } from './context';
import { buildJudgePrompt, METRIC_OF, METRICS, type Judge, type Metric, type MetricValue } from './judge';
import { conceded } from './phrases';
import { isRuleName, scoreRule } from './rules';
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

/** Rule values of every rule component (turn and session level) for the user turn at position k; n/a rules are absent. */
function ruleValues(t: Transcript, k: number, comps: NormalComponent[], scenario: Scenario, profile: ProfileFields): Values {
  const turn = t.turns[k];
  const out = parseOutput(turn.output ?? turn.text);
  const ctx = turnContext(t, k, scenario, profile);
  const values: Values = {};
  for (const c of comps) {
    if (c.kind !== 'rule' || !isRuleName(c.name) || c.name in values) continue;
    const v = scoreRule(c.name, out, ctx, scenario, c.params);
    if (v !== null) values[c.name] = v;
  }
  return values;
}

/** The spec's gate components (`aggregate.gates`, default `[format]`). */
export function gatesOf(spec: RewardSpec): string[] {
  return spec.aggregate?.gates ?? ['format'];
}

/** A gate passes only at its full value: `format` 0.5 (one of the two tags missing) fails it as 0 does. */
export const GATE_PASS = 1;

/** The gates a turn's values fail (below GATE_PASS; an absent value never fails). */
export function failedGates(spec: RewardSpec, values: Record<string, number>): string[] {
  return gatesOf(spec).filter((g) => values[g] !== undefined && values[g] < GATE_PASS);
}

/** A dialogue that did not run to an end of its own (cancelled or errored): it has no total and no termination value. */
export function brokeOff(t: Transcript): boolean {
  return t.end.reason === 'cancelled' || t.end.reason === 'error';
}

/** Judge values that came from a judge: per component, the judge value x of each user turn (or the session). */
type JudgeXs = Map<string, number[]>;

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
    if (c.kind === 'rule') { if (rules[c.name] !== undefined) values[c.name] = rules[c.name]; }
    else if (judged[j]) values[c.name] = judged[j]!.value;
  });
  return values;
}

/** The weighted turn score of a turn's component values (§5.1; 0 when a gate fails), or undefined. */
export function turnScore(spec: RewardSpec, values: Record<string, number>): number | undefined {
  const m = weightedMean(normalizeComponents(spec).filter((c) => c.level === 'turn'), values);
  if (m === undefined) return undefined;
  return failedGates(spec, values).length ? 0 : round6(m);
}

/** Fills turns[].rewards/.score, rewards {turn_mean, session, total} and metrics. Returns a new transcript. */
export async function scoreTranscript(t: Transcript, ctx: ScoreContext): Promise<Transcript> {
  const comps = normalizeComponents(ctx.spec);
  const turnComps = comps.filter((c) => c.level === 'turn');
  const sessionComps = comps.filter((c) => c.level === 'session');
  const users = userTurnIndices(t);
  const out: Transcript = { ...t, turns: t.turns.map((u) => ({ ...u })) };
  const judgeXs: JudgeXs = new Map();
  const noteX = (name: string, x: number) => { const a = judgeXs.get(name) ?? []; a.push(x); judgeXs.set(name, a); };

  // Per user turn: rules now, judges concurrently.
  const perTurn = await Promise.all(users.map(async (k) => {
    const rules = ruleValues(t, k, comps, ctx.scenario, ctx.profile);
    const judged = await Promise.all(turnComps.map((c) => (c.kind === 'judge' ? judgeOne(c, t, ctx, t.turns[k].index) : undefined)));
    return { k, rules, judged };
  }));
  const turnScores: number[] = [];
  const ruleHistory: { rules: Values; gated: boolean }[] = [];
  for (const { k, rules, judged } of perTurn) {
    const values: Values = {};
    turnComps.forEach((c, j) => {
      if (c.kind === 'rule') { if (rules[c.name] !== undefined) values[c.name] = rules[c.name]; }
      else if (judged[j]) { values[c.name] = judged[j]!.value; noteX(c.name, judged[j]!.x); }
    });
    const gated = failedGates(ctx.spec, { ...rules, ...values }).length > 0;
    ruleHistory.push({ rules, gated });
    const turn = out.turns[k];
    turn.rewards = values;
    const m = weightedMean(turnComps, values);
    if (m === undefined) delete turn.score;
    else { turn.score = gated ? 0 : round6(m); turnScores.push(turn.score); }
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
      if (c.name === 'termination' && brokeOff(t)) return; // the user did not end it: nothing to judge
      const vs = ruleHistory.filter((r) => r.rules[c.name] !== undefined).map((r) => (r.gated ? 0 : r.rules[c.name]));
      if (vs.length) session[c.name] = round6(Math.min(...vs));
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
  out.rewards = { turn_mean: turnMean, session };
  if (!brokeOff(t)) out.rewards.total = den > 0 ? round6(num / den) : 0;
  out.metrics = metricsOf(comps, judgeXs, ruleMetrics(t, ctx.scenario, ctx.profile));
  return out;
}

/** A transcript's metric entry; a bare number (transcripts written before metrics carried a source) reads as a judge value. */
export function metricOf(t: Transcript, m: string): MetricValue {
  const v = (t.metrics as Record<string, MetricValue | number | null | undefined>)[m];
  if (typeof v === 'number') return { value: v, source: 'judge' };
  if (v && typeof v === 'object' && typeof v.value === 'number') return { value: v.value, source: v.source ?? null };
  return { value: null, source: null };
}

/** Every metric with no value: {value: null, source: null} ("no judge"). */
export function noMetrics(): Record<Metric, MetricValue> {
  return Object.fromEntries(METRICS.map((m) => [m, { value: null, source: null }])) as Record<Metric, MetricValue>;
}

/** §6: each metric's judge value when a judge scored it, else its rule value, else {value: null, source: null}. */
function metricsOf(comps: NormalComponent[], xs: JudgeXs, rule: Partial<Record<Metric, number>>): Record<Metric, MetricValue> {
  const metrics = noMetrics();
  for (const m of METRICS) if (rule[m] !== undefined) metrics[m] = { value: rule[m]!, source: 'rule' };
  const done = new Set<string>();
  for (const c of comps) {
    const metric = METRIC_OF[c.name] as Metric | undefined;
    const values = xs.get(c.name);
    if (metric && values?.length && !done.has(metric)) { metrics[metric] = { value: round6(mean(values)), source: 'judge' }; done.add(metric); }
  }
  return metrics;
}

/** The target weight in Goal: primary 2, secondary 1. */
export const GOAL_WEIGHTS = { primary: 2, secondary: 1 } as const;

/**
 * §6 metrics rules decide, whatever the spec: Goal (weighted share of targets met), Res (share of
 * tactic turns not conceded), Con (mean plan_reply), Role (mean over user turns of min(voice,
 * no_leak, no_invention)). A metric without any input is absent.
 */
export function ruleMetrics(t: Transcript, scenario: Scenario, profile: ProfileFields): Partial<Record<Metric, number>> {
  const out: Partial<Record<Metric, number>> = {};
  const metAt = new Map((t.targets ?? []).map((x) => [x.id, x.met_at ?? null]));
  let num = 0;
  let den = 0;
  for (const target of scenario.targets) {
    const w = GOAL_WEIGHTS[target.priority ?? 'primary'];
    den += w;
    if ((metAt.get(target.id) ?? null) !== null) num += w;
  }
  if (den > 0) out.Goal = round6(num / den);
  const res: number[] = [];
  const con: number[] = [];
  const role: number[] = [];
  for (const k of userTurnIndices(t)) {
    const turn = t.turns[k];
    const parsed = parseOutput(turn.output ?? turn.text);
    const tc = turnContext(t, k, scenario, profile);
    if (tc.agentTactics.length) res.push(conceded(parsed.answer) ? 0 : 1);
    const pr = scoreRule('plan_reply', parsed, tc, scenario);
    if (pr !== null) con.push(pr);
    role.push(Math.min(scoreRule('voice', parsed, tc, scenario)!, scoreRule('no_leak', parsed, tc, scenario)!, scoreRule('no_invention', parsed, tc, scenario)!));
  }
  if (res.length) out.Res = round6(mean(res));
  if (con.length) out.Con = round6(mean(con));
  if (role.length) out.Role = round6(mean(role));
  return out;
}

/** Spec components a transcript has no value for because no judge answered: shown as "no judge". */
export function unjudged(spec: RewardSpec, t: Transcript): string[] {
  return normalizeComponents(spec)
    .filter((c) => c.kind === 'judge')
    .filter((c) => (c.level === 'session' ? !(c.name in t.rewards.session) : !(c.name in t.rewards.turn_mean)))
    .map((c) => c.name);
}
