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
  let p = 0;
  const max = Math.min(old.length, text.length);
  while (p < max && old.charCodeAt(p) === text.charCodeAt(p)) p++;
  if (p === old.length && p === text.length) return { ...prev, text };
  let s = 0;
  while (s < max - p && old.charCodeAt(old.length - 1 - s) === text.charCodeAt(text.length - 1 - s)) s++;
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
      const i = node.items.findIndex((it) => it !== null && it.span[0] <= p && oldEnd <= it.span[1]);
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
    if (!n) return;
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
  return { text, lines: new LineIndex(text), root: prev.root, value: prev.value, errors: [], fast: true };
}

