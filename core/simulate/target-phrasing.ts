// A target said in words when the scenario gives no `say`: its description ("Find out the total
// monthly cost including fees", "Do not accept a plan over 45 a month", "She wants her $129 back")
// rewritten into a first-person user line ("What would the total monthly cost be, including fees?",
// "I won't go over 45 a month.", "I want my $129 back.") and into agent lines that address it
// ("Let me go over the total monthly cost with you, including fees."). Deterministic, small, and
// shared by the agenda simulator and the scripted/adversarial agents (one source of truth).
import type { Target } from '../generated/schema-types';
import { contentStems, firstPerson, lowerFirst, stripStop, upperFirst } from '../util/text';
import { answerKind, type AnswerKind } from '../dialogue/rules';

/** Verbs a target description may start with (imperative: "Get ...", "Keep ..."). */
export const VERBS = new Set(['get', 'keep', 'avoid', 'cancel', 'find', 'know', 'understand', 'have', 'make', 'pay', 'reduce', 'lower', 'switch',
  'confirm', 'receive', 'obtain', 'stop', 'return', 'fix', 'change', 'sort', 'learn', 'see', 'check', 'move', 'add', 'remove', 'upgrade',
  'downgrade', 'book', 'schedule', 'refund', 'secure', 'negotiate', 'clarify', 'verify', 'waive', 'dispute', 'arrange',
  'transfer', 'close', 'open', 'renew', 'extend', 'delay', 'postpone', 'ensure', 'protect', 'resolve', 'report', 'replace', 'repair', 'claim',
  'leave', 'hear', 'speak', 'talk', 'decline', 'refuse', 'compare', 'take', 'buy', 'sell', 'send', 'give', 'save', 'use', 'start', 'finish',
  'end', 'hold', 'ask', 'apply', 'join', 'complete', 'submit', 'review', 'reschedule', 'choose', 'pick', 'explain', 'discuss', 'cover',
  'include', 'reach', 'contact', 'visit', 'try', 'earn', 'spend', 'borrow', 'owe', 'settle', 'update', 'remain', 'stay', 'agree', 'accept', 'be']);

/** How a target is said when it has no `say`. */
export interface TargetPhrasing {
  /** The user raises it: one or two first-person sentences. */
  user: string;
  /** The user asks for it again: a short question or statement. */
  ask: string;
  /** A noun phrase for it in the user's words ("the total monthly cost"), when it has one. */
  topic?: string;
  /** A limit the user sets (not a question): the agent acknowledges it, never discusses it as a topic. */
  limit: boolean;
  /**
   * Agent lines (second person) about it: first one that only promises to look into it (an echo,
   * which does not meet the target), then one that answers it with a value of the kind it asks for
   * (an amount, a day and time, a term, a yes), which does.
   */
  agent: readonly string[];
  /** The agent's answer alone (the last of `agent`). */
  answer: string;
  /** Stems of the words that talk about the same thing: description and `done_when`, without the goal verbs. */
  cueStems: ReadonlySet<string>;
}

const LEARN = /^(?:find out|learn|know|understand|discover|establish|determine|figure out|work out|get to know|clarify)\b\s*(?:about\s+)?/i;
const ASK = /^ask\b\s*/i;
const CONFIRM = /^(?:confirm|verify|make sure|be sure|ensure|hear|double-check|check)\b\s*/i;
const KEEP = /^(?:keep|hold on to|retain)\b\s*/i;
const OBTAIN = /^(?:get|have|receive|obtain|secure)\b\s*/i;
const NEGATION = /^(?:do not|don't|never|not)\s+/i;
const WANT = /^I (?:want|need|would like|'d like)\s+/;
const CLAUSE = /^(?:whether|if|that|what|how|when|where|why|which|who|whom)\b/i;
const LIMIT = /\b(?:over|above|more than|beyond|exceeding|under|below|less than|at most|no more than)\s+((?:[$€£]\s?)?\d(?:[\d,]*\d)?(?:\.\d+)?(?:\s+(?:a|per|each|every|in|dollars?|euros?|pounds?|month|year|week|monthly|yearly|total|k))*)/i;
const VALUE_HEAD = /\b(?:copay|fare|cost|costs|price|prices|fee|fees|charge|charges|total|amount|rate|premium|payment|bill|balance|salary|range|date|deadline|length|limit|number|time|penalty|deposit|interest|figure|quote|allowance|discount)$/i;
const SPLIT_MODS = /\s+(?=(?:including|excluding|with|without|after|before|once|when|if|by|in case|so that|because)\b)|,\s*/i;
const ADVERB_TAIL = /\s+(?:right now|early|first|now|exactly|precisely|upfront|up front|later|today|quickly)$/i;
const AUX = new Set(['is', 'are', 'am', 'was', 'were', 'will', 'would', 'can', 'could', 'should', 'has', 'have', 'had', 'may', 'might', 'must', 'does', 'do', 'did']);
const DET = new Set(['the', 'a', 'an', 'my', 'your', 'his', 'her', 'its', 'our', 'their', 'this', 'that', 'these', 'those', 'it', 'i', 'you', 'he', 'she', 'we', 'they', 'there', 'any', 'some', 'no', 'nothing', 'something', 'anything', 'everything']);
const PRONOUN = new Set(['this', 'that', 'it', 'there', 'he', 'she', 'they', 'i', 'you', 'we', 'nothing', 'something', 'anything', 'everything']);
const NOT_MAIN_AFTER = new Set(['to', 'for', 'with', 'about', 'on', 'in', 'at', 'the', 'a', 'an', 'my', 'your', 'it', 'this', 'that']);
/** Goal verbs and fillers that say nothing about the subject (left out of cue stems). */
const GOAL_WORDS = new Set([...contentStems('find out learn know understand discover establish determine check confirm verify make sure ensure ask whether keep receive obtain have hear accept avoid never want wants would like see get')]);

const cache = new WeakMap<Target, TargetPhrasing>();

/** The user's and the agent's words for a target (cached per target object). */
export function phraseTarget(t: Target): TargetPhrasing {
  let p = cache.get(t);
  if (!p) {
    // In the user's words, so that "his"/"her" (not stopwords) do not count as content.
    const cueStems = new Set([...contentStems(firstPerson(`${t.description} ${t.done_when ?? ''}`))].filter((x) => !GOAL_WORDS.has(x)));
    const { subject, done, ...built } = build(t.description);
    const answer = answerLine(answerKind(t), subject, done);
    p = { ...built, agent: [built.agent[0], answer], answer, cueStems: cueStems.size >= 2 ? cueStems : contentStems(t.description) };
    cache.set(t, p);
  }
  return p;
}

/**
 * The agent answering a target with a value of the kind it asks for (the values are placeholders
 * a scripted agent can say: $48.50, Tuesday the 14th at 10 am, a 12-month term, 3, yes).
 */
function answerLine(kind: AnswerKind, subject: string, done: string | undefined): string {
  const on = `On ${subject.replace(/^(?:the|your)\s+/i, (m) => m.toLowerCase())}`;
  switch (kind) {
    case 'amount': return done && /\d/.test(done) ? done : s(`${on}: it comes to $48.50 in total, everything included`);
    case 'time': return s(`${on}: that is Tuesday the 14th, at 10 am`);
    case 'term': return s(`${on}: it is a 12-month term, and after that it runs month to month`);
    case 'count': return s(`${on}: there are 3 in all`);
    case 'yesno': return done ?? s(`Yes, I can confirm ${/^(?:that|you|the|your|it|there)\b/i.test(subject) ? '' : 'that '}${subject}`);
    case 'action': return done ?? s(`Yes, that's done: ${subject} is all sorted for you`);
    default: return s(`${on}: it stays as it is, and nothing else changes for you`);
  }
}

/** First person (the user's words) turned to the agent's "you". */
export function toAgent(text: string): string {
  return text
    .replace(/\bI am\b|\bI'm\b/g, 'you are')
    .replace(/\bmyself\b/gi, 'yourself')
    .replace(/\bmy\b/g, 'your').replace(/\bMy\b/g, 'Your')
    .replace(/\bmine\b/gi, 'yours')
    .replace(/\bme\b/g, 'you')
    .replace(/\bI\b/g, 'you');
}

function s(text: string, stop = '.'): string {
  return upperFirst(`${stripStop(text.trim())}${stop}`);
}

/** A verb in the third person turned to its base form (`changes` → `change`). */
function base(v: string): string {
  return firstPerson(`he ${v}`).replace(/^I\s+/, '');
}

/**
 * An embedded clause as a direct question: "whether the contract length changes" → "Does the
 * contract length change?", "how much data the plan allows" → "How much data does the plan
 * allow?", "when the money will arrive" → "When will the money arrive?". Undefined when the verb
 * cannot be found (past tenses, plural subjects without an auxiliary).
 */
export function toQuestion(clause: string): string | undefined {
  const parts = clause.split(/,?\s+and\s+(?=(?:whether|if|what|how|when|where|why|which|who)\b)/i);
  if (parts.length > 1) {
    const qs = parts.map((x) => toQuestion(x));
    if (qs.some((q) => !q)) return undefined;
    return qs.map((q, i) => (i ? `And ${lowerFirst(q!)}` : q)).join(' ');
  }
  const w = clause.trim().split(/\s+/);
  const yesNo = /^(?:whether|if)$/i.test(w[0]);
  const wh = !yesNo && CLAUSE.test(w[0]) && !/^that$/i.test(w[0]);
  if (!yesNo && !wh) return undefined;
  let whEnd = 0; // index of the last word of the wh-phrase
  if (wh && /^how$/i.test(w[0]) && /^(?:much|many|long|soon|often|far|old)$/i.test(w[1] ?? '')) whEnd = 1;
  const rest = yesNo ? w.slice(1) : w.slice(whEnd + 1);
  if (!rest.length) return undefined;
  const lead = yesNo ? [] : w.slice(0, whEnd + 1);
  // The wh-word is the subject ("who is calling"): already a question.
  if (wh && AUX.has(rest[0].toLowerCase()) && !DET.has(rest[0].toLowerCase())) return s(w.join(' '), '?');
  // Subject: from the first determiner (after "how much ..."), else right after the wh-phrase.
  let subj = 0;
  if (!yesNo) {
    const d = rest.findIndex((x) => DET.has(x.toLowerCase()));
    subj = d >= 0 ? d : 0;
  }
  for (let v = subj + 1; v < rest.length; v++) {
    const word = rest[v];
    const lower = word.toLowerCase();
    const prev = rest[v - 1].toLowerCase();
    const next = (rest[v + 1] ?? '').toLowerCase();
    const mainDo = /^(?:does|do|did)$/.test(lower) && (!next || NOT_MAIN_AFTER.has(next));
    // "has refills left": `has` as the main verb ("Does the medication have refills left?"), not an auxiliary ("has been", "has arrived").
    if (/^(?:has|have)$/.test(lower) && next && !/(?:ed|en)$/.test(next) && !/^(?:been|got|gotten|to|not|already|just)$/.test(next)) {
      const q = [...lead, ...rest.slice(0, subj), 'does', ...rest.slice(subj, v), 'have', ...rest.slice(v + 1)];
      return s(q.join(' '), '?');
    }
    if (AUX.has(lower) && !mainDo) {
      const q = [...lead, ...rest.slice(0, subj), word, ...rest.slice(subj, v), ...rest.slice(v + 1)];
      return s(q.join(' ').replace(/\s+,/g, ','), '?');
    }
    if ((mainDo || (/^[a-z]+s$/.test(word) && !/(?:ss|us|is|ous)$/.test(lower))) && (!DET.has(prev) || (mainDo && PRONOUN.has(prev))) && !/^\d/.test(prev) && prev !== 'of') {
      const q = [...lead, ...rest.slice(0, subj), lower === 'did' ? 'did' : 'does', ...rest.slice(subj, v), lower === 'did' ? 'do' : base(lower), ...rest.slice(v + 1)];
      return s(q.join(' '), '?');
    }
    if (/[,;]$/.test(word)) break;
  }
  return undefined;
}

/** A noun phrase split into its core ("the total monthly cost") and what follows (", including fees"). */
function splitNoun(np: string): { core: string; mods: string } {
  const m = SPLIT_MODS.exec(np);
  const head = m ? np.slice(0, m.index) : np;
  const core = head.replace(ADVERB_TAIL, '').replace(/\s+(?:and|or)$/i, '').trim();
  let mods = m ? np.slice(m.index).trim().replace(/^,\s*/, '') : '';
  if (/\s(?:and|or)$/i.test(head)) mods = `${/\s(and|or)$/i.exec(head)![1]} ${mods}`;
  const adverb = ADVERB_TAIL.exec(head)?.[0].trim();
  if (adverb) mods = `${adverb}${mods ? `, ${mods}` : ''}`;
  return { core, mods };
}

function withMods(head: string, mods: string): string {
  if (!mods) return head;
  return /^(?:including|excluding|taxes|fees|all)\b/i.test(mods) ? `${head}, ${mods}` : `${head} ${mods}`;
}

/** `subject`: what the target is about, in the agent's words; `done`: the agent saying it is done (action targets). */
type Parsed = Omit<TargetPhrasing, 'cueStems' | 'answer'> & { subject: string; done?: string };

/** Lines for a question (an embedded clause, user's words). */
function clauseLines(clause: string, frame: 'ask' | 'know' | 'confirm'): Parsed {
  const subject = /^(?:whether|if)\s+(.+?)\s+(?:is|are|will|would|can|could|has|have|does|do|[a-z]+s)\b/i.exec(clause)?.[1];
  const topic = subject && /^(?:the|my)\s/i.test(subject) ? subject : undefined;
  const q = frame === 'confirm' ? undefined : toQuestion(clause);
  const body = frame === 'confirm' ? (/^that\b/i.test(clause) ? clause : `that ${clause}`) : clause;
  const user = q ?? (frame === 'confirm' ? s(`Can you confirm ${body}`, '?') : s(`Could you tell me ${body}`, '?'));
  const a = toAgent(body);
  const second = frame === 'confirm' ? s(`I'll double-check ${a} for you`) : s(`Good question, let me look into ${a}`);
  return { user, ask: user, topic, limit: false, agent: [s(`Let me check ${a}`), second], subject: toAgent(clause.replace(/^(?:whether|if|that)\s+/i, '')) };
}

/** Lines for a noun phrase the user wants to know about. */
function learnLines(np: string, verb: string): Parsed {
  const { core, mods } = splitNoun(np);
  const a = toAgent(np);
  const simple = !mods || /^(?:including|excluding|taxes|fees)\b/i.test(mods);
  const agent = [s(simple ? withMods(`Let me go over ${toAgent(core)} with you`, toAgent(mods)) : `Let me go over ${a}`), s(`Sure, I'll walk you through ${a}`)];
  if (/^(?:the|my)\s/i.test(core) && VALUE_HEAD.test(core.replace(/\s+(?:for|of|on|under|at)\s+.*$/, '')) && (!mods || /^(?:including|excluding|with|without|after|before|for|per|taxes|fees)\b/i.test(mods))) {
    const user = s(withMods(`What would ${core} be`, mods), '?');
    return { user, ask: s(`What would ${core} be`, '?'), topic: core, limit: false, agent, subject: toAgent(core) };
  }
  const user = s(`I'd like to ${/^know$/i.test(verb) ? 'find out' : 'know'} ${np}`);
  return { user, ask: s(`What can you tell me about ${core}`, '?'), topic: core, limit: false, agent, subject: toAgent(core) };
}

/** Lines for something the user wants to have (`np` in the user's words). */
function obtainLines(np: string, want = "I'd like"): Parsed {
  const a = toAgent(np);
  const core = splitNoun(np).core;
  // "the late fees waived": the agent talks about "the late fees".
  const thing = /^(.+\s\w+)\s+\w+ed$/i.exec(np)?.[1];
  if (/^any\s/i.test(np)) {
    const user = s(`Is there ${np}`, '?');
    return { user, ask: user, topic: undefined, limit: false, agent: [s(`Let me see what I can do about ${a}`), s(`I'll check ${a} for you`)], subject: a, done: s(`Yes, there is ${a}, and I've applied it for you`) };
  }
  return {
    user: s(`${want} ${np}`), ask: s(`Can I get ${np}`, '?'), topic: /^(?:the|my)\s/i.test(thing ?? core) && (thing ?? core).split(' ').length <= 5 ? thing ?? core : undefined, limit: false,
    agent: [s(`Let me see what I can do about ${toAgent(thing ?? np)}`), `I understand you'd like ${stripStop(a)}. Let me look into it.`],
    subject: toAgent(thing ?? np), done: s(`All done: I've arranged ${a} for you`),
  };
}

function build(description: string): Parsed {
  // "her" as an object ("at no cost to her") is "me", not "my".
  const objectHer = stripStop(description.trim()).replace(/\bher\b(?=\s*(?:[.,;!?]|$|(?:and|or|but|if|when|before|after|so|because)\b))/gi, 'him');
  let d = firstPerson(objectHer);
  d = d.replace(/^(?:the (?:customer|caller|user)|I)\s+(?:wants|want|needs|need|would like|'d like|hopes|hope)\s+to\s+/i, '');
  const want = WANT.exec(d);
  if (want) return obtainLines(d.slice(want[0].length), 'I want');
  const vp = lowerFirst(d);

  // A limit or a thing not to do.
  const amount = LIMIT.exec(vp.split(/;/)[0]);
  const neg = NEGATION.exec(vp) ?? /^avoid\s+/i.exec(vp);
  if (amount && (neg || KEEP.test(vp) || /^(?:pay|spend|stay)\b/i.test(vp))) {
    const lim = amount[1].trim();
    const inner = vp.slice(neg?.[0].length ?? 0, amount.index).trim().split(/\s+/);
    const obj = inner.slice(1).join(' ').replace(/^(?:a|an)\s+/i, 'any ').replace(/\s+(?:of|for)$/i, '');
    const thing = obj ? toAgent(obj) : 'it';
    const user = s(`I won't go over ${lim}`);
    return { user, ask: user, limit: true, agent: [s(`Noted. Nothing over ${lim}${obj ? ` for ${thing}` : ''}, then`), s(`Understood, I'll keep ${thing} under ${lim}`)], subject: thing, done: s(`Understood, I'll keep ${thing} under ${lim}`) };
  }
  if (neg) {
    let rest = vp.slice(neg[0].length);
    if (/^avoid/i.test(neg[0])) rest = `end up ${rest}`;
    const a = toAgent(rest);
    const user = s(`I don't want to ${rest}`);
    return { user, ask: user, limit: true, agent: [s(`Noted, you'd rather not ${a}`), s(`Understood, you don't want to ${a}. I'll keep that in mind`)], subject: a, done: s(`Understood: you won't have to ${a}, I've made sure of it`) };
  }

  let m: RegExpExecArray | null;
  if ((m = ASK.exec(vp))) {
    const rest = vp.slice(m[0].length);
    if (CLAUSE.test(rest)) return clauseLines(rest, 'ask');
    if (/^about\s+/i.test(rest)) {
      const np = rest.replace(/^about\s+/i, '');
      const user = s(`Can you tell me about ${np}`, '?');
      return { ...learnLines(np, 'ask'), user, ask: user };
    }
    if (/^for\s+/i.test(rest)) return obtainLines(rest.replace(/^for\s+/i, ''));
    return learnLines(rest, 'ask');
  }
  if ((m = CONFIRM.exec(vp))) {
    const rest = vp.slice(m[0].length);
    if (CLAUSE.test(rest) || /^(?:make|be)\s+sure|^ensure|^hear/i.test(m[0]) || / (?:is|are|was|were|has|have|will|can)\b/i.test(rest)) return clauseLines(rest, 'confirm');
    const a = toAgent(rest);
    const user = s(`Could you double-check ${rest} for me`, '?');
    return { user, ask: user, topic: splitNoun(rest).core, limit: false, agent: [s(`Let me check ${a} for you`), s(`I'll double-check ${a} now`)], subject: a };
  }
  if ((m = LEARN.exec(vp))) {
    const rest = vp.slice(m[0].length).replace(/^(?:exactly|precisely|roughly|just)\s+(?=(?:how|what|when|where|which|whether|if)\b)/i, '');
    if (CLAUSE.test(rest)) return clauseLines(rest, 'know');
    return learnLines(rest, m[0].trim());
  }
  if ((m = KEEP.exec(vp))) {
    const rest = vp.slice(m[0].length);
    const a = toAgent(rest);
    return { user: s(`I want to keep ${rest}`), ask: s(`Can I keep ${rest}`, '?'), topic: undefined, limit: false, agent: [s(`Let me see about ${a}`), s(`You can keep ${a}, no problem`)], subject: `you keep ${a}`, done: s(`Yes, you can keep ${a}, no problem`) };
  }
  if ((m = OBTAIN.exec(vp))) return obtainLines(vp.slice(m[0].length));

  const first = /^[a-z]+/i.exec(vp)?.[0]?.toLowerCase() ?? '';
  if (VERBS.has(first)) {
    const a = toAgent(vp);
    return { user: s(`I'd like to ${vp}`), ask: s(`Can I ${vp}`, '?'), topic: undefined, limit: false, agent: [s(`Let me see what I can do so you can ${a}`), s(`I can help you ${a}`)], subject: a, done: s(`All done: I've set it up so you can ${a}`) };
  }
  // A noun phrase: a value to learn ("The all-in monthly price ..."), else something wanted ("A full refund ...").
  const core = splitNoun(vp).core;
  if (/^the\s/i.test(core) && VALUE_HEAD.test(core)) return learnLines(vp, 'know');
  if (/^(?:a|an|any|my|some|\$|€|£|\d)/i.test(vp)) return obtainLines(vp);
  const user = s(`What can you tell me about ${vp}`, '?');
  return { user, ask: user, topic: undefined, limit: false, agent: [s(`Let me go over ${toAgent(vp)} with you`), s(`Sure, I'll walk you through ${toAgent(vp)}`)], subject: toAgent(vp) };
}
