// The agenda user's rationale in words a person would write: what the agent is doing, what is
// still open, the plan, how the state moved and why, the tone. The state line keeps the claim
// format of docs/rewards.md §3.5 (`trust 0.50 → 0.40`), so rewards read it.
import type { State, Tactic } from '../generated/schema-types';
import type { SimulatorContext } from '../dialogue/types';
import { STATE_KEYS } from '../model/scenario-defaults';
import { fmt2, humanize, lowerFirst, stripStop } from '../util/text';
import type { CompiledAgenda } from './agenda-model';
import type { Style } from './voice';

const tacticLines = new WeakMap<Tactic, string>();

/** What the agent is doing in its last turn. */
export function intentText(ctx: SimulatorContext, asked: boolean): string {
  if (ctx.tactic) {
    const t = ctx.tactics.find((x) => x.name === ctx.tactic);
    if (!t) return `They are using ${humanize(ctx.tactic)}: a manipulation tactic.`;
    let line = tacticLines.get(t);
    if (line === undefined) tacticLines.set(t, (line = `They are using ${humanize(t.name)}: ${lowerFirst(stripStop(t.description))}.`));
    return line;
  }
  if (!ctx.lastAgentText) return 'Nobody has said anything yet; I start the call.';
  if (ctx.events.includes('agent_repeats')) return 'They are repeating what they already told me.';
  if (asked) return 'They are asking me for information.';
  if (ctx.newlyMet.length) return `They answered me on ${ctx.newlyMet.join(' and ')}.`;
  if (ctx.events.includes('concern_ignored')) return 'They are sticking to their script and did not answer what I asked.';
  return ctx.agentTurns <= 1 ? 'They are opening the call and finding out what I need.' : 'They are working through their procedure.';
}

/** Targets by status, most pressing first: "still waiting on copay (primary, asked twice); not raised yet: pickup-time; answered: refills". */
export function concernsText(ctx: SimulatorContext, sc: CompiledAgenda, pressed: ReadonlySet<string>): string {
  // Each list as text, items joined with ", " (open primary ones before open secondary ones).
  let open1 = '';
  let open2 = '';
  let later = '';
  let hidden = '';
  let met = '';
  for (const t of sc.targets) {
    if ((ctx.targetsMet.get(t.id) ?? null) !== null) met = met ? `${met}, ${t.id}` : t.id;
    else if (t.reveal === 'never') hidden = hidden ? `${hidden}, ${t.id}` : t.id;
    else if (ctx.raised.has(t.id)) {
      const note = pressed.has(t.id) ? t.notes.pressed : t.notes.asked;
      if (t.primary) open1 = open1 ? `${open1}, ${note}` : note;
      else open2 = open2 ? `${open2}, ${note}` : note;
    } else later = later ? `${later}, ${t.notes.later}` : t.notes.later;
  }
  let out = '';
  const add = (part: string) => { out = out ? `${out}; ${part}` : part; };
  if (open1 || open2) add(`still no answer on ${open1 && open2 ? `${open1}, ${open2}` : open1 || open2}`);
  if (later) add(`not raised yet: ${later}`);
  if (hidden) add(`keeping to myself: ${hidden}`);
  if (met) add(`answered: ${met}`);
  if (ctx.tactic) add(`they are pushing me with ${humanize(ctx.tactic)}`);
  else if (ctx.events.includes('concern_ignored')) add('they ignored my last point');
  return out;
}

const REASONS: Record<string, string> = {
  every_turn: 'the call drags on', concern_ignored: 'they ignored my question', agent_repeats: 'they repeat themselves',
};

/** `trust 0.55 → 0.45 (they ignored my question); emotion 0.50 → 0.50; ...` — why each value moved, from this turn's events. */
export function stateText(ctx: SimulatorContext): string {
  const before: State = ctx.stateBefore;
  const after: State = ctx.state;
  const causes = causesOf(ctx.scenario);
  let out = '';
  for (const k of STATE_KEYS) {
    let why = '';
    if (Math.abs(after[k] - before[k]) >= 0.005) {
      // Which of the key's causes happened this turn, as a bit set: the words for each set are written once.
      const c = causes[k];
      if (c.list.length > 30) why = whyOf(c.list.filter((x) => ctx.events.includes(x.on)));
      else {
        let happened = 0;
        for (let i = 0; i < c.list.length; i++) if (ctx.events.includes(c.list[i].on)) happened |= 1 << i;
        why = c.why.get(happened) ?? '';
        if (!c.why.has(happened)) c.why.set(happened, (why = whyOf(c.list.filter((_, i) => happened & (1 << i)))));
      }
    }
    out += `${out ? '; ' : ''}${from(k, before[k])}${two(after[k])}${why}`;
  }
  return out;
}

/** ` (they ignored my question and the call drags on)`: the reasons of the causes that happened, each once; empty when none. */
function whyOf(happened: readonly { reason: string }[]): string {
  const reasons: string[] = [];
  for (const c of happened) if (!reasons.includes(c.reason)) reasons.push(c.reason);
  return reasons.length ? ` (${reasons.join(' and ')})` : '';
}

interface Causes { list: { on: string; reason: string }[]; why: Map<number, string> }
const causeCache = new WeakMap<object, Record<string, Causes>>();
/** Per state key, the events that move it and how to say why (compiled once per scenario). */
function causesOf(scenario: SimulatorContext['scenario']): Record<string, Causes> {
  let c = causeCache.get(scenario);
  if (!c) {
    c = Object.fromEntries(STATE_KEYS.map((k) => [k, { list: (scenario.state?.transitions ?? []).filter((tr) => typeof tr.change[k] === 'number' && tr.change[k] !== 0).map((tr) => ({ on: tr.on, reason: reasonOf(tr.on) })), why: new Map() }]));
    causeCache.set(scenario, c);
  }
  return c;
}

/** 0.00 .. 1.00 as text, from a table (state values are 0..1). */
const TWO = Array.from({ length: 101 }, (_, i) => (i / 100).toFixed(2));
function two(x: number): string {
  return x >= 0 && x <= 1 ? TWO[Math.round(x * 100)] : fmt2(x);
}
/** `trust 0.50 → `, from a table per key. */
const FROM = Object.fromEntries(STATE_KEYS.map((k) => [k, TWO.map((v) => `${k} ${v} → `)])) as Record<string, string[]>;
function from(k: string, x: number): string {
  return x >= 0 && x <= 1 ? FROM[k][Math.round(x * 100)] : `${k} ${fmt2(x)} → `;
}

function reasonOf(event: string): string {
  if (event in REASONS) return REASONS[event];
  if (event.startsWith('tactic:')) return `the ${humanize(event.slice(7))}`;
  if (event.startsWith('target_met:')) return `they answered ${event.slice(11)}`;
  return humanize(event);
}

/** The tone: register, length, how I feel now, my habits. */
export function toneText(st: Style, state: State, firm: boolean): string {
  const parts: string[] = [];
  if (firm) parts.push('firm');
  parts.push(st.register === 'formal' ? 'polite and formal' : st.register === 'casual' ? 'casual' : 'plain');
  if (st.verbosity === 'terse') parts.push('short');
  if (st.verbosity === 'verbose') parts.push('chatty');
  if (state.patience < 0.35) parts.push('running out of patience');
  if (state.trust < 0.35) parts.push('wary');
  if (state.emotion < 0.3) parts.push('irritated');
  else if (state.emotion > 0.7) parts.push('warm');
  return `${parts.join(', ')}${st.quirkText ? `; ${st.quirkText}` : ''}`;
}
