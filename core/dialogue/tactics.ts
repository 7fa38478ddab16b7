// Tactic detection: cue phrases from the tactic library found in an agent turn.
import type { Tactic } from '../generated/schema-types';
import { hasPhrase } from '../util/text';

const compiled = new WeakMap<readonly Tactic[], { name: string; cues: string[] }[]>();

function cuesOf(tactics: readonly Tactic[]): { name: string; cues: string[] }[] {
  let c = compiled.get(tactics);
  if (!c) {
    c = tactics.map((t) => ({ name: t.name, cues: (t.cues ?? []).map((x) => x.toLowerCase().replace(/’/g, "'")).filter(Boolean) }));
    compiled.set(tactics, c);
  }
  return c;
}

/** The tactic whose cue phrases occur most often in the text (first in library order on a tie), or undefined. */
export function detectTactic(text: string, tactics: readonly Tactic[]): string | undefined {
  const lower = text.toLowerCase().replace(/’/g, "'");
  let best: string | undefined;
  let bestHits = 0;
  for (const t of cuesOf(tactics)) {
    let hits = 0;
    for (const cue of t.cues) if (hasPhrase(lower, cue)) hits++;
    if (hits > bestHits) {
      best = t.name;
      bestHits = hits;
    }
  }
  return best;
}
