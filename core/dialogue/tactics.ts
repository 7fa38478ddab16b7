// Tactic detection: cue phrases from the tactic library found in an agent turn.
import type { Tactic } from '../generated/schema-types';
import { hasPhrase } from '../util/text';

interface Compiled { list: { name: string; cues: string[] }[]; memo: Map<string, string | null> }
const compiled = new WeakMap<readonly Tactic[], Compiled>();

function compile(tactics: readonly Tactic[]): Compiled {
  let c = compiled.get(tactics);
  if (!c) {
    c = { list: tactics.map((t) => ({ name: t.name, cues: (t.cues ?? []).map((x) => x.toLowerCase().replace(/’/g, "'")).filter(Boolean) })), memo: new Map() };
    compiled.set(tactics, c);
  }
  return c;
}

/** The tactic whose cue phrases occur most often in the text (first in library order on a tie), or undefined. */
export function detectTactic(text: string, tactics: readonly Tactic[]): string | undefined {
  const c = compile(tactics);
  const known = c.memo.get(text); // null: no tactic
  if (known !== undefined) return known ?? undefined;
  const found = detect(text, c.list);
  if (c.memo.size >= 2000) c.memo.clear();
  c.memo.set(text, found ?? null);
  return found;
}

function detect(text: string, list: Compiled['list']): string | undefined {
  const lower = text.toLowerCase().replace(/’/g, "'");
  let best: string | undefined;
  let bestHits = 0;
  for (const t of list) {
    let hits = 0;
    for (const cue of t.cues) if (hasPhrase(lower, cue)) hits++;
    if (hits > bestHits) {
      best = t.name;
      bestHits = hits;
    }
  }
  return best;
}
