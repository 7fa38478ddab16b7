// Rule components that read the spoken reply (docs/rewards.md §3.10-§3.15): voice, no_leak,
// no_invention, no_copying, no_degenerate, plan_reply. Each returns a number in 0..1, or null when
// it does not apply (n/a: no value, left out of every mean). trainer/rewards/reply.py mirrors it.
import type { Component, Scenario } from '../generated/schema-types';
import type { TurnContext } from './context';
import { RATIONALE_INSTRUCTIONS } from '../rationale';
import { ACCEPT_PHRASES, REFUSE_PHRASES, conceded } from './phrases';
import { blank, contentWordsOf, hasPhrase, lower, tokens, type ParsedOutput } from './text';

type Params = NonNullable<Component['params']>;

// ---- §3.10 voice -------------------------------------------------------------------------------

/** Phrases a service agent or an AI says, never the user (matched as token runs of the answer). */
export const AGENT_VOICE_PHRASES = [
  'how can i help', 'how may i help', 'how can i assist', 'how may i assist', 'what can i do for you', 'what can i help you with',
  'happy to help', 'glad to help', 'happy to assist', 'glad to assist', 'i would be happy to', "i'd be happy to", 'i would be glad to',
  'is there anything else i can', 'anything else i can help', 'anything else i can do for you', 'let me know if you need anything',
  'thank you for calling', 'thanks for calling', 'thank you for contacting', 'thanks for contacting', 'thank you for reaching out',
  'thank you for your patience', 'thank you for choosing', 'apologize for the inconvenience', 'apologise for the inconvenience',
  'sorry for the inconvenience', 'i understand your frustration', 'i understand your concern', 'let me help you', 'i can help you with',
  'feel free to', "don't hesitate to", 'do not hesitate to', 'have a great day', 'your satisfaction', 'valued customer',
  'as an ai', 'as a language model', 'i am an ai', "i'm an ai", 'ai assistant', 'language model', 'virtual assistant',
  'the user', 'as the customer', 'the simulated', 'simulated user',
];

/** The AGENT_VOICE_PHRASES the answer uses. */
export function agentVoicePhrases(answer: string): string[] {
  const tok = tokens(answer);
  return AGENT_VOICE_PHRASES.filter((p) => hasPhrase(tok, p));
}

export function voice(out: ParsedOutput): number {
  return agentVoicePhrases(out.answer).length ? 0 : 1;
}

// ---- §3.11 no_leak -----------------------------------------------------------------------------

const LEAK_RES: RegExp[] = [
  /<\/?(?:think|answer|thinking|reasoning|rationale|scratchpad)(?![a-z0-9_])/,
  /(?:^|[^a-z0-9])(?:agent[ _]intent|concerns|plan|state|tone|rationale|reasoning|thoughts?|thinking|internal monologue)[ \t]*:/,
  /(?:trust|emotion|patience|engagement)[ \t:=]*-?[0-9]+(?:\.[0-9]+)?[ \t]*(?:->|=>|→)/,
];

/** What in the answer gives the rationale away: tags, section labels, state claims; [] when nothing. */
export function leaks(answer: string): string[] {
  const l = lower(answer);
  const found: string[] = [];
  for (const re of LEAK_RES) { const m = re.exec(l); if (m) found.push(m[0].trim()); }
  return found;
}

export function noLeak(out: ParsedOutput): number {
  return leaks(out.answer).length ? 0 : 1;
}

// ---- §3.12 no_invention ------------------------------------------------------------------------

const VALUE_RE = /[0-9]+(?:[.,:][0-9]+)*/g;
export const DATE_WORDS = [
  'january', 'february', 'march', 'april', 'june', 'july', 'august', 'september', 'october', 'november', 'december',
  'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday',
];
/** Sentences: runs without . ! ? or newline, where a dot between digits (49.99) does not end one. */
const SEGMENT_RE = /(?:[^.!?\n]|(?<=[0-9])\.(?=[0-9]))+[.!?\n]*/g;

/** Concrete values of a text: numbers (amounts, times, dates, ids: `[0-9]+([.,:][0-9]+)*`, commas dropped) and month/day names. */
export function concreteValues(s: string): string[] {
  const out: string[] = [];
  for (const m of s.match(VALUE_RE) ?? []) out.push(m.replace(/,/g, ''));
  for (const t of tokens(s)) if (DATE_WORDS.includes(t)) out.push(t);
  return out;
}

/** A number as JavaScript prints it (Python mirrors this). */
function numText(x: number): string {
  return String(x);
}

function profileStrings(v: unknown, out: string[]): void {
  if (typeof v === 'string') out.push(v);
  else if (typeof v === 'number') out.push(numText(v));
  else if (Array.isArray(v)) for (const x of v) profileStrings(x, out);
  else if (v && typeof v === 'object') for (const k of Object.keys(v).sort()) profileStrings((v as Record<string, unknown>)[k], out);
}

/** The texts whose values the user knows: profile, memory, targets (description, say), policy `then`, earlier turns. */
export function knownTexts(ctx: TurnContext, scenario: Scenario): string[] {
  const out: string[] = [];
  profileStrings(ctx.profile ?? {}, out);
  for (const m of scenario.memory ?? []) out.push(m);
  for (const t of scenario.targets) { out.push(t.description); if (t.say) out.push(t.say); }
  for (const p of scenario.decision_policy ?? []) out.push(p.then);
  for (const e of ctx.earlier) out.push(e.text);
  return out;
}

export interface Invented { value: string; answersUnknown: boolean }

/** Values stated in the answer (outside questions) that no known text contains. */
export function inventedValues(answer: string, ctx: TurnContext, scenario: Scenario): Invented[] {
  const known = new Set<string>();
  for (const s of knownTexts(ctx, scenario)) for (const v of concreteValues(s)) known.add(v);
  const unknownWords = (scenario.unknown ?? []).map((u) => contentWordsOf(tokens(u)));
  const seen = new Set<string>();
  const out: Invented[] = [];
  for (const seg of answer.match(SEGMENT_RE) ?? []) {
    if (seg.includes('?')) continue;
    const cw = contentWordsOf(tokens(seg));
    const answersUnknown = unknownWords.some((w) => { for (const x of w) if (cw.has(x)) return true; return false; });
    for (const v of concreteValues(seg)) {
      if (known.has(v) || seen.has(v)) continue;
      seen.add(v);
      out.push({ value: v, answersUnknown });
    }
  }
  return out;
}

export function noInvention(out: ParsedOutput, ctx: TurnContext, scenario: Scenario): number {
  let penalty = 0;
  for (const v of inventedValues(out.answer, ctx, scenario)) penalty += v.answersUnknown ? 1 : 0.5;
  return Math.max(0, 1 - penalty);
}

// ---- §3.13 no_copying --------------------------------------------------------------------------

/** The texts a reply must not copy: target descriptions and done_when, policy `then`, unknown items, the rationale instructions of the system prompt. */
export function copySources(scenario: Scenario): string[] {
  const out: string[] = [];
  for (const t of scenario.targets) { out.push(t.description); if (t.done_when) out.push(t.done_when); }
  for (const p of scenario.decision_policy ?? []) out.push(p.then);
  for (const u of scenario.unknown ?? []) out.push(u);
  out.push(RATIONALE_INSTRUCTIONS);
  return out;
}

function runs(toks: readonly string[], k: number): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + k <= toks.length; i++) out.add(toks.slice(i, i + k).join(' '));
  return out;
}

/** The first copied run (space-joined tokens) of the answer, or undefined. */
export function copiedRun(answer: string, ctx: TurnContext, scenario: Scenario, params: Params): string | undefined {
  const minRun = params.min_run ?? 10;
  const tok = tokens(answer);
  const allowed = scenario.targets.filter((t) => t.say).map((t) => tokens(t.say!));
  for (const src of copySources(scenario)) {
    const st = tokens(src);
    const k = Math.min(minRun, st.length);
    if (k < 5 || tok.length < k) continue;
    const mine = runs(tok, k);
    for (const r of runs(st, k)) {
      if (!mine.has(r)) continue;
      if (allowed.some((a) => hasPhrase(a, r))) continue;
      return r;
    }
  }
  return undefined;
}

export function noCopying(out: ParsedOutput, ctx: TurnContext, scenario: Scenario, params: Params): number {
  return copiedRun(out.answer, ctx, scenario, params) === undefined ? 1 : 0;
}

// ---- §3.14 no_degenerate -----------------------------------------------------------------------

/** Why a reply is degenerate ('empty', 'repeat', 'after_stop'), or undefined. */
export function degenerateKind(answer: string, ctx: TurnContext): 'empty' | 'repeat' | 'after_stop' | undefined {
  const at = answer.indexOf(ctx.stopToken);
  const spoken = at >= 0 ? answer.slice(0, at) : answer;
  if (at >= 0 && tokens(answer.slice(at + ctx.stopToken.length)).length > 0) return 'after_stop';
  if (blank(spoken) || tokens(spoken).length === 0) return 'empty';
  const mine = tokens(spoken).join(' ');
  if (tokens(spoken).length >= 4) {
    for (const e of ctx.earlier) {
      if (e.speaker !== 'user') continue;
      const at2 = e.text.indexOf(ctx.stopToken);
      if (tokens(at2 >= 0 ? e.text.slice(0, at2) : e.text).join(' ') === mine) return 'repeat';
    }
  }
  return undefined;
}

export function noDegenerate(out: ParsedOutput, ctx: TurnContext): number {
  return degenerateKind(out.answer, ctx) === undefined ? 1 : 0;
}

// ---- §3.15 plan_reply --------------------------------------------------------------------------

export type PlanAct = 'accept' | 'refuse' | 'ask' | 'reveal' | 'end' | 'bargain' | 'escalate';
const ACT_WORDS: [string, PlanAct][] = [
  ['accept', 'accept'], ['agree', 'accept'], ['refuse', 'refuse'], ['decline', 'refuse'], ['reject', 'refuse'], ['resist', 'refuse'],
  ['ask', 'ask'], ['clarify', 'ask'], ['reveal', 'reveal'], ['tell', 'reveal'], ['share', 'reveal'], ['explain', 'reveal'], ['raise', 'reveal'],
  ['end', 'end'], ['hang', 'end'], ['leave', 'end'], ['bargain', 'bargain'], ['negotiate', 'bargain'], ['escalate', 'escalate'],
];
const ACT_OF = new Map(ACT_WORDS);
const PLAN_RE = /^[ \t]*(?:[-*][ \t]+|[0-9]+[.)][ \t]+)?(?:\*\*)?plan(?:\*\*)?[ \t]*:/;

/** The act of the rationale's Plan line: the first act word among its first three tokens; undefined when none. */
export function planAct(rationale: string): PlanAct | undefined {
  for (const line of rationale.split('\n')) {
    const l = lower(line);
    const m = PLAN_RE.exec(l);
    if (!m) continue;
    for (const t of tokens(l.slice(m[0].length)).slice(0, 3)) { const a = ACT_OF.get(t); if (a) return a; }
    return undefined;
  }
  return undefined;
}

const YES_WORDS = ['yes', 'yeah', 'yep', 'ok', 'okay', 'sure', 'fine', 'deal', 'agreed', 'alright'];
const NO_WORDS = [...REFUSE_PHRASES, 'nope', 'nah', "isn't", "doesn't", "didn't", "wouldn't", "haven't"];
const QUESTION_OPENERS = ['what', 'whats', 'how', 'when', 'where', 'why', 'which', 'who', 'can', 'could', 'would', 'will', 'is', 'are', 'do', 'does', 'did', 'any', 'should'];
const REQUEST_PHRASES = ["i'd like", 'i just want', 'i only want', 'i would like', 'i should like', 'i want', 'i need', 'please', 'tell me', 'let me know', 'send me', 'give me', 'i must insist', 'i insist'];

/** The reply accepts: an accept phrase (§3.8) or a yes word, and no refusal word. */
export function accepts(answer: string): boolean {
  const tok = tokens(answer);
  const yes = ACCEPT_PHRASES.some((p) => hasPhrase(tok, p)) || YES_WORDS.some((w) => tok.includes(w));
  return yes && !NO_WORDS.some((p) => hasPhrase(tok, p));
}

/** The reply refuses: a refusal word, and no accept phrase. */
export function refuses(answer: string): boolean {
  const tok = tokens(answer);
  return NO_WORDS.some((p) => hasPhrase(tok, p)) && !ACCEPT_PHRASES.some((p) => hasPhrase(tok, p));
}

/** The reply asks or requests: a `?`, a sentence that opens with a question word, or a request phrase. */
export function asks(answer: string): boolean {
  if (answer.includes('?')) return true;
  const tok = tokens(answer);
  if (REQUEST_PHRASES.some((p) => hasPhrase(tok, p))) return true;
  return (answer.match(SEGMENT_RE) ?? []).some((seg) => { const t = tokens(seg); return t.length > 0 && QUESTION_OPENERS.includes(t[0]); });
}

/**
 * 1 when the reply does what the plan's act says, 0 when it contradicts it, null (n/a) without an act:
 * end ⇔ the stop token; any other act with the stop token, or a blank reply, is 0; accept: 0 when the
 * reply refuses; refuse and ask: 0 when it accepts without asking or requesting anything.
 */
export function planReply(out: ParsedOutput, ctx: TurnContext): number | null {
  const act = planAct(out.rationale);
  if (act === undefined) return null;
  const stops = out.answer.includes(ctx.stopToken);
  if (act === 'end') return stops ? 1 : 0;
  if (stops || blank(out.answer)) return 0;
  if (act === 'accept') return refuses(out.answer) ? 0 : 1;
  if (act === 'refuse' || act === 'ask') return accepts(out.answer) && !asks(out.answer) ? 0 : 1;
  return 1;
}
