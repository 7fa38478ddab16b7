// The scenario's rules, evaluated: initial state, transitions, targets met by agent turns,
// decision-policy conditions, hang-up and success conditions. Compiled once per scenario.
import type { Policy, ProfileFields, Scenario, State, Target, Tactic } from '../generated/schema-types';
import { clamp01, contentStems, hasPhrase, humanize, overlap } from '../util/text';
import { STATE_KEYS } from '../model/scenario-defaults';
import { schemaFiles } from '../generated/schemas';

export interface CompiledTarget {
  target: Target;
  /** Lowercased cue phrases (the target's `cues`). */
  cues: string[];
  /** Content-word stems of description, say and cues, for loose matching. */
  stems: Set<string>;
  /** Content-word stems of how the user puts it (description and say). */
  userStems: Set<string>;
  /** What an agent turn must supply to meet the target (see `answerKind`). */
  kind: AnswerKind;
}

export interface CompiledScenario {
  targets: CompiledTarget[];
  policyStems: Map<string, Set<string>>;
  /** The scenario's transitions, each with only the state values it changes. */
  transitions: { on: string; keys: (keyof State)[]; deltas: number[] }[];
  /** A text `when` read once per policy (see `textConditionHolds`). */
  policyText: Map<Policy, PolicyText>;
  /** Memo: target ids an agent text meets. */
  touches: Map<string, ReadonlySet<string>>;
  primary: Target[];
}

const cache = new WeakMap<Scenario, CompiledScenario>();

export function compileScenario(scenario: Scenario): CompiledScenario {
  let c = cache.get(scenario);
  if (!c) {
    c = {
      targets: scenario.targets.map((t) => ({
        target: t,
        cues: (t.cues ?? []).map((x) => x.toLowerCase()).filter(Boolean),
        stems: contentStems(`${t.description} ${t.say ?? ''} ${(t.cues ?? []).join(' ')}`),
        userStems: contentStems(`${t.description} ${t.say ?? ''}`),
        kind: answerKind(t),
      })),
      policyStems: new Map((scenario.decision_policy ?? []).filter((p) => typeof p.when === 'string').map((p) => [p.id, whenStems(p.when as string)])),
      transitions: (scenario.state?.transitions ?? []).map((tr) => {
        const keys = STATE_KEYS.filter((k) => typeof tr.change[k] === 'number');
        return { on: tr.on, keys, deltas: keys.map((k) => tr.change[k] as number) };
      }),
      policyText: new Map((scenario.decision_policy ?? []).filter((p) => typeof p.when === 'string').map((p) => [p, readWhen(p.when as string)])),
      touches: new Map(),
      primary: scenario.targets.filter((t) => (t.priority ?? 'primary') === 'primary'),
    };
    cache.set(scenario, c);
  }
  return c;
}

const WHEN_NOISE = new Set(['agent', 'user', 'custo', 'calle', 'asks', 'says', 'menti', 'talks', 'raise', 'bring']);
function whenStems(when: string): Set<string> {
  return new Set([...contentStems(when)].filter((x) => !WHEN_NOISE.has(x)));
}

export { initialState } from '../model/scenario-defaults';

/** Applies every transition whose event occurred, in the scenario's order, clamping to 0..1. */
export function applyTransitions(scenario: Scenario, state: State, events: readonly string[]): State {
  const out = { ...state };
  if (!scenario.state?.transitions) return out;
  for (const tr of compileScenario(scenario).transitions) {
    if (!events.includes(tr.on)) continue;
    for (let i = 0; i < tr.keys.length; i++) out[tr.keys[i]] = clamp01(out[tr.keys[i]] + tr.deltas[i]);
  }
  return out;
}

/**
 * Whether a text touches a target: one of its cue phrases occurs, or (a target without cues)
 * at least two of its content words do.
 */
export function touchesTarget(lowerText: string, stems: ReadonlySet<string>, t: CompiledTarget): boolean {
  if (t.cues.length) {
    for (const cue of t.cues) if (hasPhrase(lowerText, cue)) return true;
    return false;
  }
  return overlap(stems, t.stems) >= Math.min(2, t.stems.size);
}

/**
 * What a target asks the agent for, read from its description, `done_when`, `say` and id:
 * `amount` (a price, fee, cost, refund amount), `time` (when, a date, a day, how soon), `term` (a
 * contract length or commitment), `count` (how many), `yesno` (whether, can I, confirm that),
 * `action` (something done for the user: a refund issued, a booking made), `info` (anything else).
 */
export type AnswerKind = 'amount' | 'time' | 'term' | 'count' | 'yesno' | 'action' | 'info';

const K_COUNT = /\bhow many\b|\bnumber of (?:options|items|ways|days|people)\b/;
const K_TERM = /\b(?:contract|tied in|tie-in|lock(?:ed)?[- ]in|commitment|minimum term|agreement length|term length|how long (?:is|am|would|will) (?:i|she|he|the)\b[^.?]*\b(?:tied|locked|committed|contract)|cancel(?:ling|ing)? early|leaving early|early termination)\b/;
const K_TIME = /\b(?:when|what time|which day|what day|date|dates|day|deadline|how soon|how long (?:until|before|will|does|would)|appointment time|time slot|arrival|arrive|delivery time|start date|until when|by when|schedule|timeline|turnaround|ready by|business days)\b/;
const K_AMOUNT = /\b(?:price|prices|cost|costs|costing|fee|fees|charge|charges|copay|co-pay|premium|rate|total|amount|how much|bill|balance|salary|pay range|deposit|penalty|fine|discount|savings|save|saves|refund amount|excess|deductible|monthly|per month|a month|budget|afford|spend|pay more|paying more|interest)\b|[$€£]\s?\d/;
const K_LEARN = /^(?:find out|learn|know|understand|discover|establish|determine|figure out|work out|clarify|ask|hear|see|get (?:a|the) (?:quote|figure|number|price|total|breakdown|amount))\b|^(?:what|how|which|when)\b|\b(?:how much|what (?:the|it|they|would|will)|the (?:total|price|cost|fee|amount|copay|premium|salary|rate))\b/;
const K_YESNO = /^(?:confirm|verify|make sure|be sure|ensure|check|double-check|ask whether|ask if|find out whether|find out if|know whether|know if|keep)\b|\b(?:whether|if (?:the|my|it|she|he|i|they)|can (?:i|she|he|they) |is it |are they |does it |will it )/;
const K_ACTION = /^(?:get|have|receive|obtain|secure|book|schedule|reschedule|arrange|cancel|return|exchange|refund|replace|repair|fix|change|modify|update|move|transfer|switch|renew|extend|waive|remove|add|create|mark|delete|open|close|set up|sign up|order|request|send|report|dispute|resolve|stop|pause|reduce|lower|upgrade|downgrade|claim|apply|rebook)\b|\b(?:wants?|needs?|would like|'d like|wish(?:es)? to) (?:to )?(?:get|have|receive|book|cancel|return|exchange|refund|replace|change|modify|update|move|transfer|switch|waive|remove|add|create|mark|delete|set up|order|rebook|reschedule)\b/;

/** The kind of answer a target asks for (see `AnswerKind`). */
export function answerKind(t: Target): AnswerKind {
  const desc = t.description.trim().toLowerCase().replace(/^(?:the (?:customer|caller|user)|(?:s?he|i|you)) (?:wants?|needs?|would like|'d like|hopes?|wish(?:es)?) to /, '');
  const all = `${desc} ${(t.done_when ?? '').toLowerCase()} ${(t.say ?? '').toLowerCase()} ${t.id.replace(/[-_]/g, ' ')}`;
  if (K_COUNT.test(all)) return 'count';
  if (K_TERM.test(all)) return 'term';
  const learn = K_LEARN.test(desc) || /\?\s*$/.test(t.say ?? '');
  if (/^(?:do not|don't|never|not|avoid|stay under|keep\b[^.;]*\b(?:under|below))\b/.test(desc) && K_AMOUNT.test(all)) return 'amount';
  if (/\bwhy\b/.test(desc)) return 'info';
  // `done_when` says what the agent must give, when it names it.
  const done = (t.done_when ?? '').toLowerCase();
  if (/\b(?:figure|price|cost|amount|premium|fee|how much|total)\b/.test(done) && !/\bconfirms?\b/.test(done)) return 'amount';
  if (/\b(?:date|day|time|when|within|timeline)\b/.test(done)) return 'time';
  if (/\bconfirms?\b/.test(done)) return 'yesno';
  const ask = learn || /^(?:confirm|verify|check|double-check)\b/.test(desc);
  if (ask && K_TIME.test(desc) && !/\bhow much\b/.test(desc)) return 'time';
  if (learn && K_AMOUNT.test(all)) return 'amount';
  if (/\bhow much\b/.test(all)) return 'amount';
  if (K_YESNO.test(desc)) return 'yesno';
  if (K_ACTION.test(desc)) return 'action';
  if (K_TIME.test(desc)) return 'time';
  if (K_AMOUNT.test(desc)) return 'amount';
  return 'info';
}

// What supplies each kind of answer.
const NUMBER_WORDS = '(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|sixty|ninety|a|an|a single)';
const S_AMOUNT = /[$€£]\s?\d|\b\d[\d,]*(?:\.\d+)?\s+(?:a|per|each)\s+(?:month|year|week)|\b\d[\d,]*(?:\.\d+)?\s*(?:dollars?|euros?|pounds?|cents|usd|eur|gbp|percent|%)|\b\d[\d,]*\.\d\d\b|\b(?:free|no charge|no cost|at no cost|nothing extra|no extra|no fee|no fees|waived|costs? nothing|zero|fully covered|covered in full|no copay|no deductible|waive|waiving)\b|\b\d[\d,.]*\s*(?:gb|mb|tb|gigs?|kg|lbs?|mg|ml|units?|miles?|km|points?|credits?|minutes|texts)\b/;
const MONTHS = 'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';
const S_TIME = new RegExp(`\\b\\d{1,2}(?::\\d\\d)?\\s*(?:am|pm|a\\.m\\.|p\\.m\\.)|\\b\\d{1,2}:\\d\\d\\b|\\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\\b|\\b(?:${MONTHS})\\s+\\d|\\b\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?(?:${MONTHS})\\b|\\b\\d{1,2}/\\d{1,2}\\b|\\b\\d{4}-\\d\\d-\\d\\d\\b|\\b(?:today|tomorrow|tonight|this (?:morning|afternoon|evening|week|weekend)|next (?:week|month|day)|end of (?:the )?(?:day|week|month)|right away|immediately|same day|overnight|noon|midnight)\\b|\\b(?:within|in|after|for)\\s+(?:\\d+|${NUMBER_WORDS})(?:\\s*(?:-|to)\\s*\\d+)?\\s+(?:business\\s+|working\\s+)?(?:minutes?|hours?|days?|weeks?|months?)\\b|\\b\\d+(?:\\s*(?:-|to)\\s*\\d+)?\\s+(?:business|working)\\s+days\\b|\\b(?:by|on|before|until)\\s+the\\s+\\d{1,2}(?:st|nd|rd|th)\\b`, 'i');
const S_TERM = new RegExp(`\\b(?:\\d+|${NUMBER_WORDS})[- ](?:months?|years?|weeks?|days?)\\b|\\b(?:no contract|no minimum term|month[- ]to[- ]month|no commitment|cancel any ?time|no lock-?in|rolling (?:monthly )?contract|no early termination fee)\\b`, 'i');
const S_COUNT = new RegExp(`\\b\\d+\\b|\\b(?:${NUMBER_WORDS}|none|no)\\b`, 'i');
const S_YESNO = /\b(?:yes|yeah|yep|no|nope|correct|that's right|absolutely|certainly|definitely|of course|confirmed|you can|you can't|you cannot|you will|you won't|you'll|you do|you don't|you are|you're|you aren't|it is|it's|it isn't|it does|it doesn't|it will|it won't|they are|they're|they will|there is|there's|there are|there isn't|is included|are included|is not|isn't|are not|aren't|does not|doesn't|will not|won't|stays|stay the same|remains|unchanged|not required|optional)\b/;
const S_ACTION = /\b(?:done|i've|we've|i have|we have|has been|have been|is now|are now|will be|i will|i'll|we will|we'll|you'll (?:get|receive|have|see)|you will (?:get|receive|have|see)|confirmed|processed|issued|booked|scheduled|cancell?ed|refunded|sent|emailed|created|updated|arranged|approved|exchanged|returned|changed|modified|added|removed|waived|marked|set up|all set|no problem|of course|absolutely|yes|sure|you can|you qualify|you're eligible|you are eligible|you get|you'll get)\b|\b(?:i|we) can (?!check|look|see|help|walk|go over|explain|find|only|try|ask)\w+/;

/** Sentences that answer nothing: a promise to look, a restatement of what the user wants, a question back. */
const DEFERRAL = /^(?:(?:sure|okay|ok|right|of course|certainly|absolutely|great|good question|i see|understood|got it|no problem)[,.!]?\s*)*(?:let me|let's|allow me|i'll (?:check|look|see|walk|go over|find|get back|double-check|confirm|explain|need|have to|be happy|gladly)|i will (?:check|look|see|walk|go over|find|get back|double-check|confirm|explain)|i'd be happy|i can (?:check|look|help|walk|go over|explain|find)|i understand (?:you|that you)|you (?:said|mentioned|asked|told me|would like|'d like|want|wanted|need|are asking|'re asking)|as you (?:said|asked|mentioned)|i hear you|we'll (?:get to|come to|cover|go over)|we can (?:go over|look|discuss)|before (?:we|agreeing|anything|i)|first,? (?:i|let|we)|one moment|just a moment|bear with me|hold on|please hold|i'm (?:checking|looking|going to check|pulling))\b/;

const CONDITION_ON_USER = /\b(?:if|unless|once|as soon as|when) you(?:'d| would| could)?\b[^,.!?;]*/g;

const informativeCache = new Map<string, string>();
/** The sentences of an agent turn that can answer something: no promise to look, no restatement, no question back. */
export function informativePart(lowerText: string): string {
  let out = informativeCache.get(lowerText);
  if (out === undefined) {
    // Quoted words are someone else's (often the user's own request read back), never the agent's answer;
    // a condition on the user ("if you returned the favour", "once you sign") says what the user might do, not what was done.
    out = lowerText.replace(/["“][^"”]*["”]/g, ' ').replace(CONDITION_ON_USER, ' ').split(/(?<=[.!?])\s+|\n+/).filter((s) => s.trim() && !s.trim().endsWith('?') && !DEFERRAL.test(s.trim())).join(' ');
    if (informativeCache.size >= 2000) informativeCache.clear();
    informativeCache.set(lowerText, out);
  }
  return out;
}

/** Whether an agent's words (lowercased, informative part only) supply an answer of this kind. */
export function supplies(kind: AnswerKind, informative: string): boolean {
  if (!informative) return false;
  switch (kind) {
    case 'amount': return S_AMOUNT.test(informative);
    case 'time': return S_TIME.test(informative);
    case 'term': return S_TERM.test(informative);
    case 'count': return S_COUNT.test(informative);
    case 'yesno': return S_YESNO.test(informative) || S_ACTION.test(informative);
    case 'action': return S_ACTION.test(informative);
    default: return informative.split(/\s+/).length >= 4;
  }
}

/**
 * Whether an agent turn meets a target: it talks about the target (a cue, or two of its words)
 * in a sentence that is not a promise to look or a restatement, and it supplies what the target
 * asks for (an amount for a price, a time or date for "when", the term for a contract question,
 * an explicit yes or no, an action done). An echo ("I'll walk you through the exact copay") is
 * not an answer.
 */
export function meetsTarget(lowerText: string, t: CompiledTarget): boolean {
  const info = informativePart(lowerText);
  if (!info) return false;
  const stems = contentStems(info);
  // The subject may be named in a lead-in ("Let me check the copay. It's $10."): the whole turn
  // must touch the target, and the informative part must touch it or supply the answer beside it.
  if (!touchesTarget(info, stems, t) && !touchesTarget(lowerText, contentStems(lowerText), t)) return false;
  return supplies(t.kind, info);
}

/** The ids of the targets an agent turn meets (memoised per scenario: scripted lines repeat across dialogues). */
export function targetsMetBy(c: CompiledScenario, text: string): ReadonlySet<string> {
  let hit = c.touches.get(text);
  if (!hit) {
    const lower = text.toLowerCase();
    const met = new Set<string>();
    for (const t of c.targets) if (meetsTarget(lower, t)) met.add(t.target.id);
    hit = met;
    if (c.touches.size >= 1000) c.touches.clear();
    c.touches.set(text, hit);
  }
  return hit;
}

/** The ids of the targets a user's text raises: it shares two content words with the target's description or `say`. */
export function targetsRaised(c: CompiledScenario, text: string): string[] {
  const stems = contentStems(text);
  return c.targets.filter((t) => t.userStems.size > 0 && overlap(stems, t.userStems) >= Math.min(2, t.userStems.size)).map((t) => t.target.id);
}

/** `< 0.3`, `>= 6`, `== 1`, or a bare number (equality). Unreadable comparisons never hold. */
const comparisons = new Map<string, [string | undefined, number] | null>();

export function compare(value: number, cmp: string | number): boolean {
  if (typeof cmp === 'number') return value === cmp;
  let parsed = comparisons.get(cmp);
  if (parsed === undefined) {
    const m = /^\s*(<=|>=|==|!=|<|>|=)?\s*(-?\d*\.?\d+)\s*$/.exec(cmp);
    parsed = m ? [m[1], Number(m[2])] : null;
    if (comparisons.size < 1000) comparisons.set(cmp, parsed);
  }
  if (!parsed) return false;
  const x = parsed[1];
  switch (parsed[0]) {
    case '<': return value < x;
    case '<=': return value <= x;
    case '>': return value > x;
    case '>=': return value >= x;
    case '!=': return value !== x;
    default: return Math.abs(value - x) < 1e-9;
  }
}

export interface PolicyInputs {
  state: State;
  tactic?: string;
  targetsMet: ReadonlyMap<string, number | null>;
  /** 1-based number of the user turn being decided. */
  userTurn: number;
  lastAgentStems: ReadonlySet<string>;
  tactics: readonly Tactic[];
}

const LOW_HIGH = /\b(trust|emotion|patience|engagement)\b[^.;]*?\b(low|high|drops?|falls?|runs? out|rises?)\b/i;
const MANIPULATION = /\b(pressur|manipulat|trick|push|tactic|rush|urgen|deadline|scare|threat)/i;

/** A text `when`, lowercased, with what does not depend on the turn: whether it speaks of manipulation, and the state value it names as low or high. */
interface PolicyText { lower: string; manipulation: boolean; level?: { key: keyof State; low: boolean } }

function readWhen(when: string): PolicyText {
  const lower = when.toLowerCase();
  const m = LOW_HIGH.exec(when);
  return { lower, manipulation: MANIPULATION.test(lower), level: m ? { key: m[1].toLowerCase() as keyof State, low: /low|drop|fall|out/i.test(m[2]) } : undefined };
}

/** Whether a text `when` holds, matched loosely: tactic mentions, state words, or shared content words with the agent's turn. */
function textConditionHolds(w: PolicyText, stems: ReadonlySet<string> | undefined, inp: PolicyInputs): boolean {
  const lw = w.lower;
  if (inp.tactic) {
    if (w.manipulation || lw.includes(humanize(inp.tactic)) || lw.includes(inp.tactic)) return true;
  }
  if (w.level) {
    const v = inp.state[w.level.key];
    return w.level.low ? v < 0.35 : v > 0.7;
  }
  if (w.manipulation) return false;
  return stems !== undefined && stems.size > 0 && overlap(stems, inp.lastAgentStems) >= Math.min(2, Math.ceil(stems.size / 2));
}

/** The decision policies whose condition holds now (structured: every part; text: loosely). */
export function firedPolicies(scenario: Scenario, inp: PolicyInputs): Policy[] {
  const policies = scenario.decision_policy;
  if (!policies?.length) return [];
  const compiled = compileScenario(scenario);
  const out: Policy[] = [];
  for (const p of policies) {
    let holds: boolean;
    if (typeof p.when === 'string') {
      holds = textConditionHolds(compiled.policyText.get(p) ?? readWhen(p.when), compiled.policyStems.get(p.id), inp);
    } else {
      const c = p.when;
      holds = true;
      if (c.tactic !== undefined) holds &&= inp.tactic === c.tactic || (c.tactic === 'any' && inp.tactic !== undefined);
      if (c.state) for (const k of STATE_KEYS) if (c.state[k] !== undefined) holds &&= compare(inp.state[k], c.state[k] as string);
      if (c.target_unmet !== undefined) holds &&= (inp.targetsMet.get(c.target_unmet) ?? null) === null;
      if (c.target_met !== undefined) holds &&= (inp.targetsMet.get(c.target_met) ?? null) !== null;
      if (c.turn !== undefined) holds &&= compare(inp.userTurn, c.turn);
      holds &&= hasOwnKeys(c);
    }
    if (holds) out.push(p);
  }
  return out;
}

/** `Object.keys(o).length > 0`, without the array. */
function hasOwnKeys(o: object): boolean {
  for (const k in o) if (Object.prototype.hasOwnProperty.call(o, k)) return true;
  return false;
}

/** Why the user hangs up now (e.g. `patience 0.10 below 0.20`), or undefined. */
export function hangUpReason(scenario: Scenario, state: State): string | undefined {
  const h = scenario.termination?.hang_up_when;
  if (!h) return undefined;
  if (h.patience_below !== undefined && state.patience < h.patience_below) return `patience ${state.patience.toFixed(2)} below ${h.patience_below}`;
  if (h.trust_below !== undefined && state.trust < h.trust_below) return `trust ${state.trust.toFixed(2)} below ${h.trust_below}`;
  return undefined;
}

/** Whether the success condition holds (`success_when`, or all primary targets when `orDefault`). */
export function successHolds(scenario: Scenario, targetsMet: ReadonlyMap<string, number | null>, orDefault = false): boolean {
  const rule = scenario.termination?.success_when ?? (orDefault ? 'all_primary_targets_met' : undefined);
  if (!rule) return false;
  const c = compileScenario(scenario);
  const relevant = rule === 'all_targets_met' ? scenario.targets : c.primary;
  if (!relevant.length) return false;
  for (const t of relevant) if ((targetsMet.get(t.id) ?? null) === null) return false;
  return true;
}

const termProps = schemaFiles.scenario.properties.termination.properties;
/** τ²-bench's other end tokens, beside the stop token: the user was handed to a human, or the conversation left what the scenario covers. */
export const DEFAULT_TRANSFER_TOKEN: string = termProps.transfer_token.default;
export const DEFAULT_OUT_OF_SCOPE_TOKEN: string = termProps.out_of_scope_token.default;

/** The end token in a user's answer other than the stop token, and the end reason it gives, or undefined. */
export function endTokenIn(scenario: Scenario, answer: string): { token: string; reason: 'transfer' | 'out_of_scope' } | undefined {
  if (!answer.includes('###')) return undefined;
  const t = scenario.termination;
  const transfer = t?.transfer_token ?? DEFAULT_TRANSFER_TOKEN;
  if (answer.includes(transfer)) return { token: transfer, reason: 'transfer' };
  const out = t?.out_of_scope_token ?? DEFAULT_OUT_OF_SCOPE_TOKEN;
  if (answer.includes(out)) return { token: out, reason: 'out_of_scope' };
  return undefined;
}
