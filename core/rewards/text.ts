// Text primitives of the reward algorithm (docs/rewards.md §0-§1). Kept tiny and explicit so the
// Python interpreter (trainer/rewards/) can match them exactly: ASCII-only lowering, tokens are
// runs of [A-Za-z0-9], no case-insensitive regex flags.

export const EPS = 1e-9;

/** round6(x) = floor(x * 1e6 + 0.5) / 1e6: the one rounding rule for every stored value. */
export function round6(x: number): number {
  return Math.floor(x * 1e6 + 0.5) / 1e6;
}

export function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/** Replaces A-Z by a-z and nothing else (keeps length and indices). */
export function lower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

export function normalizeNewlines(s: string): string {
  return s.replace(/\r\n/g, '\n').replace(/\r/g, '\n');
}

export function tokens(s: string): string[] {
  const m = s.match(/[A-Za-z0-9]+/g);
  if (!m) return [];
  for (let i = 0; i < m.length; i++) if (/[A-Z]/.test(m[i])) m[i] = m[i].toLowerCase(); // ASCII-only runs: same as lower()
  return m;
}

/** The set of content words of a token list. */
export function contentWordsOf(toks: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const t of toks) if (t.length >= 3 && !STOPWORDS.has(t)) out.add(t);
  return out;
}

const rationaleTokenCache = new WeakMap<ParsedOutput, string[]>();

/** tokens(R), computed once per parsed output. */
export function rationaleTokens(out: ParsedOutput): string[] {
  let t = rationaleTokenCache.get(out);
  if (!t) { t = tokens(out.rationale); rationaleTokenCache.set(out, t); }
  return t;
}

export const STOPWORDS: ReadonlySet<string> = new Set(
  (`about above after again against all also and any are because been before being below between
  both but can could did does doing down during each few for from further had has have having her
  here hers herself him himself his how into its itself just let more most myself nor not now off
  once only other our ours ourselves out over own same she should some such than that the their
  theirs them themselves then there these they this those through too under until very was were
  what when where which while who whom why will with would you your yours yourself yourselves
  agent intent concerns plan state tone`).split(/\s+/).filter(Boolean),
);

/** Content words: the set of tokens of length >= 3 that are not stopwords. */
export function contentWords(s: string): Set<string> {
  return contentWordsOf(tokens(s));
}

export function intersectionSize(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let n = 0;
  for (const x of a) if (b.has(x)) n++;
  return n;
}

const phraseTokens = new Map<string, string[]>();

/** The token list contains the phrase's tokens as a contiguous run. */
export function hasPhrase(toks: readonly string[], phrase: string): boolean {
  let p = phraseTokens.get(phrase);
  if (!p) { p = tokens(phrase); phraseTokens.set(phrase, p); }
  if (p.length === 0) return false;
  outer: for (let i = 0; i + p.length <= toks.length; i++) {
    for (let j = 0; j < p.length; j++) if (toks[i + j] !== p[j]) continue outer;
    return true;
  }
  return false;
}

/** No character other than space, \t, \n, \r, \f, \v. */
export function blank(s: string): boolean {
  return !/[^ \t\n\r\f\v]/.test(s);
}

export interface ParsedOutput {
  output: string;
  /** The think group, or undefined when `<think>…</think>` did not match. */
  think?: string;
  /** The answer group, or undefined when `<answer>…</answer>` did not match. */
  answerTag?: string;
  /** Rationale R (§1.3). */
  rationale: string;
  /** Answer A (§1.4). */
  answer: string;
}

/** §1: the rationale and answer of one user output, found on the ASCII-lowered copy. */
export function parseOutput(raw: string): ParsedOutput {
  const output = normalizeNewlines(raw);
  const L = lower(output);
  const thinkRe = /<think>([\s\S]*?)<\/think>/g;
  const tm = thinkRe.exec(L);
  let think: string | undefined;
  let from = 0;
  if (tm) {
    const start = tm.index + '<think>'.length;
    think = output.slice(start, start + tm[1].length);
    from = tm.index + tm[0].length;
  }
  const answerRe = /<answer>([\s\S]*?)<\/answer>/g;
  answerRe.lastIndex = from;
  const am = answerRe.exec(L);
  let answerTag: string | undefined;
  if (am) {
    const start = am.index + '<answer>'.length;
    answerTag = output.slice(start, start + am[1].length);
  }
  const close = L.indexOf('</think>');
  const rationale = think ?? (close >= 0 ? output.slice(0, close) : '');
  const answer = answerTag ?? (close >= 0 ? output.slice(close + '</think>'.length) : output);
  return { output, think, answerTag, rationale, answer };
}
