// The profile's voice on every line the agenda user says: register (formality), verbosity, typical
// phrases, quirks and typing habits. Scenario text (`say` lines, memory) is content, never voice:
// its vocatives and slang are restyled to the profile ("dear" from another persona's `say` line is
// dropped, "gonna" becomes "going to" for a formal speaker, "i" becomes "I").
import type { ResolvedProfile } from '../dialogue/types';
import type { Rng } from '../util/rng';
import { contentStems, lowerFirst, overlap, sentence, upperFirst, words } from '../util/text';
import type { AgendaTarget } from './agenda-model';
import * as P from './phrases';
import { norm } from './reading';

export interface Style {
  register: P.Register;
  verbosity: 'terse' | 'standard' | 'verbose';
  phrases: string[];
  quirks: Set<string>;
  /** How the quirks read in the rationale's tone line ("I tend to repeat questions and drift off topic"). */
  quirkText: string;
  /** Words the profile itself uses (its typical phrases): a vocative there is the profile's own voice. */
  ownWords: Set<string>;
}

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
    };
    styles.set(profile, s);
  }
  return s;
}

const VOCATIVES = 'dear|mate|man|buddy|pal|hon|honey|love|sweetie|dude|bro|sir|madam|ma\'am|folks|guys';
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

const restyled = new Map<string, string>();
/** A line in the profile's register: the profile's own vocatives kept, others dropped; slang or stiffness adjusted; capitals fixed. */
export function restyle(text: string, st: Style): string {
  const key = `${st.register}|${st.ownWords.has('dear') ? 'd' : ''}|${text}`;
  let out = restyled.get(key);
  if (out !== undefined) return out;
  out = text
    .replace(VOCATIVE_AFTER, (m, v: string) => (st.ownWords.has(v.toLowerCase()) ? m : ''))
    .replace(VOCATIVE_BEFORE, (m, lead: string, v: string) => (st.ownWords.has(v.toLowerCase()) ? m : lead));
  for (const [re, to] of st.register === 'formal' ? FORMAL : st.register === 'casual' ? CASUAL : NEUTRAL) out = out.replace(re, (m) => (m[0] === m[0].toUpperCase() ? upperFirst(to) : to));
  // "i" alone is "I"; every sentence starts with a capital (lowercase typing is a quirk, applied later).
  out = out.replace(/\bi\b(?!\.)/g, 'I').replace(/(^|[.!?]\s+)([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase()).replace(/\s{2,}/g, ' ').trim();
  if (restyled.size >= 5000) restyled.clear();
  restyled.set(key, out);
  return out;
}

/** What a turn does, so that typical phrases and asides fit it. */
export type Mood = 'end' | 'resist' | 'refuse' | 'press' | 'ack' | 'raise' | 'answer' | 'other';

/** Per-dialogue memory the voice needs. */
export interface VoiceMemo { rng: Rng; lastPhrase: number; lastAside: number; phraseAt: Map<number, number> }

/** Whether a typical phrase suits what the turn does: "..., but" and refusals go with pushback, cheers with good news, none with goodbyes. */
function phraseFits(phrase: string, mood: Mood, body: string, targets: readonly AgendaTarget[], raised: ReadonlySet<string>, identity: boolean): boolean {
  if (mood === 'end' || identity) return false; // nothing before "Yes, speaking."
  if (words(phrase)[0] === words(body)[0]) return false; // "Okay, ... Okay, ..."
  if (!/[.!?]$/.test(phrase) && phrase.split(' ').length <= 3 && /^[A-Za-z']+,/.test(body)) return false; // "Like, honestly, look, ..."
  if (/\b(?:but|and|so|because|or)$/i.test(phrase)) return mood === 'press';
  if (/\b(?:can't|cannot|won't|not|don't|no|nothing|runaround|afraid)\b/i.test(phrase)) return mood === 'resist' || mood === 'refuse';
  if (/!|\b(?:cool|great|lovely|nice|perfect)\b/i.test(phrase)) return mood === 'ack';
  if (norm(body).includes(norm(phrase))) return false;
  const ps = contentStems(phrase);
  // A request ("Could you put that in writing?") only about a target I have raised; never one I have not brought up yet.
  if (/\?$/.test(phrase) || /^(?:could|can|would|will|please)\b/i.test(phrase)) return ps.size > 0 && targets.some((t) => raised.has(t.id) && overlap(ps, t.stems) >= Math.min(2, ps.size));
  return !targets.some((t) => !raised.has(t.id) && overlap(ps, t.stems) >= Math.min(2, ps.size));
}

/** Typical phrases and quirks on a turn's text, deterministic from the seeded RNG. */
export function shape(text: string, st: Style, memo: VoiceMemo, c: { agentText: string; asked: boolean; mood: Mood; userTurn: number; targets: readonly AgendaTarget[]; raised: ReadonlySet<string>; identity: boolean; pick: (key: string, lines: readonly string[]) => string }): string {
  const rng = memo.rng;
  const ending = c.mood === 'end';
  let out = text;
  if (st.phrases.length && rng.chance(st.verbosity === 'verbose' ? 0.5 : st.verbosity === 'terse' ? 0.25 : 0.35)) {
    let i = rng.int(st.phrases.length);
    if (i === memo.lastPhrase && st.phrases.length > 1) i = (i + 1) % st.phrases.length;
    const phrase = upperFirst(st.phrases[i].trim());
    // Questions and short remarks ("Here's the thing.") lead; longer statements may trail; in the first turn nothing goes before the greeting.
    const before = c.userTurn > 1 && (!/\?$/.test(phrase) && phrase.split(' ').length > 5 ? rng.chance(0.5) : true);
    if (c.userTurn - (memo.phraseAt.get(i) ?? -9) > 2 && phraseFits(phrase, c.mood, out, c.targets, c.raised, c.identity) && (before || !/\b(but|and|so|because|or)$/i.test(phrase))) {
      memo.lastPhrase = i;
      memo.phraseAt.set(i, c.userTurn);
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
    if (q.has('repeats_questions') && c.asked && rng.chance(0.5)) {
      const question = /([^.!?]*)\?/.exec(c.agentText)?.[1] ?? '';
      const tail = words(question).slice(-3).join(' ');
      if (tail) out = `${upperFirst(tail)}? ${out}`;
    }
    if (q.has('fillers') && rng.chance(0.45)) out = `${upperFirst(rng.pick(P.FILLERS))}${lowerFirst(out)}`;
    if (q.has('interrupts') && c.agentText.split(' ').length > 20 && rng.chance(0.5)) out = `${c.pick('int', P.INTERRUPTS)} ${out}`;
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
