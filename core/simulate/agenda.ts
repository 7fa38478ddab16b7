// The built-in `agenda` user simulator (no model, no key, deterministic for a seed). After
// Schatzmann's agenda-based user: the scenario's targets form the agenda (upfront ones first,
// `when_asked` ones when the agent's words touch them or once the earlier ones are dealt with,
// `never` ones only steer); the agent's last turn pushes or pops moves (a question is answered
// from `memory`, never from `unknown`; a tactic is refused; a met target is acknowledged);
// decision policies and the state (after the scenario's transitions) pick the plan; the profile
// shapes the words. It writes the same five-section rationale a model would.
import type { Scenario, Target } from '../generated/schema-types';
import { terminationOf } from '../model/scenario-defaults';
import { formatRationale, formatStateLine, formatUserOutput } from '../rationale/index';
import { hangUpReason, successHolds } from '../dialogue/rules';
import type { ResolvedProfile, SimulatorContext, UserSimulator, UserTurnOutput } from '../dialogue/types';
import { createRng, hashString, type Rng } from '../util/rng';
import { contentStems, firstPerson, humanize, lowerFirst, overlap, sentence, stripStop, upperFirst, words } from '../util/text';
import * as P from './phrases';
import { VERBS, phraseTarget } from './target-phrasing';

interface Fact { text: string; stems: Set<string> }
/**
 * A target as the user speaks about it: `goal` raises it (its `say`), `ask` asks for it again (the
 * part of `say` that is the request, shortened), `topic` names it briefly ("the salary range",
 * from its id; absent when the id is not a noun phrase). The description is never said aloud.
 */
interface AgendaTarget { t: Target; id: string; primary: boolean; reveal: 'upfront' | 'when_asked' | 'never'; goal: string; ask: string; topic?: string; stems: Set<string>; label: string }
interface CompiledAgenda { targets: AgendaTarget[]; memory: Fact[]; unknown: Fact[] }
interface Style { register: P.Register; verbosity: 'terse' | 'standard' | 'verbose'; phrases: string[]; quirks: Set<string>; quirkTone: string; self: Fact[] }
/** Per dialogue. `facts`: the scenario's memory, then the profile's own facts; `stated` indexes it. `said`: the user's sentences so far (normalized). */
interface Memo { rng: Rng; used: Map<string, number[]>; stated: Set<number>; lastPhrase: number; prevPolicies: string[]; lastAside: number; said: Set<string>; facts: Fact[]; pressed: Set<string>; phraseAt: Map<number, number> }
/** What the turn does, so that typical phrases and asides fit it. */
type Mood = 'end' | 'resist' | 'refuse' | 'press' | 'ack' | 'raise' | 'answer' | 'other';

const compiledAgendas = new WeakMap<Scenario, CompiledAgenda>();
const styles = new WeakMap<object, Style>();

const LEAD_IN = /^(?:(?:hi|hello|hey|okay|ok|so|and|also|plus|well|sorry|look|right|but|oh|now|dear|because|before (?:we go any further|anything else))\b[,!.]?\s*)+/i;
const QUESTION_START = /^(?:what|whats|what's|how|when|where|who|which|why|is|are|do|does|did|can|could|will|would|am|should)\b/i;

/** The request in a target's `say`, shortened for asking again: the clause that shares most with the description, questions first. */
function askOf(t: Target, goal: string): string {
  const desc = contentStems(t.description);
  let best = '';
  let bestScore = -1;
  for (const sent of goal.split(/(?<=[.!?])\s+/)) {
    const q = sent.trim().endsWith('?');
    // A question whole (lead-ins dropped) or one of its clauses, a statement's clause; a clause that starts a question wins.
    for (const chunk of q ? [stripStop(sent).replace(LEAD_IN, ''), ...sent.split(/,\s+/)] : sent.split(/,\s+/)) {
      const c = stripStop(chunk).replace(LEAD_IN, '').trim();
      if (c.split(/\s+/).length < 3) continue;
      const score = (q || QUESTION_START.test(c) ? 10 : 0) + (QUESTION_START.test(c) ? 5 : 0) + overlap(contentStems(c), desc);
      if (score > bestScore) { best = upperFirst(c) + (q || QUESTION_START.test(c) ? '?' : '.'); bestScore = score; }
    }
  }
  return best || goal;
}

const NOT_NOUN = new Set(['no', 'not', 'add', 'keep', 'explain', 'verify', 'demand', 'call', 'hang', 'offer', 'accept', 'agree', 'mention', 'to', 'with', 'for', 'of']);
/** A short noun phrase for a target from its id (`salary-range` → `the salary range`), or undefined. */
function topicOf(id: string): string | undefined {
  const ws = id.toLowerCase().split(/[-_\s]+/).filter(Boolean);
  if (!ws.length || ws.length > 4 || VERBS.has(ws[0]) || ws.some((w) => NOT_NOUN.has(w) || !/^[a-z]+$/.test(w))) return undefined;
  return `the ${ws.join(' ').replace(/^all in\b/, 'all-in')}`;
}

/** A profile's own facts in the first person: occupation, background, life scenarios. */
function selfFacts(profile: ResolvedProfile): Fact[] {
  const out: string[] = [];
  const occ = profile.demographics?.occupation?.replace(/\s*\([^)]*\)/g, '').trim();
  if (occ) out.push(`I'm ${/^[aeiou]/i.test(occ) ? 'an' : 'a'} ${occ}.`);
  for (const text of [profile.background ?? '', ...(profile.life_scenarios ?? [])]) {
    for (const sent of text.split(/(?<=[.!?])\s+/)) if (sent.trim()) out.push(sentence(ownWords(sent.trim())));
  }
  // The occupation answers "what do you do for work?" too.
  return out.map((text, i) => ({ text, stems: i === 0 && occ ? contentStems(`${text} work job occupation profession career`) : contentStems(text) }));
}

const ELIDED_IRREGULAR = /^(?:lost|fell|hit|got|had|has|is|was|keeps|runs|owns|works|pays|gets)$/i;
/** A profile sentence in the user's words: "Works remotely and tethers his laptop" → "I work remotely and tether my laptop". */
function ownWords(s: string): string {
  const first = /^([A-Za-z]+)(,?)/.exec(s);
  const w = first?.[1] ?? '';
  const elided = !!first && (/^[A-Z][a-z]+(?:s|ed)$/.test(w) || ELIDED_IRREGULAR.test(w) || /^[A-Z][a-z]+ing$/.test(w)) && !/^(?:his|her|this|news|always|perhaps|ss)$/i.test(w);
  if (!elided) return firstPerson(s);
  const verb = (v: string) => firstPerson(`he ${v}`).replace(/^I\s+/, '');
  let out = /ing$/.test(w) ? `I'm ${lowerFirst(s)}` : first[2] ? `I'm ${lowerFirst(s)}` : `I ${verb(w.toLowerCase())}${s.slice(w.length)}`;
  out = out.replace(/(,\s+|\band\s+|\bbut\s+|;\s+)([a-z]+)\b/g, (m, sep: string, v: string) => (/^(?:has|is|was|does)$/.test(v) || (/[^su]s$/.test(v) && v.length > 3) ? `${sep}${verb(v)}` : m));
  return firstPerson(out);
}

/** How the user raises a target: its `say`, else its description rewritten in the user's words. */
function goalSentence(t: Target): string {
  if (t.say) return sentence(t.say.trim().replace(/^(?:hi|hello|hey)\b[,!.]?\s*/i, '').replace(/^(?:and|also|plus)\b[,]?\s*/i, ''));
  return phraseTarget(t).user;
}

function compile(scenario: Scenario): CompiledAgenda {
  let c = compiledAgendas.get(scenario);
  if (!c) {
    c = {
      targets: scenario.targets.map((t) => ({
        t, id: t.id, primary: (t.priority ?? 'primary') === 'primary', reveal: t.reveal ?? 'upfront',
        goal: goalSentence(t), ask: t.say ? askOf(t, goalSentence(t)) : phraseTarget(t).ask, topic: topicOf(t.id) ?? (t.say ? undefined : phraseTarget(t).topic), label: `${t.id} (${(t.priority ?? 'primary') === 'primary' ? 'primary' : 'secondary'}, `,
        // Without cues, the words of `done_when` tell too when the agent talks about the target.
        stems: t.cues?.length ? contentStems(`${t.description} ${t.say ?? ''} ${t.cues.join(' ')}`) : new Set([...contentStems(`${firstPerson(t.description)} ${t.say ?? ''}`), ...phraseTarget(t).cueStems]),
      })).sort((a, b) => Number(b.primary && b.reveal === 'upfront') - Number(a.primary && a.reveal === 'upfront')),
      memory: (scenario.memory ?? []).map((text) => ({ text: firstPerson(text), stems: contentStems(text) })),
      unknown: (scenario.unknown ?? []).map((text) => ({ text, stems: contentStems(text) })),
    };
    compiledAgendas.set(scenario, c);
  }
  return c;
}

function styleOf(profile: ResolvedProfile): Style {
  let s = styles.get(profile);
  if (!s) {
    const e = profile.expression ?? {};
    s = {
      register: e.formality ?? 'neutral',
      verbosity: e.verbosity ?? 'standard',
      phrases: (e.typical_phrases ?? []).filter((x) => x.trim()),
      quirks: new Set((e.quirks ?? []).map((q) => q.toLowerCase().replace(/[\s-]+/g, '_'))),
      quirkTone: (e.quirks ?? []).length ? `with my usual ${(e.quirks ?? []).join(', ').replace(/_/g, ' ')}` : '',
      self: selfFacts(profile),
    };
    styles.set(profile, s);
  }
  return s;
}

/** Picks the least-used line of a bank (ties broken by the seeded RNG), so lines rarely repeat. */
function pick(memo: Memo, key: string, lines: readonly string[]): string {
  let counts = memo.used.get(key);
  if (!counts || counts.length < lines.length) {
    counts = new Array<number>(lines.length).fill(0);
    memo.used.set(key, counts);
  }
  let min = Infinity;
  for (let i = 0; i < lines.length; i++) if (counts[i] < min) min = counts[i];
  const start = memo.rng.int(lines.length);
  for (let k = 0; k < lines.length; k++) {
    const i = (start + k) % lines.length;
    if (counts[i] === min) {
      counts[i]++;
      return lines[i];
    }
  }
  return lines[start];
}

const shortHalves = new WeakMap<readonly string[], readonly string[]>();
/** The shorter half of a bank's lines (terse speakers). */
function shortHalf(lines: readonly string[]): readonly string[] {
  let h = shortHalves.get(lines);
  if (!h) {
    const sorted = [...lines].sort((a, b) => a.length - b.length);
    h = sorted.slice(0, Math.max(1, Math.ceil(sorted.length / 2)));
    shortHalves.set(lines, h);
  }
  return h;
}

function fill(line: string, slots: Record<string, string>): string {
  const out = line.replace(/\{(\w+)\}/g, (m, k: string) => (k in slots ? slots[k] : m));
  return upperFirst(out.replace(/([.!?]\s+)([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase()));
}

const INFO_REQUEST = /\b(what|which|when|where|how (much|many|long|old)|could you (confirm|tell|give|provide)|can you (confirm|tell|give|provide)|do you (know|remember)|may i (have|ask)|please (confirm|provide|state))\b/i;
const TELL_ME = /\b(tell me (a (little|bit) )?about|describe|walk me through|anything about yourself)\b/i;
const IDENTITY = /\b(am i speaking (with|to)|is this|are you|speaking with|talking (to|with))\b/i;

const POLITE_REQUEST = /\b(?:(?:could|can|would) you (?:tell|confirm|give|share|describe|walk)|please (?:confirm|provide|state|tell)|tell me (?:a (?:little|bit) )?about)\b/i;
const ABOUT_ME = /\b(?:you|your|yourself)\b/i;

/** The question sentences of a text: those ending in `?`, and requests like "Could you tell me ...". */
function questionsOf(text: string): string {
  if (!text.includes('?') && !POLITE_REQUEST.test(text)) return '';
  return text.split(/(?<=[.!?])\s+/).filter((s) => s.endsWith('?') || POLITE_REQUEST.test(s)).join(' ');
}

/** A sentence reduced for comparing: lowercase letters, digits and spaces. */
function norm(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9$ ]+/g, '').replace(/\s+/g, ' ').trim();
}

const sentenceCache = new Map<string, string[]>();
/** The sentences of a text worth comparing for repeats (three words or more), normalized. Cached: treat as read-only. */
export function sentencesOf(text: string): string[] {
  let out = sentenceCache.get(text);
  if (!out) {
    out = text.split(/(?<=[.!?])\s+/).map(norm).filter((x) => x.split(' ').length >= 3);
    if (sentenceCache.size >= 5000) sentenceCache.clear();
    sentenceCache.set(text, out);
  }
  return out;
}

const NONE: Record<string, string> = Object.freeze({}) as Record<string, string>;
const OPTIONAL_SLOTS = ['topic', 'ask', 'amount', 'tactic', 'goal', 'fact'];
const pools = new WeakMap<readonly string[], Map<string, readonly string[]>>();
/** The lines of a bank whose slots all have a value (cached per bank and set of empty slots); if none, those without {topic} or {amount}. */
function usableLines(lines: readonly string[], sl: Record<string, string>): readonly string[] {
  let mask = '';
  for (const k of OPTIONAL_SLOTS) mask += sl[k] ? '1' : '0';
  let byMask = pools.get(lines);
  if (!byMask) pools.set(lines, (byMask = new Map()));
  let pool = byMask.get(mask);
  if (!pool) {
    const usable = lines.filter((l) => slotsIn(l).every((k) => sl[k] !== ''));
    pool = usable.length === lines.length ? lines : usable.length ? usable : lines.filter((l) => !/\{(?:topic|amount)\}/.test(l));
    byMask.set(mask, pool);
  }
  return pool;
}

const slotCache = new Map<string, string[]>();
/** The slot names of a bank line (`{topic}` → `topic`). */
function slotsIn(line: string): string[] {
  let out = slotCache.get(line);
  if (!out) {
    out = [...line.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    slotCache.set(line, out);
  }
  return out;
}

const AMOUNT = /[$€£]\s?\d[\d,]*(?:\.\d+)?/;

interface AgentReading { questions: string; questionStems: Set<string>; aboutMe: boolean; tellMe: boolean; amount: string }
const readings = new Map<string, AgentReading>();
/** What the user hears in an agent turn: its questions, whether they are about me, the first amount. Cached (agent lines recur). */
function readAgent(text: string): AgentReading {
  let r = readings.get(text);
  if (!r) {
    const questions = questionsOf(text);
    const aboutMe = !!questions && ABOUT_ME.test(questions);
    r = { questions, questionStems: contentStems(questions), aboutMe, tellMe: aboutMe && TELL_ME.test(questions), amount: AMOUNT.exec(text)?.[0] ?? '' };
    if (readings.size >= 2000) readings.clear();
    readings.set(text, r);
  }
  return r;
}

export class AgendaSimulator implements UserSimulator {
  readonly id = 'agenda';

  next(ctx: SimulatorContext): Promise<UserTurnOutput> {
    return Promise.resolve(this.turn(ctx));
  }

  /** One user turn, synchronously (the loop awaits `next`). */
  turn(ctx: SimulatorContext): UserTurnOutput {
    const { scenario, profile } = ctx;
    const sc = compile(scenario);
    const st = styleOf(profile);
    const memo = (ctx.scratch.agenda ??= {
      rng: createRng(hashString(`${scenario.id}|${profile.id}`, ctx.seed)), used: new Map(), stated: new Set(), lastPhrase: -2, prevPolicies: [], lastAside: -9,
      said: new Set(), facts: sc.memory.concat(st.self), pressed: new Set(), phraseAt: new Map(),
    } satisfies Memo) as Memo;
    const rng = memo.rng;
    const reg = st.register;
    const { stopToken: stop, minTurns } = terminationOf(scenario);
    const userTurn = ctx.userTurns + 1;
    const minOk = userTurn >= minTurns;
    const agentText = ctx.lastAgentText ?? '';
    const agentStems = contentStems(agentText);
    const isMet = (id: string) => (ctx.targetsMet.get(id) ?? null) !== null;
    const unmet = sc.targets.filter((t) => !isMet(t.id));
    const sayable = unmet.filter((t) => t.reveal !== 'never');
    const raisedOpen = sayable.filter((t) => ctx.raised.has(t.id));
    const focus = raisedOpen.find((t) => t.primary) ?? raisedOpen[0] ?? sayable.find((t) => t.primary) ?? sayable[0];
    const mustResist = !!scenario.adversarial?.must_resist;
    const terse = st.verbosity === 'terse';
    const { questions, questionStems, aboutMe, tellMe, amount } = readAgent(agentText);
    const firstName = (profile.name ?? '').split(/\s+/)[0]?.toLowerCase() ?? '';
    const identity = !!questions && IDENTITY.test(questions) && !!firstName && (questions.toLowerCase().includes(firstName) || /\b(mr|mrs|ms|miss)\b/i.test(questions));
    const facts = questions && !identity ? this.answer(questionStems, sc, memo, aboutMe, tellMe) : undefined;
    const asked = !identity && (facts !== undefined || INFO_REQUEST.test(questions) || tellMe);
    const slots = { stop, topic: focus?.topic ?? '', ask: focus ? lowerFirst(focus.ask) : '', goal: '', fact: '', tactic: ctx.tactic ? humanize(ctx.tactic) : '', amount };
    const say: string[] = [];
    const raisedNow: string[] = [];
    let plan: string;
    let mood: Mood = 'other';
    let ending = false;
    /** A line of a bank with the slots filled: lines whose slots are empty are left out, and a line that repeats an earlier sentence is passed over. */
    const fromLines = (lines: readonly string[], key: string, extra: Partial<typeof slots> = NONE, fallback: P.Bank | null = P.STILL_WAITING): string => {
      const sl: Record<string, string> = extra === NONE ? slots : { ...slots, ...extra };
      const pool = usableLines(lines, sl);
      const poolKey = pool === lines ? key : `${key}|${pool.length}`;
      for (let k = 0; k < pool.length; k++) {
        const out = fill(pick(memo, poolKey, pool), sl);
        if (!sentencesOf(out).some((x) => memo.said.has(x))) return out;
      }
      return fallback ? fill(pick(memo, 'still', fallback[reg]), sl) : '';
    };
    const line = (bank: P.Bank, key: string, extra: Partial<typeof slots> = NONE) => fromLines(terse ? shortHalf(bank[reg]) : bank[reg], key, extra);
    const about = (t: AgendaTarget) => ({ topic: t.topic ?? '', ask: lowerFirst(t.ask) });

    const hang = minOk ? hangUpReason(scenario, ctx.state) : undefined;
    const endPolicy = ctx.policies.find((p) => p.action === 'end');
    // A policy that keeps holding acts once, when it starts to hold.
    const actPolicy = ctx.policies.find((p) => p.action && p.action !== 'end' && !memo.prevPolicies.includes(p.id));
    memo.prevPolicies = ctx.policies.map((p) => p.id);
    const success = minOk && successHolds(scenario, ctx.targetsMet, true);

    if (hang) {
      say.push(line(P.HANG_UP, 'hang'));
      plan = `end: hang up, ${hang}`;
      ending = true;
    } else if (endPolicy && minOk) {
      say.push(line(success ? P.SUCCESS_END : P.HANG_UP, success ? 'succ' : 'hang'));
      plan = `end: policy ${endPolicy.id} (${endPolicy.then})`;
      ending = true;
    } else if (ctx.tactic && (mustResist || ctx.state.trust < 0.6)) {
      const resist = P.TACTIC_RESIST[ctx.tactic] ?? P.TACTIC_RESIST_GENERIC;
      say.push(line(P.RESIST_OPEN, 'ro'));
      const challenge = fromLines(resist, `rt${ctx.tactic}`);
      say.push(challenge);
      if (focus && !terse) {
        say.push(line(P.RESIST_FOLLOW, 'rf'));
        raisedNow.push(focus.id);
      }
      plan = `refuse: the agent is using ${humanize(ctx.tactic)}; concede nothing, challenge it ("${challenge}")${focus && !terse ? `, then press ${focus.id}` : ''}`;
      mood = 'resist';
    } else if (success) {
      if (ctx.newlyMet.length && !terse) say.push(line(P.ACK, 'ack'));
      say.push(line(P.SUCCESS_END, 'succ'));
      plan = `end: ${scenario.termination?.success_when?.replace(/_/g, ' ') ?? 'all primary targets met'}, thank them and close`;
      ending = true;
    } else if (actPolicy) {
      const action = actPolicy.action as string;
      if (action === 'reveal') {
        if (Array.isArray(facts)) this.stateFacts(facts, memo, say, reg);
        else if (!this.raise(ctx, sc, st, memo, say, raisedNow, 1, userTurn).length) this.volunteerFact(sc, memo, say, reg);
        if (!say.length) say.push(line(P.POLICY_LINES.probe, 'probe'));
        mood = 'answer';
      } else {
        const cond = typeof actPolicy.when === 'object' ? actPolicy.when : undefined;
        const named = cond?.target_unmet ?? cond?.target_met;
        const target = sc.targets.find((t) => t.id === named && t.reveal !== 'never') ?? (action === 'ask' ? undefined : focus);
        if (action === 'ask' && target) say.push(line(P.PRESS, 'pr', about(target)));
        else say.push(line(P.POLICY_LINES[action] ?? P.POLICY_LINES.ask, `pol${action}`, target ? about(target) : {}));
        if (target && action !== 'accept' && action !== 'refuse') raisedNow.push(target.id);
        mood = action === 'accept' ? 'ack' : action === 'ask' ? 'press' : 'refuse';
      }
      plan = `${action}: policy ${actPolicy.id} (${actPolicy.then})`;
    } else {
      const moves: string[] = [];
      if (ctx.newlyMet.length && !terse) {
        say.push(line(P.ACK, 'ack'));
        moves.push(`acknowledge ${ctx.newlyMet.join(', ')}`);
        mood = 'ack';
      }
      if (identity) {
        say.push(line(P.CONFIRM, 'conf'));
        moves.push('confirm who I am');
      }
      if (asked) {
        // Their question first, briefly; then my own agenda.
        if (facts === 'unknown' || facts === undefined) {
          say.push(line(P.DONT_KNOW, 'dk'));
          moves.push(`say I don't know (${facts === 'unknown' ? 'not something I know' : 'not in what I know'}), never guess`);
        } else {
          this.stateFacts(facts, memo, say, reg);
          moves.push(`answer from what I know: ${facts.map((i) => stripStop(memo.facts[i].text)).join('; ')}`);
        }
        mood = 'answer';
      }
      const count = terse ? 1 : st.verbosity === 'verbose' ? 2 : userTurn === 1 ? 2 : 1;
      const raised = this.raise(ctx, sc, st, memo, say, raisedNow, asked ? 1 : count, userTurn);
      if (raised.length) {
        moves.push(`raise ${raised.map((t) => t.id).join(' and ')}`);
        if (mood === 'other') mood = 'raise';
      } else if (!asked && focus) {
        // "I've asked more than once" only once I have asked again before.
        const impatient = (ctx.state.patience < 0.4 || ctx.events.includes('concern_ignored')) && memo.pressed.has(focus.id);
        memo.pressed.add(focus.id);
        const again = line(impatient ? P.PRESS_IMPATIENT : P.PRESS, impatient ? 'pi' : 'pr');
        say.push(again);
        raisedNow.push(focus.id);
        moves.push(`ask again about ${focus.id}${impatient ? ', firmly' : ''} ("${again}")`);
        mood = 'press';
      } else if (!asked && !say.length) {
        say.push(line(P.POLICY_LINES.probe, 'probe'));
        moves.push('probe for what else they can offer');
      }
      if (ctx.tactic) {
        // A tactic the user need not resist (no must_resist, trust still high): stay wary, give nothing away.
        say.unshift(line(P.WARY, 'wary'));
        moves.unshift(`stay wary of the ${humanize(ctx.tactic)}, agree to nothing`);
      }
      plan = moves.length ? `${raised.length ? 'reveal' : asked ? 'answer' : 'ask'}: ${moves.join('; ')}` : 'ask: keep the conversation going';
    }
    if (ending) mood = 'end';

    // A chatty aside ("I just want this sorted") goes with raising or pressing a point, not with an answer.
    if (!ending && st.verbosity === 'verbose' && rng.chance(0.7) && !(rng.chance(0.5) && this.volunteerFact(sc, memo, say, reg)) && (mood === 'raise' || mood === 'press')) {
      const aside = fromLines(P.VERBOSE_TAIL[reg], 'vt', {}, null);
      if (aside) say.push(aside);
    }
    if (userTurn === 1 && !terse && (!agentText || rng.chance(0.5)) && !ending) say.unshift(pick(memo, 'greet', P.GREET[reg]));
    let body = say.join(' ');
    const stopAt = body.indexOf(stop);
    let tail = '';
    if (stopAt >= 0) {
      tail = ` ${stop}`;
      body = body.slice(0, stopAt).trim();
    }
    for (const part of say) for (const x of sentencesOf(part)) memo.said.add(x);
    body = this.shape(body, st, memo, agentText, asked, mood, userTurn, sc, ctx, identity);
    const answer = `${body}${tail}`.trim();

    const oneLine = (x: string) => (/[\n\r\t]/.test(x) ? x.replace(/\s+/g, ' ').trim() : x) || 'none';
    const sections = {
      agent_intent: oneLine(this.intent(ctx, asked)),
      concerns: oneLine(this.concerns(ctx, sc)),
      plan: oneLine(`${plan}${ctx.policies.length && !plan.includes('policy') ? `; policies: ${ctx.policies.map((p) => `${p.id} (${p.then})`).join(', ')}` : ''}`),
      state: formatStateLine(ctx.stateBefore, ctx.state),
      tone: oneLine(this.tone(st, ctx, plan)),
    };
    const raw = formatRationale(sections);
    // The loop would parse this back to exactly `parsed` (a test checks); handing it over saves the parse.
    return { content: formatUserOutput(raw, answer), state: ctx.state, raised: raisedNow, parsed: { answer, rationale: { raw, sections: { ...sections }, missing: [] } } };
  }

  /** Raises up to `count` targets in agenda order; returns those raised. */
  private raise(ctx: SimulatorContext, sc: CompiledAgenda, st: Style, memo: Memo, say: string[], raisedNow: string[], count: number, userTurn: number): AgendaTarget[] {
    const isOpen = (t: AgendaTarget) => !ctx.raised.has(t.id) && !raisedNow.includes(t.id) && (ctx.targetsMet.get(t.id) ?? null) === null;
    const upfront = sc.targets.filter((t) => t.reveal === 'upfront' && isOpen(t));
    const agentStems = contentStems(ctx.lastAgentText ?? '');
    const touched = sc.targets.filter((t) => t.reveal === 'when_asked' && isOpen(t) && overlap(t.stems, agentStems) >= 2);
    const pending = sc.targets.some((t) => t.reveal !== 'never' && (ctx.raised.has(t.id)) && (ctx.targetsMet.get(t.id) ?? null) === null);
    const later = upfront.length || pending ? [] : sc.targets.filter((t) => t.reveal === 'when_asked' && isOpen(t));
    const chosen = [...touched, ...upfront, ...later].filter((t, i, a) => a.indexOf(t) === i).slice(0, count);
    chosen.forEach((t, i) => {
      const first = i === 0 && !raisedNow.length;
      const bank = (first ? (userTurn === 1 ? P.RAISE_FIRST : P.RAISE) : P.ALSO)[st.register];
      // A `say` with its own lead-in ("Sorry, can I ask ...", "Before anything else, ...") is said as it is.
      if (first && LEAD_IN.test(t.goal)) say.push(t.goal);
      else say.push(fill(pick(memo, first ? `raise${userTurn === 1}` : 'also', st.verbosity === 'terse' ? shortHalf(bank) : bank), { goal: lowerFirst(t.goal) }));
      raisedNow.push(t.id);
    });
    return chosen;
  }

  /**
   * The facts that answer the agent's question (indexes into `memo.facts`): scenario memory always,
   * the profile's own facts when the question is about me; 'unknown' when it is about an `unknown`
   * item; undefined when nothing I know answers it. "Tell me about yourself" gets my occupation
   * (or background) even without shared words, plus the best match.
   */
  private answer(questionStems: Set<string>, sc: CompiledAgenda, memo: Memo, aboutMe: boolean, tellMe: boolean): number[] | 'unknown' | undefined {
    let best = -1;
    let bestScore = 0;
    const n = aboutMe ? memo.facts.length : sc.memory.length;
    for (let i = 0; i < n; i++) {
      const s = overlap(memo.facts[i].stems, questionStems);
      if (s > bestScore) { best = i; bestScore = s; }
    }
    let unknownScore = 0;
    for (const f of sc.unknown) unknownScore = Math.max(unknownScore, overlap(f.stems, questionStems));
    // A tie goes to `unknown` (never guess), except for questions about me, which my own facts answer.
    // An open "tell me about yourself" is about an unknown item only when it shares two words with it.
    if (unknownScore > 0 && (unknownScore > bestScore || (unknownScore === bestScore && !aboutMe)) && (!tellMe || unknownScore >= 2)) return 'unknown';
    if (!tellMe) return best >= 0 ? [best] : undefined;
    const selfStart = sc.memory.length;
    const lead = memo.facts.length > selfStart ? selfStart : -1; // the occupation, or the first background sentence
    let second = best === lead ? -1 : best;
    if (second < 0) {
      // The best match besides the lead, for a second sentence.
      let score = 0;
      memo.facts.forEach((f, i) => {
        const sc2 = overlap(f.stems, questionStems);
        if (i !== lead && sc2 > score) { second = i; score = sc2; }
      });
    }
    const out = [lead, second].filter((i, k, a) => i >= 0 && a.indexOf(i) === k);
    return out.length ? out : undefined;
  }

  private volunteerFact(sc: CompiledAgenda, memo: Memo, say: string[], reg: P.Register): boolean {
    const i = sc.memory.findIndex((_, k) => !memo.stated.has(k));
    if (i < 0) return false;
    memo.stated.add(i);
    const lead = reg === 'formal' ? 'For context, ' : reg === 'casual' ? 'Oh and ' : 'Just so you know, ';
    say.push(`${lead}${lowerFirst(sentence(sc.memory[i].text))}`);
    return true;
  }

  /** States the facts, the first with an answer lead-in ("Sure: ..."), or "Like I said" when it was said before. */
  private stateFacts(idx: number[], memo: Memo, say: string[], reg: P.Register): void {
    idx.forEach((i, k) => {
      const again = memo.stated.has(i);
      memo.stated.add(i);
      const f = sentence(memo.facts[i].text);
      if (again) say.push(`Like I said, ${lowerFirst(f)}`);
      else if (k === 0) say.push(fill(pick(memo, 'af', P.ANSWER_FACT[reg]), { fact: lowerFirst(f) }));
      else say.push(upperFirst(f));
    });
  }

  /** Whether a typical phrase suits what the turn does: "..., but" and refusals go with pushback, cheers with good news, none with goodbyes. */
  private phraseFits(phrase: string, mood: Mood, body: string, sc: CompiledAgenda, ctx: SimulatorContext, identity: boolean): boolean {
    if (mood === 'end' || identity) return false; // nothing before "Yes, speaking."
    if (words(phrase)[0] === words(body)[0]) return false; // "Okay, ... Okay, ..."
    if (!/[.!?]$/.test(phrase) && phrase.split(' ').length <= 3 && /^[A-Za-z']+,/.test(body)) return false; // "Like, honestly, look, ..." 
    const pushback = mood === 'press' || mood === 'resist' || mood === 'refuse';
    if (/\b(?:but|and|so|because|or)$/i.test(phrase)) return mood === 'press';
    if (/\b(?:can't|cannot|won't|not|don't|no|nothing|runaround|afraid)\b/i.test(phrase)) return mood === 'resist' || mood === 'refuse';
    if (/!|\b(?:cool|great|lovely|nice|perfect)\b/i.test(phrase)) return mood === 'ack';
    if (norm(body).includes(norm(phrase))) return false;
    // Not a request for something I have not brought up yet ("send me the terms" before the price).
    const ps = contentStems(phrase);
    return !sc.targets.some((t) => !ctx.raised.has(t.id) && overlap(ps, t.stems) >= Math.min(2, ps.size));
  }

  /** Profile quirks and typical phrases, deterministic from the seeded RNG. */
  private shape(text: string, st: Style, memo: Memo, agentText: string, asked: boolean, mood: Mood, userTurn: number, sc: CompiledAgenda, ctx: SimulatorContext, identity: boolean): string {
    const rng = memo.rng;
    const ending = mood === 'end';
    let out = text;
    if (st.phrases.length && rng.chance(st.verbosity === 'verbose' ? 0.5 : st.verbosity === 'terse' ? 0.25 : 0.35)) {
      let i = rng.int(st.phrases.length);
      if (i === memo.lastPhrase && st.phrases.length > 1) i = (i + 1) % st.phrases.length;
      const phrase = upperFirst(st.phrases[i].trim());
      // Questions and short remarks ("Here's the thing.") lead; longer statements may trail.
      const before = !/\?$/.test(phrase) && phrase.split(' ').length > 5 ? rng.chance(0.5) : true;
      if (userTurn - (memo.phraseAt.get(i) ?? -9) > 2 && this.phraseFits(phrase, mood, out, sc, ctx, identity)) {
        memo.lastPhrase = i;
        memo.phraseAt.set(i, userTurn);
        if (/\b(but|and|so|because|or)$/i.test(phrase)) out = `${phrase} ${lowerFirst(out)}`;
        else if (/[.!?…]$/.test(phrase) || phrase.split(' ').length > 3) out = before ? `${sentence(phrase)} ${out}` : `${out} ${sentence(phrase)}`;
        else out = before ? `${phrase}, ${lowerFirst(out)}` : `${out} ${sentence(phrase)}`; // a short lead-in: "honestly, ..."
      } else {
        memo.lastPhrase = -2;
      }
    } else {
      memo.lastPhrase = -2;
    }
    const q = st.quirks;
    if (q.size) {
      if (q.has('repeats_questions') && asked && rng.chance(0.5)) {
        const question = /([^.!?]*)\?/.exec(agentText)?.[1] ?? '';
        const tail = words(question).slice(-3).join(' ');
        if (tail) out = `${upperFirst(tail)}? ${out}`;
      }
      if (q.has('fillers') && rng.chance(0.45)) out = `${upperFirst(rng.pick(P.FILLERS))}${lowerFirst(out)}`;
      if (q.has('interrupts') && agentText.split(' ').length > 20 && rng.chance(0.5)) out = `${pick(memo, 'int', P.INTERRUPTS)} ${out}`;
      if (q.has('off_topic') && !ending && !identity && userTurn > 1 && memo.lastPhrase < 0 && userTurn - memo.lastAside > 2 && rng.chance(0.25)) {
        memo.lastAside = userTurn;
        out = `${pick(memo, 'off', P.OFF_TOPIC)} ${out}`;
      }
      if (q.has('typos') && rng.chance(0.5)) out = typo(out, rng);
      if (q.has('all_lowercase')) out = out.toLowerCase();
    }
    return out;
  }

  private intent(ctx: SimulatorContext, asked: boolean): string {
    if (ctx.tactic) {
      const t = ctx.tactics.find((x) => x.name === ctx.tactic);
      return `${humanize(ctx.tactic)}: ${t ? lowerFirst(stripStop(t.description)) : 'a manipulation tactic'}`;
    }
    if (!ctx.lastAgentText) return 'none yet; I speak first';
    if (ctx.events.includes('agent_repeats')) return 'repeating what they said before; none';
    if (asked) return 'asking me for information; none';
    if (ctx.newlyMet.length) return `addressing ${ctx.newlyMet.join(', ')}; none`;
    if (ctx.events.includes('concern_ignored')) return 'pushing their own script and ignoring my concern; none';
    return ctx.agentTurns <= 1 ? 'opening the call and finding out what I need; none' : 'following their procedure; none';
  }

  private concerns(ctx: SimulatorContext, sc: CompiledAgenda): string {
    // Open primary targets first, then open secondary ones, then those already met.
    const open1: string[] = [];
    const open2: string[] = [];
    const met: string[] = [];
    for (const t of sc.targets) {
      const label = t.label;
      if ((ctx.targetsMet.get(t.id) ?? null) !== null) met.push(`${label}met)`);
      else (t.primary ? open1 : open2).push(`${label}${t.reveal === 'never' ? 'keep to myself' : ctx.raised.has(t.id) ? 'raised, open' : 'not raised yet'})`);
    }
    const rows = open1.concat(open2, met);
    if (ctx.tactic) rows.push(`being pushed by ${humanize(ctx.tactic)}`);
    else if (ctx.events.includes('concern_ignored')) rows.push('the agent ignored my last point');
    return rows.join('; ');
  }

  private tone(st: Style, ctx: SimulatorContext, plan: string): string {
    const parts: string[] = [];
    if (plan.startsWith('refuse')) parts.push('firm');
    parts.push(st.register === 'formal' ? 'polite and formal' : st.register === 'casual' ? 'casual' : 'plain');
    if (st.verbosity === 'terse') parts.push('short');
    if (st.verbosity === 'verbose') parts.push('chatty');
    const s = ctx.state;
    if (s.patience < 0.35) parts.push('impatient');
    if (s.trust < 0.35) parts.push('wary');
    if (s.emotion < 0.3) parts.push('irritated');
    else if (s.emotion > 0.7) parts.push('warm');
    if (st.quirkTone) parts.push(st.quirkTone);
    return parts.join(', ');
  }
}

/** Swaps two inner letters of one longer word. */
function typo(text: string, rng: Rng): string {
  const ws = text.split(' ');
  const candidates = ws.map((w, i) => (/^[a-z]{5,}$/i.test(w) ? i : -1)).filter((i) => i >= 0);
  if (!candidates.length) return text;
  const i = rng.pick(candidates);
  const w = ws[i];
  const k = 1 + rng.int(w.length - 3);
  ws[i] = w.slice(0, k) + w[k + 1] + w[k] + w.slice(k + 2);
  return ws.join(' ');
}
