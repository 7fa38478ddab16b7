// Incremental re-parse: an edit inside one plain scalar value reuses the previous tree.
import { LineIndex } from './line-index';
import { resolvePlain, INDICATORS } from './fast-parser';
import { parseYaml, type ParsedYaml, type YNode, type YPair } from './document';

const PLAIN_UNSAFE = /[:#'"[\]{},&*!|>%@`\n\r\t]|^[-?~\s]|\s$/;

/**
 * Re-parses after an edit. When the edit stays inside one plain scalar value (typing in a
 * description, changing a number or an enum value) the previous tree is reused: that scalar's
 * value changes and later offsets shift. Anything else is a full parse. The previous result is
 * consumed (its tree is updated in place), so callers must not use it afterwards.
 */
export function reparse(prev: ParsedYaml | undefined, text: string, fastOnly = false): ParsedYaml {
  if (!prev || !prev.fast || !prev.root || prev.errors.length) return parseYaml(text, fastOnly);
  const old = prev.text;
  const max = Math.min(old.length, text.length);
  const p = commonPrefix(old, text, max);
  if (p === old.length && p === text.length) return { ...prev, text, edit: undefined };
  const s = commonSuffix(old, text, max - p);
  const oldEnd = old.length - s;
  const delta = text.length - old.length;
  // The innermost node holding [p, oldEnd], and the path to it.
  const path: (string | number)[] = [];
  let node: YNode = prev.root;
  let parentIsKey = false;
  for (;;) {
    if (node.type === 'scalar') break;
    if (node.type === 'map') {
      const pair: YPair | undefined = node.items.find((it) => it.key.span[0] <= p && oldEnd <= (it.value ? it.value.span[1] : it.key.span[1]));
      if (!pair) return parseYaml(text, fastOnly);
      if (oldEnd <= pair.key.span[1] && p >= pair.key.span[0]) { parentIsKey = true; break; }
      if (!pair.value || p < pair.value.span[0]) return parseYaml(text, fastOnly);
      path.push(String(pair.key.value));
      node = pair.value;
    } else if (node.type === 'seq') {
      const i = itemHolding(node.items, p, oldEnd);
      if (i < 0) return parseYaml(text, fastOnly);
      path.push(i);
      node = node.items[i]!;
    } else return parseYaml(text, fastOnly);
  }
  if (parentIsKey || node.type !== 'scalar' || path.length === 0) return parseYaml(text, fastOnly);
  const newRaw = text.slice(node.span[0], node.span[1] + delta);
  const oldRaw = old.slice(node.span[0], node.span[1]);
  if (PLAIN_UNSAFE.test(oldRaw) || PLAIN_UNSAFE.test(newRaw) || newRaw.length === 0 || INDICATORS.has(newRaw[0])) return parseYaml(text, fastOnly);
  const value = resolvePlain(newRaw);
  // Commit: shift everything after the edit, update the scalar and the value tree.
  const edited = node;
  const shift = (n: YNode | null) => {
    // A node that ends before the edit holds nothing that moves.
    if (!n || n.span[1] < oldEnd) return;
    if (n.span[0] >= oldEnd) n.span[0] += delta;
    if (n.span[1] >= oldEnd) n.span[1] += delta;
    if (n.type === 'map') for (const it of n.items) {
      if (it.key.span[0] >= oldEnd) { it.key.span[0] += delta; it.key.span[1] += delta; }
      if (it.span[0] >= oldEnd) it.span[0] += delta;
      if (it.span[1] >= oldEnd) it.span[1] += delta;
      shift(it.value);
    } else if (n.type === 'seq') for (const it of n.items) shift(it);
  };
  const start = edited.span[0];
  shift(prev.root);
  edited.span[0] = start; // an insertion at its very start belongs to it
  edited.value = value;
  let target = prev.value as Record<string | number, unknown>;
  for (let i = 0; i < path.length - 1; i++) target = target[path[i]] as Record<string | number, unknown>;
  target[path[path.length - 1]] = value;
  const lines = LineIndex.shifted(text, prev.lines, p, delta);
  return { text, lines, root: prev.root, value: prev.value, errors: [], fast: true, edit: { path, line: lines.lineOf(start) } };
}


const CHUNK = 4096;

/** Length of the common prefix of two strings: native comparisons of 4 KB slices, then characters. */
function commonPrefix(a: string, b: string, max: number): number {
  let p = 0;
  while (p + CHUNK <= max && a.slice(p, p + CHUNK) === b.slice(p, p + CHUNK)) p += CHUNK;
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  return p;
}

/** Length of the common suffix, at most `max`. */
function commonSuffix(a: string, b: string, max: number): number {
  let s = 0;
  while (s + CHUNK <= max && a.slice(a.length - s - CHUNK, a.length - s) === b.slice(b.length - s - CHUNK, b.length - s)) s += CHUNK;
  while (s < max && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  return s;
}

/** The index of the list item whose span holds [from, to] (items are in text order), or -1. */
function itemHolding(items: (YNode | null)[], from: number, to: number): number {
  let lo = 0, hi = items.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const it = items[mid];
    if (!it) return items.findIndex((x) => x !== null && x.span[0] <= from && to <= x.span[1]); // null items: no order to rely on
    if (it.span[1] < from) lo = mid + 1;
    else if (it.span[0] > from) hi = mid - 1;
    else return it.span[0] <= from && to <= it.span[1] ? mid : -1;
  }
  return -1;
}
