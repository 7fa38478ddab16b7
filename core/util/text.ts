// Small text helpers shared by the simulators, agents and the dialogue loop.

const STOPWORDS = new Set(
  ('a an the and or but if then so to of in on at by for with from as is are was were be been being am do does did ' +
    'have has had i me my mine you your yours we our us they them their he she him his her hers it its this that these those there here ' +
    'what which who whom whose when where why how can could would should will shall may might must not no yes ' +
    'all any some more most other such only own same than too very just also about into over under again ' +
    'get got want need like know think please okay ok well really one two').split(' '),
);

/** Lowercase words (letters, digits, apostrophes, `$`-amounts kept whole). */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[$€£]?[a-z0-9][a-z0-9'.,]*[a-z0-9]|[a-z0-9]/g) ?? [];
}

/** A crude stem: no plural `s`, then the first 5 characters, so `fees`/`fee` and `cancel`/`cancelling` meet. */
export function stem(word: string): string {
  const w = word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;
  return w.length > 5 ? w.slice(0, 5) : w;
}

const stemCache = new Map<string, Set<string>>();

/** Stems of the content words (no stopwords, at least 3 characters). Cached: treat the set as read-only. */
export function contentStems(text: string): Set<string> {
  let out = stemCache.get(text);
  if (out) return out;
  out = new Set<string>();
  for (const w of words(text)) if (w.length >= 3 && !STOPWORDS.has(w)) out.add(stem(w));
  if (stemCache.size >= 2000) stemCache.clear();
  stemCache.set(text, out);
  return out;
}

/** How many elements two sets share. */
export function overlap(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  // Symmetric: walk the smaller set.
  if (a.size > b.size) [a, b] = [b, a];
  let n = 0;
  for (const x of a) if (b.has(x)) n++;
  return n;
}

/** Jaccard similarity of two sets (0 when both are empty). */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  const shared = overlap(a, b);
  const union = a.size + b.size - shared;
  return union === 0 ? 0 : shared / union;
}

/**
 * `jaccard(a, b) >= min`, stopping as soon as the shared elements left possible cannot reach it
 * (the similarity only grows with the number shared, so the answer is the same).
 */
export function jaccardAtLeast(a: ReadonlySet<string>, b: ReadonlySet<string>, min: number): boolean {
  if (a.size > b.size) [a, b] = [b, a];
  const total = a.size + b.size;
  let possible = a.size;
  let shared = 0;
  for (const x of a) {
    if (b.has(x)) shared++;
    else if (--possible / (total - possible) < min) return false;
  }
  const union = total - shared;
  return (union === 0 ? 0 : shared / union) >= min;
}

/** True when `text` (already lowercased) contains the phrase (lowercased) as a whole-word match. */
export function hasPhrase(lowerText: string, lowerPhrase: string): boolean {
  if (!lowerPhrase) return false;
  let from = 0;
  for (;;) {
    const i = lowerText.indexOf(lowerPhrase, from);
    if (i < 0) return false;
    const before = i === 0 ? ' ' : lowerText[i - 1];
    const after = i + lowerPhrase.length >= lowerText.length ? ' ' : lowerText[i + lowerPhrase.length];
    if (!isWordChar(before) && !isWordChar(after)) return true;
    from = i + 1;
  }
}

function isWordChar(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/** First letter lowercased unless the word looks like an acronym or a name (`SIM`, `I`). */
export function lowerFirst(text: string): string {
  if (text.length < 2 || text[1] !== text[1].toLowerCase() || /^I\b/.test(text)) return text;
  return text[0].toLowerCase() + text.slice(1);
}

export function upperFirst(text: string): string {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}

/** Removes a trailing sentence stop so the text can be embedded in a sentence. */
export function stripStop(text: string): string {
  return text.trim().replace(/[.!?]+$/, '');
}

/** Ensures the sentence ends with punctuation. */
export function sentence(text: string): string {
  const t = text.trim();
  return /[.!?…]$/.test(t) ? t : `${t}.`;
}

/** Turns a tactic id like `false_urgency` into `false urgency`. */
const humanized = new Map<string, string>();
export function humanize(id: string): string {
  let out = humanized.get(id);
  if (out === undefined) {
    out = id.replace(/[_-]+/g, ' ');
    if (humanized.size >= 1000) humanized.clear();
    humanized.set(id, out);
  }
  return out;
}

/** Formats a 0..1 value with two decimals. */
export function fmt2(x: number): string {
  return x.toFixed(2);
}

export function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : Math.round(x * 1000) / 1000;
}

const IRREGULAR: Record<string, [string, string]> = {
  is: ['am', 'are'], has: ['have', 'have'], does: ['do', 'do'], "doesn't": ["don't", "don't"], "isn't": ['am not', "aren't"],
  was: ['was', 'were'], "wasn't": ["wasn't", "weren't"], "hasn't": ["haven't", "haven't"],
};
const ADVERBS = '(?:always|usually|never|often|still|already|also|only|just|really|currently|now|sometimes|rarely)';

/** A verb after a subject turned to `I` (person 1) or `you` (2): `pays` → `pay`, `watches` → `watch`, `is` → `am` / `are`. */
function baseVerb(v: string, person: 1 | 2): string {
  const lower = v.toLowerCase();
  if (lower in IRREGULAR) return IRREGULAR[lower][person - 1];
  if (!/^[a-z]+s$/.test(lower) || /(ss|us|is)$/.test(lower)) return v;
  if (/ies$/.test(lower)) return v.slice(0, -3) + 'y';
  if (/(ch|sh|x|z|o)es$/.test(lower)) return v.slice(0, -2);
  return v.slice(0, -1);
}

function person(text: string, p: 1 | 2): string {
  const [subject, possessive, object, reflexive] = p === 1 ? ['I', 'my', 'me', 'myself'] : ['you', 'your', 'you', 'yourself'];
  return text
    .replace(/\b(?:his|her|the customer's|the caller's|the user's)\b/gi, possessive)
    .replace(new RegExp(`\\b(?:she|he|the (?:customer|caller|user))\\b(\\s+${ADVERBS})?\\s+([A-Za-z']+)`, 'gi'), (m, adv: string | undefined, verb: string) =>
      /^(?:a|an|the|to|and|or|for|with|of|in|on|at|by|about|that|this|it|if|when|so|up|your|my|you|me|I)$/i.test(verb) ? m : `${subject}${adv ?? ''} ${baseVerb(verb, p)}`)
    .replace(/\b(?:she|he)\b/gi, subject)
    .replace(/\b(?:the customer|the caller|the user|him)\b/gi, object)
    .replace(/\b(?:himself|herself)\b/gi, reflexive);
}

/**
 * Third person about the user (as authors often write memory and targets: "He pays $65 a month",
 * "her card") turned into the user's own words ("I pay $65 a month", "my card").
 */
export function firstPerson(text: string): string {
  return person(text, 1);
}

/** The same, addressed to the user by the agent ("her card" → "your card"). */
export function secondPerson(text: string): string {
  return person(text, 2);
}
