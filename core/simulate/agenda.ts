// The built-in `agenda` user simulator (no model, no key, deterministic for a seed). After
// Schatzmann's agenda-based user: the scenario's targets form the agenda (upfront ones first,
// `when_asked` ones when the agent's words touch them or once the earlier ones are dealt with,
// `never` ones only steer); the agent's last turn pushes or pops moves (a question is answered
// from `memory`, never from `unknown`; a tactic is refused; an answered target is acknowledged; an
// echo is pressed again); decision policies and the state (after the scenario's transitions) pick
// the plan; the profile gives the voice. It writes the same five-section rationale a model would.
//
// One turn, in four parts: reading the agent (`begin`), the plan (`decide`), the words in the
// profile's voice (`speak`, with core/simulate/voice.ts), the rationale (`rationale`, with
// core/simulate/rationale-text.ts).
import type { Policy, Scenario, State } from '../generated/schema-types';
import { terminationOf } from '../model/scenario-defaults';
import { formatRationale, formatUserOutput } from '../rationale/index';
import { DEFAULT_OUT_OF_SCOPE_TOKEN, DEFAULT_TRANSFER_TOKEN, hangUpReason, successHolds } from '../dialogue/rules';
import type { ResolvedProfile, SimulatorContext, UserSimulator, UserTurnOutput } from '../dialogue/types';
import { createRng, hashString } from '../util/rng';
import { contentStems, humanize, lowerFirst, overlap, sentence, stripStop, upperFirst } from '../util/text';
import { compileAgenda, selfFacts, type AgendaTarget, type CompiledAgenda, type Fact } from './agenda-model';
import * as P from './phrases';
import { concernsText, intentText, stateText, toneText } from './rationale-text';
import { factsAnswering, readAgent, sentencesOf, type AgentReading } from './reading';
import { restyle, shape, styleOf, type Mood, type Style, type VoiceMemo } from './voice';

export { sentencesOf } from './reading';

/** Per dialogue. `facts`: the scenario's memory, then the profile's own facts; `stated` indexes it. `said`: the user's sentences so far (normalized). */
interface Memo extends VoiceMemo { used: Map<string, number[]>; stated: Set<number>; prevPolicies: string[]; said: Set<string>; facts: Fact[]; pressed: Set<string>; firstName: string; timesAsked?: number }

/** Everything one turn works with, and what it decides. */
interface Turn {
  ctx: SimulatorContext;
  sc: CompiledAgenda;
  st: Style;
  memo: Memo;
  reg: P.Register;
  terse: boolean;
  stop: string;
  userTurn: number;
  minOk: boolean;
  agentText: string;
  reading: AgentReading;
  focus?: AgendaTarget;
  identity: boolean;
  facts: number[] | 'unknown' | undefined;
  asked: boolean;
  slots: Record<string, string>;
  // Decided:
  say: string[];
  raisedNow: string[];
  plan: string;
  mood: Mood;
  ending: boolean;
  /** The end token this turn writes, when it is not the stop token (transfer, out of scope). */
  token?: string;
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

const templates = new Map<string, string[]>();
/** A bank line split once into text and slot names: `['So, ', 'goal', '']` (even indexes text, odd ones slots). */
function templateOf(line: string): string[] {
  let parts = templates.get(line);
  if (!parts) {
    parts = line.split(/\{(\w+)\}/);
    if (templates.size >= 5000) templates.clear();
    templates.set(line, parts);
  }
  return parts;
}

const filledOnce = new Map<string, Map<string, string>>();
/** A bank line with its slots filled (a slot with no value stays as it is), each sentence capitalised. */
function fill(line: string, slots: Record<string, string>): string {
  if (!line.includes('{')) return line;
  const parts = templateOf(line);
  // A line with one slot: the same value (a target's goal, ask or topic) gives the same text, kept per line and value.
  if (parts.length === 3 && parts[1] in slots) {
    const value = slots[parts[1]];
    let byValue = filledOnce.get(line);
    if (!byValue) {
      if (filledOnce.size >= 2000) filledOnce.clear();
      filledOnce.set(line, (byValue = new Map()));
    }
    let out = byValue.get(value);
    if (out === undefined) {
      if (byValue.size >= 200) byValue.clear();
      byValue.set(value, (out = capitalised(parts[0] + value + parts[2])));
    }
    return out;
  }
  let out = parts[0];
  for (let i = 1; i < parts.length; i += 2) out += (parts[i] in slots ? slots[parts[i]] : `{${parts[i]}}`) + parts[i + 1];
  return capitalised(out);
}

/** Every sentence of a filled line starts with a capital. */
function capitalised(text: string): string {
  return upperFirst(text.replace(/([.!?]\s+)([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase()));
}

const NONE: Record<string, string> = Object.freeze({}) as Record<string, string>;
const OPTIONAL_SLOTS = ['topic', 'ask', 'amount', 'tactic', 'goal', 'fact'];
const pools = new WeakMap<readonly string[], Map<number, readonly string[]>>();
/** The lines of a bank whose slots all have a value (cached per bank and set of empty slots); if none, those without {topic} or {amount}. */
function usableLines(lines: readonly string[], sl: Record<string, string>): readonly string[] {
  let mask = 0;
  for (let i = 0; i < OPTIONAL_SLOTS.length; i++) if (sl[OPTIONAL_SLOTS[i]]) mask |= 1 << i;
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

const isMet = (ctx: SimulatorContext, id: string) => (ctx.targetsMet.get(id) ?? null) !== null;

export class AgendaSimulator implements UserSimulator {
  readonly id = 'agenda';

  next(ctx: SimulatorContext): Promise<UserTurnOutput> {
    return Promise.resolve(this.turn(ctx));
  }

  /** The loop calls this: no model, so the turn is answered at once. */
  nextNow(ctx: SimulatorContext): UserTurnOutput {
    return this.turn(ctx);
  }

  /** One user turn, synchronously. */
  turn(ctx: SimulatorContext): UserTurnOutput {
    const t = this.begin(ctx);
    this.decide(t);
    const answer = this.speak(t);
    return this.rationale(t, answer);
  }

  // ---- 1. reading the agent ------------------------------------------------------------------

  private begin(ctx: SimulatorContext): Turn {
    const { scenario, profile } = ctx;
    const sc = compileAgenda(scenario);
    const st = styleOf(profile);
    const memo = (ctx.scratch.agenda ??= this.newMemo(scenario, profile, ctx.seed, sc)) as Memo;
    const { stopToken: stop, minTurns } = terminationOf(scenario);
    const userTurn = ctx.userTurns + 1;
    const agentText = ctx.lastAgentText ?? '';
    const reading = readAgent(agentText);
    // The focus: the first open primary target I have raised, else the first raised, else the first open primary, else the first open one.
    let raisedPrimary: AgendaTarget | undefined;
    let raisedAny: AgendaTarget | undefined;
    let openPrimary: AgendaTarget | undefined;
    let openAny: AgendaTarget | undefined;
    for (const x of sc.targets) {
      if (x.reveal === 'never' || isMet(ctx, x.id)) continue;
      openAny ??= x;
      if (x.primary) openPrimary ??= x;
      if (ctx.raised.has(x.id)) {
        raisedAny ??= x;
        if (x.primary) {
          raisedPrimary = x;
          break;
        }
      }
    }
    const focus = raisedPrimary ?? raisedAny ?? openPrimary ?? openAny;
    const firstName = memo.firstName;
    const identity = reading.identityCheck && !!firstName && (reading.questions.toLowerCase().includes(firstName) || /\b(mr|mrs|ms|miss)\b/i.test(reading.questions));
    const facts = reading.questions && !identity ? factsAnswering(reading, sc, memo.facts) : undefined;
    const asked = !identity && (facts !== undefined || reading.infoRequest || reading.tellMe);
    return {
      ctx, sc, st, memo, reg: st.register, terse: st.verbosity === 'terse', stop, userTurn, minOk: userTurn >= minTurns, agentText, reading, focus, identity, facts, asked,
      slots: { stop, topic: focus?.topic ?? '', ask: focus ? focus.askLower : '', goal: '', fact: '', tactic: ctx.tactic ? humanize(ctx.tactic) : '', amount: reading.amount },
      say: [], raisedNow: [], plan: '', mood: 'other', ending: false,
    };
  }

  private newMemo(scenario: Scenario, profile: ResolvedProfile, seed: number, sc: CompiledAgenda): Memo {
    return {
      rng: createRng(hashString(`${scenario.id}|${profile.id}`, seed)), used: new Map(), stated: new Set(), lastPhrase: -2, prevPolicies: [], lastAside: -9,
      said: new Set(), facts: sc.memory.concat(selfFacts(profile)), pressed: new Set(), phraseAt: new Map(),
      firstName: (profile.name ?? '').split(/\s+/)[0]?.toLowerCase() ?? '',
    };
  }

  /** A line of a bank with the slots filled: lines whose slots are empty are left out, and a line that repeats an earlier sentence is passed over. */
  private fromLines(t: Turn, lines: readonly string[], key: string, extra: Record<string, string> = NONE, fallback: P.Bank | null = P.STILL_WAITING): string {
    const sl: Record<string, string> = extra === NONE ? t.slots : { ...t.slots, ...extra };
    const pool = usableLines(lines, sl);
    const poolKey = pool === lines ? key : `${key}|${pool.length}`;
    for (let k = 0; k < pool.length; k++) {
      const out = fill(pick(t.memo, poolKey, pool), sl);
      if (!sentencesOf(out).some((x) => t.memo.said.has(x))) return out;
    }
    if (!fallback) return '';
    // Waiting lines not said yet; once all were, a count of the times asked, which never repeats.
    const still = fallback[t.reg].filter((l) => !sentencesOf(fill(l, sl)).some((x) => t.memo.said.has(x)));
    if (still.length) return fill(pick(t.memo, `still|${still.length}`, still), sl);
    t.memo.timesAsked = (t.memo.timesAsked ?? 2) + 1;
    return fill(P.ASKED_TIMES[t.reg][0], { n: String(t.memo.timesAsked) });
  }

  private line(t: Turn, bank: P.Bank, key: string, extra: Record<string, string> = NONE): string {
    return this.fromLines(t, t.terse ? shortHalf(bank[t.reg]) : bank[t.reg], key, extra);
  }

  // ---- 2. the plan ---------------------------------------------------------------------------

  /** Priority: handed over > hang up > an `end` policy > out of scope > resist a tactic > success > a new policy's action > converse. */
  private decide(t: Turn): void {
    const { ctx, sc } = t;
    const hang = t.minOk ? hangUpReason(ctx.scenario, ctx.state) : undefined;
    const endPolicy = ctx.policies.find((p) => p.action === 'end');
    // A policy that keeps holding acts once, when it starts to hold. An `accept` read from text waits until every primary question is answered.
    const allPrimaryMet = sc.primaryIds.every((id) => isMet(ctx, id));
    const actPolicy = ctx.policies.find((p) => p.action && p.action !== 'end' && !t.memo.prevPolicies.includes(p.id) && (p.action !== 'accept' || typeof p.when === 'object' || allPrimaryMet));
    t.memo.prevPolicies = ctx.policies.map((p) => p.id);
    const success = t.minOk && successHolds(ctx.scenario, ctx.targetsMet, true);
    const mustResist = !!ctx.scenario.adversarial?.must_resist;
    // Just helped: a person does not storm off with a hostile line.
    const helped = ctx.newlyMet.length > 0;

    if (t.reading.transfer) this.close(t, P.TRANSFER_END, 'transfer', ctx.scenario.termination?.transfer_token ?? DEFAULT_TRANSFER_TOKEN, 'they are handing me over to a human, so I wait for them');
    else if (hang) this.close(t, helped ? P.CLOSE_POLITE : P.HANG_UP, helped ? 'close' : 'hang', t.stop, helped ? `leave politely (${hang}, but they did just help)` : `hang up (${hang})`);
    else if (endPolicy && t.minOk) {
      const polite = success || helped || /\b(?:polite|politely|thank|thanks)\b/i.test(endPolicy.then);
      this.close(t, success ? P.SUCCESS_END : polite ? P.CLOSE_POLITE : P.HANG_UP, success ? 'succ' : polite ? 'close' : 'hang', t.stop, `my rule ${endPolicy.id} says: ${lowerFirst(stripStop(endPolicy.then))}`);
    } else if (t.reading.outOfScope && t.minOk && t.focus && !ctx.policies.some((p) => p.action === 'escalate')) {
      this.close(t, P.OUT_OF_SCOPE_END, 'oos', ctx.scenario.termination?.out_of_scope_token ?? DEFAULT_OUT_OF_SCOPE_TOKEN, `they cannot help with ${t.focus.id}, and I have nothing else to go on`);
    } else if (ctx.tactic && (mustResist || ctx.state.trust < 0.6)) this.resist(t);
    else if (success) {
      if (helped && !t.terse) t.say.push(this.line(t, P.ACK, 'ack'));
      t.say.push(this.line(t, P.SUCCESS_END, 'succ'));
      t.plan = `end: ${ctx.scenario.termination?.success_when?.replace(/_/g, ' ') ?? 'all primary targets met'}; I thank them and close`;
      t.ending = true;
      t.mood = 'end';
    } else if (actPolicy) this.act(t, actPolicy);
    else this.converse(t);
  }

  private close(t: Turn, bank: P.Bank, key: string, token: string, why: string): void {
    t.say.push(this.line(t, bank, key, { stop: token }));
    if (token !== t.stop) t.token = token;
    t.plan = `end: ${why}`;
    t.ending = true;
    t.mood = 'end';
  }

  private resist(t: Turn): void {
    const tactic = t.ctx.tactic!;
    const challenge = this.fromLines(t, P.TACTIC_RESIST[tactic] ?? P.TACTIC_RESIST_GENERIC, `rt${tactic}`);
    // "No." before a challenge that already says no is one no too many.
    if (!/^(?:no|nope|i haven't|i didn't|i don't)\b/i.test(challenge)) t.say.push(this.line(t, P.RESIST_OPEN, 'ro'));
    t.say.push(challenge);
    const follow = t.focus && !t.terse;
    if (follow) {
      t.say.push(this.line(t, P.RESIST_FOLLOW, 'rf'));
      t.raisedNow.push(t.focus!.id);
    }
    t.plan = `refuse: they are using ${humanize(tactic)}, so I concede nothing and call it out ("${challenge}")${follow ? `, then go back to ${t.focus!.id}` : ''}`;
    t.mood = 'resist';
  }

  private act(t: Turn, p: Policy): void {
    const { sc } = t;
    const action = p.action as string;
    if (action === 'reveal') {
      if (Array.isArray(t.facts)) this.stateFacts(t, t.facts);
      else if (!this.raise(t, 1).length) this.volunteerFact(t);
      if (!t.say.length) t.say.push(this.line(t, P.POLICY_LINES.probe, 'probe'));
      t.mood = 'answer';
    } else {
      const cond = typeof p.when === 'object' ? p.when : undefined;
      const named = cond?.target_unmet ?? cond?.target_met;
      const target = sc.targets.find((x) => x.id === named && x.reveal !== 'never') ?? (action === 'ask' ? undefined : t.focus);
      const about = target ? { topic: target.topic ?? '', ask: target.askLower } : NONE;
      if (action === 'ask' && target) t.say.push(this.line(t, P.PRESS, 'pr', about));
      else t.say.push(this.line(t, P.POLICY_LINES[action] ?? P.POLICY_LINES.ask, `pol${action}`, about));
      if (target && action !== 'accept' && action !== 'refuse') t.raisedNow.push(target.id);
      t.mood = action === 'accept' ? 'ack' : action === 'ask' ? 'press' : 'refuse';
    }
    t.plan = actNote(p);
  }

  /** Acknowledge an answer, confirm who I am, answer their question, then raise or press my own point. */
  private converse(t: Turn): void {
    const { ctx, st } = t;
    const moves: string[] = [];
    if (ctx.newlyMet.length && !t.terse) {
      t.say.push(this.line(t, P.ACK, 'ack'));
      moves.push(`acknowledge the answer on ${ctx.newlyMet.join(' and ')}`);
      t.mood = 'ack';
    }
    if (t.identity) {
      t.say.push(this.line(t, P.CONFIRM, 'conf'));
      moves.push('confirm who I am');
    }
    if (t.asked) {
      // Their question first, briefly; then my own agenda.
      if (t.facts === 'unknown' || t.facts === undefined) {
        t.say.push(this.line(t, P.DONT_KNOW, 'dk'));
        moves.push(`say I don't know (${t.facts === 'unknown' ? "it's something I don't know" : "nothing I know answers it"}) rather than guess`);
      } else {
        this.stateFacts(t, t.facts);
        moves.push(`answer from what I know (${t.facts.map((i) => stripStop(t.memo.facts[i].text)).join('; ')})`);
      }
      t.mood = 'answer';
    }
    const count = t.terse ? 1 : st.verbosity === 'verbose' ? 2 : t.userTurn === 1 ? 2 : 1;
    const raised = this.raise(t, t.asked ? 1 : count);
    if (raised.length) {
      moves.push(`raise ${raised.map((x) => x.id).join(' and ')}`);
      if (t.mood === 'other') t.mood = 'raise';
    } else if (!t.asked && t.focus) {
      // "I've asked more than once" only once I have asked again before.
      const focus = t.focus;
      const echoed = !ctx.newlyMet.length && ctx.events.includes('concern_ignored');
      const impatient = (ctx.state.patience < 0.4 || echoed) && t.memo.pressed.has(focus.id);
      t.memo.pressed.add(focus.id);
      const again = this.line(t, impatient ? P.PRESS_IMPATIENT : P.PRESS, impatient ? 'pi' : 'pr');
      t.say.push(again);
      t.raisedNow.push(focus.id);
      moves.push(`ask again about ${focus.id}${echoed ? ', since they did not actually answer it' : ''}${impatient ? ', firmly' : ''} ("${again}")`);
      t.mood = 'press';
    } else if (!t.asked && !t.say.length) {
      t.say.push(this.line(t, P.POLICY_LINES.probe, 'probe'));
      moves.push('ask what else they can do');
    }
    if (ctx.tactic) {
      // A tactic the user need not resist (no must_resist, trust still high): stay wary, give nothing away.
      t.say.unshift(this.line(t, P.WARY, 'wary'));
      moves.unshift(`stay wary of the ${humanize(ctx.tactic)} and agree to nothing`);
    }
    t.plan = moves.length ? `${raised.length ? 'reveal' : t.asked ? 'answer' : 'ask'}: ${moves.join(', then ')}` : 'ask: keep the conversation going';
  }

  /** Raises up to `count` targets in agenda order (those the agent's words touch, upfront ones, then later ones when nothing is pending); returns those raised. */
  private raise(t: Turn, count: number): AgendaTarget[] {
    const { ctx, sc, st } = t;
    const isOpen = (x: AgendaTarget) => !ctx.raised.has(x.id) && !t.raisedNow.includes(x.id) && !isMet(ctx, x.id);
    const chosen: AgendaTarget[] = [];
    if (t.agentText) {
      for (const x of sc.targets) {
        if (chosen.length >= count) break;
        if (x.reveal === 'when_asked' && isOpen(x) && touches(x, t.agentText)) chosen.push(x);
      }
    }
    let upfront = false;
    for (const x of sc.targets) {
      if (x.reveal !== 'upfront' || !isOpen(x)) continue;
      upfront = true;
      if (chosen.length >= count) break;
      chosen.push(x);
    }
    if (!upfront && chosen.length < count && !sc.targets.some((x) => x.reveal !== 'never' && ctx.raised.has(x.id) && !isMet(ctx, x.id))) {
      for (const x of sc.targets) {
        if (chosen.length >= count) break;
        if (x.reveal === 'when_asked' && isOpen(x) && !chosen.includes(x)) chosen.push(x);
      }
    }
    for (let i = 0; i < chosen.length; i++) {
      const x = chosen[i];
      const first = i === 0 && !t.raisedNow.length;
      const bank = (first ? (t.userTurn === 1 ? P.RAISE_FIRST : P.RAISE) : P.ALSO)[st.register];
      // Terse speakers keep the question of a longer `say`.
      const goal = t.terse ? x.raiseTerse : x.raiseAs;
      // A `say` with its own lead-in ("Sorry, can I ask ...", "Before anything else, ...") is said as it is.
      if (first && goal.leadIn) t.say.push(goal.text);
      else t.say.push(fill(pick(t.memo, first ? (t.userTurn === 1 ? 'raisetrue' : 'raisefalse') : 'also', t.terse ? shortHalf(bank) : bank), { goal: goal.lower }));
      t.raisedNow.push(x.id);
    }
    return chosen;
  }

  private volunteerFact(t: Turn): boolean {
    const i = t.sc.memory.findIndex((_, k) => !t.memo.stated.has(k));
    if (i < 0) return false;
    t.memo.stated.add(i);
    const lead = t.reg === 'formal' ? 'For context, ' : t.reg === 'casual' ? 'Oh and ' : 'Just so you know, ';
    t.say.push(`${lead}${lowerFirst(sentence(t.sc.memory[i].text))}`);
    return true;
  }

  /** States the facts, the first with an answer lead-in ("Sure: ..."), or "Like I said" when it was said before. */
  private stateFacts(t: Turn, idx: number[]): void {
    idx.forEach((i, k) => {
      const again = t.memo.stated.has(i);
      t.memo.stated.add(i);
      const f = sentence(t.memo.facts[i].text);
      if (again) t.say.push(`Like I said, ${lowerFirst(f)}`);
      else if (k === 0) t.say.push(fill(pick(t.memo, 'af', P.ANSWER_FACT[t.reg]), { fact: lowerFirst(f) }));
      else t.say.push(upperFirst(f));
    });
  }

  // ---- 3. the words, in the profile's voice -------------------------------------------------

  private speak(t: Turn): string {
    const { st, memo, ctx } = t;
    const rng = memo.rng;
    // A chatty aside ("I just want this sorted") goes with raising or pressing a point, not with an answer.
    if (!t.ending && st.verbosity === 'verbose' && rng.chance(0.7) && !(rng.chance(0.5) && this.volunteerFact(t)) && (t.mood === 'raise' || t.mood === 'press')) {
      const aside = this.fromLines(t, P.VERBOSE_TAIL[t.reg], 'vt', NONE, null);
      if (aside) t.say.push(aside);
    }
    if (t.userTurn === 1 && !t.terse && (!t.agentText || rng.chance(0.5)) && !t.ending) t.say.unshift(pick(memo, 'greet', P.GREET[t.reg]));
    // "Okay, good. Okay, I'd like ..." → the second lead-in goes.
    for (let i = 1; i < t.say.length; i++) {
      const lead = /^([A-Za-z]+),\s+/.exec(t.say[i]);
      const prev = t.say[i - 1].toLowerCase();
      const word = lead?.[1].toLowerCase();
      if (word && prev.startsWith(word) && !/[a-z]/.test(prev.charAt(word.length))) t.say[i] = upperFirst(t.say[i].slice(lead![0].length));
    }
    // The voice per part: bank lines and `say` lines recur, so each is restyled once (cached).
    let body = t.say.map((x) => restyle(x, st)).join(' ');
    const token = t.token ?? t.stop;
    const stopAt = body.indexOf(token);
    let tail = '';
    if (stopAt >= 0) {
      tail = ` ${token}`;
      body = body.slice(0, stopAt).trim();
    }
    const voiced = shape(body, st, memo, { agentText: t.agentText, asked: t.asked, mood: t.mood, userTurn: t.userTurn, targets: t.sc.targets, raised: ctx.raised, identity: t.identity, pick: (k, lines) => pick(memo, k, lines) });
    // The voice's additions (a filler, a lead-in) can make a short line a sentence said before ("Er, hmm, no." twice): then the turn goes without them.
    const fresh = (text: string) => !sentencesOf(text).some((x) => memo.said.has(x));
    if (fresh(voiced) || !fresh(body)) body = voiced;
    for (const part of t.say) for (const x of sentencesOf(part)) memo.said.add(x);
    for (const x of sentencesOf(body)) memo.said.add(x);
    return `${body}${tail}`.trim();
  }

  // ---- 4. the rationale ---------------------------------------------------------------------

  private rationale(t: Turn, answer: string): UserTurnOutput {
    const { ctx } = t;
    const policies = ctx.policies.length ? ctx.policies.filter((p) => !t.plan.includes(p.id)) : ctx.policies;
    const sections = {
      agent_intent: oneLine(intentText(ctx, t.asked)),
      concerns: concernsLine(concernsText(ctx, t.sc, t.memo.pressed), t.sc, ctx.tactic),
      plan: planLine(t.plan, policies.length ? `; my rules in play: ${policies.map(ruleNote).join(', ')}` : ''),
      state: stateText(ctx),
      tone: toneLine(t.st, ctx.state, t.mood === 'resist' || t.plan.startsWith('refuse')),
    };
    const raw = formatRationale(sections);
    // The loop would parse this back to exactly `parsed` (a test checks); handing it over saves the parse.
    return { content: formatUserOutput(raw, answer), state: ctx.state, raised: t.raisedNow, parsed: { answer, rationale: { raw, sections, missing: [] } } };
  }
}

/** A rationale section on one line (never empty). */
function oneLine(x: string): string {
  return (x.includes('\n') || x.includes('\r') || x.includes('\t') ? x.replace(/\s+/g, ' ').trim() : x) || 'nothing in particular';
}

const BREAK = /[\n\r\t]/;
/** `oneLine(concerns)`: the line is made of target ids, fixed words and the tactic's name, so it needs the check only when one of those breaks the line. */
function concernsLine(concerns: string, sc: CompiledAgenda, tactic: string | undefined): string {
  return sc.idsBreak || (tactic !== undefined && BREAK.test(tactic)) ? oneLine(concerns) : concerns || 'nothing in particular';
}
/** `oneLine(plan + rules)`, without copying the joined text when neither part breaks the line. */
function planLine(plan: string, rules: string): string {
  return BREAK.test(plan) || BREAK.test(rules) ? oneLine(`${plan}${rules}`) : `${plan}${rules}` || 'nothing in particular';
}

const actNotes = new WeakMap<Policy, string>();
/** The plan when a policy acts: `ask: my rule r1 applies: ask for the fee` (once per policy). */
function actNote(p: Policy): string {
  let note = actNotes.get(p);
  if (note === undefined) actNotes.set(p, (note = `${p.action}: my rule ${p.id} applies: ${lowerFirst(stripStop(p.then))}`));
  return note;
}

const ruleNotes = new WeakMap<Policy, string>();
/** A rule in play as the plan names it: `refuse-upsell (say no to extras)` (once per policy). */
function ruleNote(p: Policy): string {
  let note = ruleNotes.get(p);
  if (note === undefined) ruleNotes.set(p, (note = `${p.id} (${lowerFirst(stripStop(p.then))})`));
  return note;
}

const tones = new WeakMap<Style, string[]>();
/** The tone line, one line: it depends only on the profile's style and which state bands the values are in, so each is written once per style. */
function toneLine(st: Style, state: State, firm: boolean): string {
  const band = (firm ? 1 : 0) | (state.patience < 0.35 ? 2 : 0) | (state.trust < 0.35 ? 4 : 0) | (state.emotion < 0.3 ? 8 : state.emotion > 0.7 ? 16 : 0);
  let lines = tones.get(st);
  if (!lines) tones.set(st, (lines = []));
  return (lines[band] ??= oneLine(toneText(st, state, firm)));
}

/** Whether the agent's words touch a target: two of its words (description, say, cues, done_when). */
function touches(x: AgendaTarget, agentText: string): boolean {
  return overlap(x.stems, contentStems(agentText)) >= 2;
}
