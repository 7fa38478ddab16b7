// The profile's voice on every line the agenda user says: register (formality), verbosity, typical
// phrases, quirks and typing habits. Scenario text (`say` lines, memory) is content, never voice:
// its vocatives and slang are restyled to the profile ("dear" from another persona's `say` line is
// dropped, "gonna" becomes "going to" for a formal speaker, "i" becomes "I").
import type { ResolvedProfile } from '../dialogue/types';
import type { Rng } from '../util/rng';
import { contentStems, lowerFirst, overlap, sentence, upperFirst, words } from '../util/text';
import type { AgendaTarget } from './agenda-model';
import * as P from './phrases';

export interface Style {
  register: P.Register;
  verbosity: 'terse' | 'standard' | 'verbose';
  phrases: string[];
  quirks: Set<string>;
  /** How the quirks read in the rationale's tone line ("I tend to repeat questions and drift off topic"). */
  quirkText: string;
  /** Words the profile itself uses (its typical phrases): a vocative there is the profile's own voice. */
  ownWords: Set<string>;
  /** The typical phrases as they are said, with what `shape` and `phraseFits` ask of each (read once per profile). */
  said: Phrase[];
  /** Lines already restyled to this voice (shared by every profile with the same register and own vocatives). */
  restyled: Map<string, string>;
}

/** A typical phrase, read once: its text (capitalised), first word, lowercase form without the stop, content stems and the tests on it. */
interface Phrase { text: string; sentence: string; ends: boolean; first: string | undefined; lower: string; stems: Set<string>; question: boolean; long: boolean; lead: boolean; words: number; joins: boolean; negative: boolean; cheer: boolean; request: boolean; trails: boolean }

function readPhrase(raw: string): Phrase {
  const text = upperFirst(raw.trim());
  const n = text.split(' ').length;
  return {
    text, sentence: sentence(text), ends: /[.!?…]$/.test(text) || n > 3, first: words(text)[0], lower: text.toLowerCase().replace(/[.!?,]+$/, ''), stems: contentStems(text), words: n,
    question: /\?$/.test(text), long: !/\?$/.test(text) && n > 5,
    // "Like, honestly, look, ...": a short lead-in does not go before a body that starts with one.
    lead: !/[.!?]$/.test(text) && n <= 3,
    joins: /\b(?:but|and|so|because|or)$/i.test(text),
    negative: /\b(?:can't|cannot|won't|not|don't|no|nothing|runaround|afraid)\b/i.test(text),
    cheer: /!|\b(?:cool|great|lovely|nice|perfect)\b/i.test(text),
    request: /\?$/.test(text) || /^(?:could|can|would|will|please)\b/i.test(text),
    trails: /(?:\b(?:but|and|so|because|or)|,)$/i.test(text),
  };
}

const VOCATIVE_WORDS = ['dear', 'mate', 'man', 'buddy', 'pal', 'hon', 'honey', 'love', 'sweetie', 'dude', 'bro', 'sir', 'madam', "ma'am", 'folks', 'guys'];
const restyledBy = new Map<string, Map<string, string>>();

const styles = new WeakMap<object, Style>();

const QUIRK_TEXT: Record<string, string> = {
  typos: 'make typos when I type fast', fillers: 'say "um" and "well" a lot', interrupts: 'cut in when they go on', repeats_questions: 'repeat questions back',
  off_topic: 'drift off topic', all_lowercase: 'type in lowercase',
};

function listText(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export function styleOf(profile: ResolvedProfile): Style {
  let s = styles.get(profile);
  if (!s) {
    const e = profile.expression ?? {};
    const quirks = (e.quirks ?? []).map((q) => q.toLowerCase().replace(/[\s-]+/g, '_'));
    const phrases = (e.typical_phrases ?? []).filter((x) => x.trim());
    s = {
      register: e.formality ?? 'neutral',
      verbosity: e.verbosity ?? 'standard',
      phrases,
      quirks: new Set(quirks),
      quirkText: quirks.length ? `I tend to ${listText(quirks.map((q) => QUIRK_TEXT[q] ?? q.replace(/_/g, ' ')))}` : '',
      ownWords: new Set(words(phrases.join(' '))),
      said: [],
      restyled: new Map(),
    };
    s.said = phrases.map(readPhrase);
    // restyle() reads only the register and which vocatives are the profile's own.
    const voice = `${s.register}|${VOCATIVE_WORDS.filter((v) => s!.ownWords.has(v)).join(',')}`;
    let done = restyledBy.get(voice);
    if (!done) restyledBy.set(voice, (done = new Map()));
    s.restyled = done;
    styles.set(profile, s);
  }
  return s;
}

const VOCATIVES = VOCATIVE_WORDS.join('|');
const VOCATIVE_AFTER = new RegExp(`,\\s*(${VOCATIVES})\\b(?=\\s*[,.!?])`, 'gi');
const VOCATIVE_BEFORE = new RegExp(`(^|[.!?]\\s+|,\\s+)(${VOCATIVES}),\\s*`, 'gi');

const FORMAL: [RegExp, string][] = [
  [/\b(?:yeah|yep|yup)\b/gi, 'yes'], [/\b(?:nope|nah)\b/gi, 'no'], [/\bgonna\b/gi, 'going to'], [/\bwanna\b/gi, 'want to'], [/\bgotta\b/gi, 'have to'],
  [/\bkinda\b/gi, 'rather'], [/\bsorta\b/gi, 'somewhat'], [/\bdunno\b/gi, 'do not know'], [/\bhey\b/gi, 'hello'], [/\b(?:cool|awesome)\b/gi, 'good'],
  [/\bstuff\b/gi, 'things'], [/\bwhoa,?\s*/gi, ''], [/\bok\b/gi, 'all right'], [/\bthanks\b/gi, 'thank you'], [/\bcheers\b/gi, 'thank you'],
];
const NEUTRAL: [RegExp, string][] = [
  [/\bgonna\b/gi, 'going to'], [/\bwanna\b/gi, 'want to'], [/\bgotta\b/gi, 'have to'], [/\bkinda\b/gi, 'kind of'], [/\bdunno\b/gi, "don't know"], [/\bnah\b/gi, 'no'],
];
const CASUAL: [RegExp, string][] = [
  [/\bI would like\b/g, "I'd like"], [/\bI am\b/g, "I'm"], [/\bdo not\b/g, "don't"], [/\bdoes not\b/g, "doesn't"], [/\bcannot\b/g, "can't"], [/\bwill not\b/g, "won't"],
  [/\bIt is\b/g, "It's"], [/\bit is\b/g, "it's"], [/\bthat is\b/g, "that's"], [/\bCertainly\b/g, 'Sure'], [/\bThank you\b/g, 'Thanks'], [/\bI shall\b/g, "I'll"], [/\bI will\b/g, "I'll"],
];

/** A line in the profile's register: the profile's own vocatives kept, others dropped; slang or stiffness adjusted; capitals fixed. Cached per voice. */
export function restyle(text: string, st: Style): string {
  const cache = st.restyled;
  let out = cache.get(text);
  if (out !== undefined) return out;
  out = text
    .replace(VOCATIVE_AFTER, (m, v: string) => (st.ownWords.has(v.toLowerCase()) ? m : ''))
    .replace(VOCATIVE_BEFORE, (m, lead: string, v: string) => (st.ownWords.has(v.toLowerCase()) ? m : lead));
  for (const [re, to] of st.register === 'formal' ? FORMAL : st.register === 'casual' ? CASUAL : NEUTRAL) out = out.replace(re, (m) => (m[0] === m[0].toUpperCase() ? upperFirst(to) : to));
  // "i" alone is "I"; every sentence starts with a capital (lowercase typing is a quirk, applied later).
  out = out.replace(/\bi\b(?!\.)/g, 'I').replace(/(^|[.!?]\s+)([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase()).replace(/\s{2,}/g, ' ').trim();
  if (cache.size >= 5000) cache.clear();
  cache.set(text, out);
  return out;
}

/** What a turn does, so that typical phrases and asides fit it. */
export type Mood = 'end' | 'resist' | 'refuse' | 'press' | 'ack' | 'raise' | 'answer' | 'other';

/** Per-dialogue memory the voice needs. */
export interface VoiceMemo { rng: Rng; lastPhrase: number; lastAside: number; phraseAt: Map<number, number> }

const FIRST_WORD = /[$€£]?[a-z0-9][a-z0-9'.,]*[a-z0-9]|[a-z0-9]/;

/** Whether a typical phrase suits what the turn does: "..., but" and refusals go with pushback, cheers with good news, none with goodbyes. */
function phraseFits(p: Phrase, mood: Mood, body: string, targets: readonly AgendaTarget[], raised: ReadonlySet<string>, identity: boolean): boolean {
  if (mood === 'end' || identity) return false; // nothing before "Yes, speaking."
  if (p.first === FIRST_WORD.exec(body.toLowerCase())?.[0]) return false; // "Okay, ... Okay, ..."
  if (p.lead && /^[A-Za-z']+,/.test(body)) return false; // "Like, honestly, look, ..."
  if (p.joins) return mood === 'press';
  if (p.negative) return mood === 'resist' || mood === 'refuse';
  if (p.cheer) return mood === 'ack';
  if (body.toLowerCase().includes(p.lower)) return false;
  const ps = p.stems;
  const need = Math.min(2, ps.size);
  // A request ("Could you put that in writing?") only about a target I have raised; never one I have not brought up yet.
  if (p.request) {
    if (ps.size === 0) return false;
    for (const t of targets) if (raised.has(t.id) && overlap(ps, t.stems) >= need) return true;
    return false;
  }
  for (const t of targets) if (!raised.has(t.id) && overlap(ps, t.stems) >= need) return false;
  return true;
}

/** Whether a text has more than `n` words split on single spaces (`text.split(' ').length > n`). */
function moreWordsThan(text: string, n: number): boolean {
  let at = -1;
  for (let k = 0; k < n; k++) {
    at = text.indexOf(' ', at + 1);
    if (at < 0) return false;
  }
  return true;
}

/** Typical phrases and quirks on a turn's text, deterministic from the seeded RNG. */
export function shape(text: string, st: Style, memo: VoiceMemo, c: { agentText: string; asked: boolean; mood: Mood; userTurn: number; targets: readonly AgendaTarget[]; raised: ReadonlySet<string>; identity: boolean; pick: (key: string, lines: readonly string[]) => string }): string {
  const rng = memo.rng;
  const ending = c.mood === 'end';
  let out = text;
  const phrases = st.said;
  if (phrases.length && rng.chance(st.verbosity === 'verbose' ? 0.5 : st.verbosity === 'terse' ? 0.25 : 0.35)) {
    let i = rng.int(phrases.length);
    if (i === memo.lastPhrase && phrases.length > 1) i = (i + 1) % phrases.length;
    const p = phrases[i];
    const phrase = p.text;
    // Questions and short remarks ("Here's the thing.") lead; longer statements may trail; in the first turn nothing goes before the greeting.
    const before = c.userTurn > 1 && (p.long ? rng.chance(0.5) : true);
    if (c.userTurn - (memo.phraseAt.get(i) ?? -9) > 2 && phraseFits(p, c.mood, out, c.targets, c.raised, c.identity) && (before || !p.trails)) {
      memo.lastPhrase = i;
      memo.phraseAt.set(i, c.userTurn);
      if (p.trails) out = `${phrase} ${lowerFirst(out)}`;
      else if (p.ends) out = before ? `${p.sentence} ${out}` : `${out} ${p.sentence}`;
      else out = before ? `${phrase}, ${lowerFirst(out)}` : `${out} ${p.sentence}`; // a short lead-in: "honestly, ..."
    } else {
      memo.lastPhrase = -2;
    }
  } else {
    memo.lastPhrase = -2;
  }
  const q = st.quirks;
  if (q.size) {
    if (q.has('repeats_questions') && c.asked && rng.chance(0.5)) {
      const question = /([^.!?]*)\?/.exec(c.agentText)?.[1] ?? '';
      const tail = words(question).slice(-3).join(' ');
      if (tail) out = `${upperFirst(tail)}? ${out}`;
    }
    if (q.has('fillers') && rng.chance(0.45)) out = `${upperFirst(rng.pick(P.FILLERS))}${lowerFirst(out)}`;
    if (q.has('interrupts') && moreWordsThan(c.agentText, 20) && rng.chance(0.5)) out = `${c.pick('int', P.INTERRUPTS)} ${out}`;
    if (q.has('off_topic') && !ending && !c.identity && c.userTurn > 1 && memo.lastPhrase < 0 && c.userTurn - memo.lastAside > 2 && rng.chance(0.25)) {
      memo.lastAside = c.userTurn;
      out = `${c.pick('off', P.OFF_TOPIC)} ${out}`;
    }
    if (q.has('typos') && rng.chance(0.5)) out = typo(out, rng);
    if (q.has('all_lowercase')) out = out.toLowerCase();
  }
  return out;
}

/** Swaps two inner letters of one longer word (six letters or more: short key words stay readable). */
function typo(text: string, rng: Rng): string {
  const ws = text.split(' ');
  const candidates = ws.map((w, i) => (/^[a-z]{6,}$/i.test(w) ? i : -1)).filter((i) => i >= 0);
  if (!candidates.length) return text;
  const i = rng.pick(candidates);
  const w = ws[i];
  const k = 1 + rng.int(w.length - 3);
  ws[i] = w.slice(0, k) + w[k + 1] + w[k] + w.slice(k + 2);
  return ws.join(' ');
}
