// "Did you mean": the closest candidate by edit distance, when it is close enough to be a typo.

/** Levenshtein distance with adjacent transpositions counted as one edit. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > 8) return Math.abs(a.length - b.length);
  const prev2 = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur.push(v);
    }
    for (let j = 0; j <= b.length; j++) prev2[j] = prev[j];
    prev = cur;
  }
  return prev[b.length];
}

/** The candidate a near-miss most likely meant, or undefined when none is close. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestD = Infinity;
  let count = 0;
  for (const c of candidates) {
    if (++count > 50000) break; // huge id sets: the first 50k are enough for a hint
    const cl = c.toLowerCase();
    if (cl === w) return c;
    if (Math.abs(cl.length - w.length) > limit) continue;
    const d = editDistance(w, cl);
    if (d < bestD) { bestD = d; best = c; }
  }
  return bestD <= limit ? best : undefined;
}
