// Mutators for the fuzz tests and the fuzz benchmark: damaged copies of real files plus the
// documents that break parsers (alias bombs, deep nesting, huge lines, binary, huge files).
// Seeded and deterministic: the same seed gives the same documents.

/** A small, fast seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY = [':', '-', ' ', '\n', '"', "'", '[', ']', '{', '}', '&', '*', '!', '|', '>', '#', '%', '@', '`', '\t', '\r', '\0', '?', ',', 'é', '\u2028', '\ufeff', 'kind: ', '- id: ', '  '];

export function mutate(text: string, r: () => number): { name: string; text: string } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const lines = text.split('\n');
  const at = Math.floor(r() * (text.length + 1));
  const li = Math.floor(r() * lines.length);
  switch (Math.floor(r() * 10)) {
    case 0: return { name: 'cut', text: text.slice(0, at) };
    case 1: {
      const n = 1 + Math.floor(r() * 8);
      return { name: 'duplicate lines', text: [...lines.slice(0, li + n), ...lines.slice(li, li + n), ...lines.slice(li + n)].join('\n') };
    }
    case 2: {
      const delta = pick([-4, -2, -1, 1, 2, 3]);
      return { name: 're-indent', text: lines.map((l, i) => (i >= li && i < li + 6 ? (delta > 0 ? ' '.repeat(delta) + l : l.slice(Math.min(-delta, l.length - l.trimStart().length))) : l)).join('\n') };
    }
    case 3: {
      let t = text;
      for (let k = 0, n = 1 + Math.floor(r() * 6); k < n; k++) { const p = Math.floor(r() * (t.length + 1)); t = t.slice(0, p) + pick(NASTY) + t.slice(p); }
      return { name: 'random bytes', text: t };
    }
    case 4: {
      let bomb = 'bomb0: &b0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
      for (let i = 1; i < 10; i++) bomb += `bomb${i}: &b${i} [${Array(9).fill(`*b${i - 1}`).join(', ')}]\n`;
      return { name: 'alias bomb', text: r() < 0.5 ? text + '\n' + bomb : bomb + text };
    }
    case 5: return { name: 'huge scalar', text: text.slice(0, at) + 'x'.repeat(50000 + Math.floor(r() * 200000)) + text.slice(at) };
    case 6: {
      const depth = 200 + Math.floor(r() * 3000);
      const nest = r() < 0.5 ? `deep: ${'['.repeat(depth)}${']'.repeat(r() < 0.5 ? depth : 0)}\n` : Array.from({ length: Math.min(depth, 400) }, (_, i) => `${' '.repeat(i * 2)}k${i}:`).join('\n') + ' x\n';
      return { name: 'deep nesting', text: text + '\n' + nest };
    }
    case 7: return { name: 'delete lines', text: [...lines.slice(0, li), ...lines.slice(li + 1 + Math.floor(r() * 5))].join('\n') };
    case 8: {
      const j = Math.floor(r() * lines.length);
      const copy = [...lines];
      [copy[li], copy[j]] = [copy[j], copy[li]];
      return { name: 'swap lines', text: copy.join('\n') };
    }
    default: {
      const bytes = Array.from({ length: 1 + Math.floor(r() * 200) }, () => String.fromCharCode(Math.floor(r() * 256)));
      return { name: 'binary junk', text: text.slice(0, at) + bytes.join('') + text.slice(at) };
    }
  }
}


/** An alias bomb: each level refers nine times to the one before. */
export function aliasBomb(levels = 10): string {
  let bomb = 'bomb0: &b0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
  for (let i = 1; i < levels; i++) bomb += `bomb${i}: &b${i} [${Array(9).fill(`*b${i - 1}`).join(', ')}]\n`;
  return bomb;
}

/** Nesting `depth` deep: flow brackets (closed or not) or indented keys. */
export function deepNesting(depth: number, r: () => number): string {
  if (r() < 0.5) return `kind: scenario\ndeep: ${'['.repeat(depth)}${r() < 0.5 ? ']'.repeat(depth) : ''}\n`;
  return 'kind: scenario\n' + Array.from({ length: Math.min(depth, 2000) }, (_, i) => `${' '.repeat(i * 2)}k${i}:`).join('\n') + ' x\n';
}

/** One line of `length` characters inside an otherwise valid file. */
export function hugeLine(base: string, length: number, r: () => number): string {
  const lines = base.split('\n');
  const at = Math.floor(r() * lines.length);
  const filler = r() < 0.5 ? 'word '.repeat(Math.ceil(length / 5)).slice(0, length) : '[' + 'a, '.repeat(Math.ceil(length / 3)).slice(0, length) + ']';
  lines.splice(at, 0, `description: ${filler}`);
  return lines.join('\n');
}

/** Random bytes (as characters 0-255), no structure at all. */
export function binary(length: number, r: () => number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += String.fromCharCode(Math.floor(r() * 256));
  return s;
}

/** A profile collection of `lines` lines (6 per profile): the issue's 200,000-line file. */
export function hugeCollection(lines: number): string {
  const out = ['kind: profiles', 'description: generated panel', 'profiles:'];
  for (let i = 0; out.length < lines; i++) out.push(`  - id: member-${i}`, `    name: Member ${i}`, `    demographics: {age: ${18 + (i % 70)}, occupation: clerk}`, '    expression:', `      verbosity: ${i % 997 === 5 ? 'chatty' : 'standard'}`, `      patience: 0.${i % 10}`);
  return out.slice(0, lines).join('\n') + '\n';
}

/** The issue's hang: a sample with a path-like id, an alias in a flow list and indentation damage. */
export function hostileSample(base: string, r: () => number): string {
  let text = base.replace(/^id: .*$/m, 'id: ../../../etc/passwd').replace(/^profile: .*$/m, 'profile: [a, b, *c]');
  const lines = text.split('\n');
  const from = Math.floor(r() * lines.length);
  for (let i = from; i < Math.min(lines.length, from + 6); i++) lines[i] = (r() < 0.5 ? ' ' : '') + lines[i].slice(r() < 0.5 ? 1 : 0);
  if (r() < 0.5) lines[0] = '  ' + lines[0];
  text = lines.join('\n');
  return text;
}
