// The set helpers the dialogue loop and the agenda simulator use on content stems: `overlap` is
// symmetric, and `jaccardAtLeast` (which stops early) answers exactly as `jaccard(a, b) >= min`.
import { strict as assert } from 'node:assert';
import { jaccard, jaccardAtLeast, overlap } from '../../../core/util/text';
import { createRng } from '../../../core/util/rng';

describe('util/text: overlap and jaccardAtLeast', () => {
  const rng = createRng(7);
  const randomSet = (): Set<string> => {
    const out = new Set<string>();
    const n = rng.int(14);
    for (let i = 0; i < n; i++) out.add(`w${rng.int(18)}`);
    return out;
  };

  it('agree with jaccard(a, b) >= min on 5,000 random pairs, at every threshold the loop uses and around it', () => {
    let trueSeen = 0;
    for (let i = 0; i < 5000; i++) {
      const a = randomSet();
      const b = rng.chance(0.3) ? new Set([...a].filter(() => rng.chance(0.9))) : randomSet();
      for (const min of [0, 0.5, 0.8, 0.9, 1]) {
        const want = jaccard(a, b) >= min;
        assert.equal(jaccardAtLeast(a, b, min), want, `${[...a]} / ${[...b]} at ${min}`);
        if (want && min === 0.8) trueSeen++;
      }
      assert.equal(overlap(a, b), overlap(b, a));
    }
    assert.ok(trueSeen > 100, `only ${trueSeen} similar pairs: the test must cover both answers`);
  });

  it('two empty sets are not similar (jaccard 0)', () => {
    assert.equal(jaccardAtLeast(new Set(), new Set(), 0.8), false);
    assert.equal(jaccardAtLeast(new Set(['fee']), new Set(['fee']), 0.8), true);
  });
});
