// The slow path: the `yaml` library parses what the fast path does not handle (anchors, tags,
// multi-line flow or quoted scalars, syntax errors...), and its tree is converted to the same
// node model. Alias bombs, collection keys and stack exhaustion become syntax issues.
import { parseDocument, isMap, isSeq, isScalar, isAlias, isPair, type Node as YamlNode } from 'yaml';
import type { LineIndex, Span } from './line-index';
import type { ParsedYaml, SyntaxIssue, YNode, YPair, YScalar } from './document';

const MAX_ALIASES = 100;

export function slowParse(text: string, lines: LineIndex): ParsedYaml {
  const errors: SyntaxIssue[] = [];
  let root: YNode | null = null;
  let value: unknown;
  // yaml makes an Error per problem; with a deep document and a host that keeps long stack
  // traces (test runners do) capturing them costs seconds. Their stacks are never used.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, keepSourceTokens: false, logLevel: 'error' });
    for (const e of doc.errors) errors.push({ message: /call stack/i.test(e.message) ? 'the document nests too deeply to read' : firstLine(e.message), span: [e.pos[0], e.pos[1]], severity: 'error' });
    for (const w of doc.warnings) errors.push({ message: firstLine(w.message), span: [w.pos[0], w.pos[1]], severity: 'warning' });
    root = convert(doc.contents as YamlNode | null);
    const badKey = findCollectionKey(doc.contents as YamlNode | null);
    try {
      if (badKey) {
        errors.push({ message: 'a mapping key must be a plain value, not a list or mapping', span: badKey, severity: 'error' });
        throw new CollectionKey();
      }
      value = doc.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (e) {
      if (e instanceof CollectionKey) throw e;
      const span: Span = root ? root.span : [0, Math.min(text.length, 1)];
      errors.push({ message: `cannot build the document's value: ${firstLine((e as Error).message)}`, span, severity: 'error' });
    }
  } catch (e) {
    if (e instanceof CollectionKey) return { text, lines, root, value: undefined, errors, fast: false };
    // The parser itself gave up (e.g. nesting too deep for the stack).
    errors.push({ message: `cannot parse this file: ${firstLine((e as Error).message)}`, span: [0, lines.lineEnd(0)], severity: 'error' });
    root = null;
  } finally {
    Error.stackTraceLimit = limit;
  }
  return { text, lines, root, value, errors, fast: false };
}

function firstLine(s: string): string { return s.split('\n')[0]; }

/** The span of a key that is a list or mapping (toJS cannot make an object key of it). */
function findCollectionKey(node: YamlNode | null): Span | undefined {
  const stack: unknown[] = [node];
  let budget = 200000;
  while (stack.length && budget-- > 0) {
    const n = stack.pop();
    if (isMap(n)) {
      for (const p of n.items) {
        const k = p.key as YamlNode | null;
        if (k && (isMap(k) || isSeq(k))) return k.range ? [k.range[0], k.range[1]] : [0, 0];
        stack.push(p.value);
      }
    } else if (isSeq(n)) for (const i of n.items) stack.push(i);
  }
  return undefined;
}

function convert(node: YamlNode | null | undefined): YNode | null {
  if (!node) return null;
  const span: Span = node.range ? [node.range[0], node.range[1]] : [0, 0];
  if (isScalar(node)) return { type: 'scalar', value: node.value, span };
  if (isAlias(node)) return { type: 'alias', span };
  if (isMap(node)) {
    const items: YPair[] = [];
    for (const p of node.items) {
      if (!isPair(p)) continue;
      const k = p.key as YamlNode | null;
      let key: YScalar;
      if (isScalar(k)) key = { type: 'scalar', value: k.value, span: k.range ? [k.range[0], k.range[1]] : span };
      else if (k && (k as YamlNode).range) key = { type: 'scalar', value: String(k), span: [k.range![0], k.range![1]] };
      else key = { type: 'scalar', value: null, span: [span[0], span[0]] };
      const value = convert(p.value as YamlNode | null);
      items.push({ key, value, span: [key.span[0], value ? value.span[1] : key.span[1]] });
    }
    return { type: 'map', items, span };
  }
  if (isSeq(node)) return { type: 'seq', items: node.items.map((n) => convert(n as YamlNode)), span };
  return null;
}

/** A mapping key that is a list or mapping: the value cannot be built. */
class CollectionKey extends Error {}
