// Small text helpers shared by the τ²-bench importer and the SOP drafter: sentences, slugs,
// second person turned into the user's own first person.
import { contentStems, upperFirst } from '../util/text';

/** Sentences of a text (a full stop inside `#W123.` or an e-mail address does not split). */
export function sentencesIn(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+(?=["'(]?[A-Z0-9#])|\n+/)
    .map((s) => s.trim())
    .filter((s) => s && s !== '.');
}

const SLUG_NOISE = new Set(['the', 'a', 'an', 'and', 'or', 'to', 'of', 'for', 'in', 'on', 'my', 'your', 'you', 'i', 'is', 'are', 'be', 'it', 'that', 'this', 'with', 'at', 'by', 'from', 'exactly', 'right', 'now', 'also', 'just', 'want', 'wants', 'would', 'like', 'all', 'any', 'some', 'their', 'them', 'they', 'so', 'as', 'if', 'can', 'could', 'will', 'do', 'not']);

/** A slug id from words: lowercase, `-` between, at most `max` words (noise words left out). */
export function slugOf(text: string, max = 4): string {
  const ws = text.toLowerCase().replace(/[#@][\w.]+/g, ' ').match(/[a-z0-9]+/g) ?? [];
  const kept = ws.filter((w) => !SLUG_NOISE.has(w)).slice(0, max);
  return (kept.length ? kept : ws.slice(0, max)).join('-').replace(/^[^a-z0-9]+/, '') || 'item';
}

/** A slug made unique against `taken` (adds `-2`, `-3`, ...), and recorded there. */
export function uniqueId(base: string, taken: Set<string>): string {
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

const capital = (m: string, word: string) => (m[0] === m[0].toUpperCase() ? upperFirst(word) : word);

/**
 * Instructions written to the user ("You received your order and wish to exchange ...") in the
 * user's own words ("I received my order and wish to exchange ...").
 */
export function youToI(text: string): string {
  return text
    .replace(/\byou are\b/gi, (m) => capital(m, 'I am'))
    .replace(/\byou were\b/gi, (m) => capital(m, 'I was'))
    .replace(/\byou're\b/gi, (m) => capital(m, "I'm"))
    .replace(/\byou've\b/gi, (m) => capital(m, "I've"))
    .replace(/\byou'd\b/gi, (m) => capital(m, "I'd"))
    .replace(/\byou'll\b/gi, (m) => capital(m, "I'll"))
    .replace(/\byourself\b/gi, (m) => capital(m, 'myself'))
    .replace(/\byours\b/gi, (m) => capital(m, 'mine'))
    .replace(/\byour\b/gi, (m) => capital(m, 'my'))
    .replace(/(\b(?:to|for|with|at|from|about|ask|asks|asked|tell|tells|give|gives|send|sends|help|helps|than|assigned to|call|calls|contact|contacts|remind|reminds)\s+)you\b/gi, '$1me')
    .replace(/(\b(?!as\b|unless\b|is\b|was\b|has\b|does\b|this\b|thus\b|whether\b)[a-z]+s\s+)you\b/gi, '$1me')
    .replace(/\byou\b/gi, 'I')
    .replace(/\bI (has|does|is|was)\b/g, (_m, v: string) => `I ${({ has: 'have', does: 'do', is: 'am', was: 'was' } as Record<string, string>)[v]}`)
    .replace(/\bI am (\w+ing)\b/g, 'I am $1');
}

/** Whether two texts share at least `n` content words (stems). */
export function shareWords(a: string, b: string, n = 2): boolean {
  const sa = contentStems(a);
  let k = 0;
  for (const x of contentStems(b)) if (sa.has(x) && ++k >= n) return true;
  return false;
}

/** How many content words (stems) two texts share. */
export function sharedWords(a: string, b: string): number {
  const sa = contentStems(a);
  let k = 0;
  for (const x of contentStems(b)) if (sa.has(x)) k++;
  return k;
}
