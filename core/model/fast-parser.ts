// The fast path: a line-based parser for the block YAML these files use (maps, lists, plain and
// quoted scalars, one-line flow collections, `|`/`>` block scalars), keeping offsets for every
// key and value. It gives up (undefined) on anything else; the fallback handles that. The
// fuzz tests check that both paths give the same values.
import type { LineIndex } from './line-index';
import type { YNode, YScalar, YPair, YMap, YSeq } from './document';

export class Bail extends Error {}
const bail = (): never => { throw new Bail(); };

const NULL_RE = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL_RE = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_RE = /^[-+]?[0-9]+$/;
const OCT_RE = /^0o[0-7]+$/;
const HEX_RE = /^0x[0-9a-fA-F]+$/;
const INF_NAN_RE = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const EXP_RE = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT_RE = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** A plain scalar's value under the YAML 1.2 core schema (as the `yaml` library resolves it). */
export function resolvePlain(s: string): unknown {
  const c = s.charCodeAt(0);
  // Fast exit for ordinary words.
  if (s.length > 0 && !(c === 126 || c === 43 || c === 45 || c === 46 || (c >= 48 && c <= 57) || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70)) return s;
  if (NULL_RE.test(s)) return null;
  if (BOOL_RE.test(s)) return s[0] === 't' || s[0] === 'T';
  if (OCT_RE.test(s)) return parseInt(s.slice(2), 8);
  if (INT_RE.test(s)) return parseInt(s, 10);
  if (HEX_RE.test(s)) return parseInt(s.slice(2), 16);
  if (INF_NAN_RE.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity;
  if (EXP_RE.test(s) || FLOAT_RE.test(s)) return parseFloat(s);
  return s;
}

export const INDICATORS = new Set(['[', ']', '{', '}', ',', '#', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`']);

export function fastParse(text: string, lines: LineIndex): YNode | null | undefined {
  if (text.includes('\t') || text.charCodeAt(0) === 0xfeff) return undefined;
  try {
    return new FastParser(text, lines).parse();
  } catch (e) {
    if (e instanceof Bail || e instanceof RangeError) return undefined;
    throw e;
  }
}

class FastParser {
  private readonly n: number;
  private readonly indents: Int32Array; // -1 for blank or comment-only lines
  constructor(private readonly text: string, private readonly lines: LineIndex) {
    this.n = lines.lineCount;
    this.indents = new Int32Array(this.n);
    for (let l = 0; l < this.n; l++) {
      const s = lines.starts[l], e = lines.lineEnd(l);
      let i = s;
      while (i < e && text.charCodeAt(i) === 32) i++;
      this.indents[l] = i === e || text.charCodeAt(i) === 35 ? -1 : i - s;
    }
  }

  parse(): YNode | null {
    let l = this.next(0);
    if (l < this.n && this.indents[l] === 0) {
      const t = this.lineContent(l, 0);
      if (t === '---' || t.startsWith('--- #')) l = this.next(l + 1);
      else if (t.startsWith('---') || t.startsWith('%') || t.startsWith('...')) bail();
    }
    if (l >= this.n) return null;
    const [node, after] = this.node(l, this.indents[l], -1);
    if (this.next(after) < this.n) bail();
    return node;
  }

  /** First line at or after l that is not blank or comment-only. */
  private next(l: number): number {
    while (l < this.n && this.indents[l] < 0) l++;
    return l;
  }
  private col(l: number, c: number): number { return this.lines.starts[l] + c; }
  private lineContent(l: number, c: number): string { return this.text.slice(this.col(l, c), this.lines.lineEnd(l)); }

  /** Parses the node starting on line l at column c whose block belongs to a parent at `parentIndent`. Returns [node, next line]. */
  private node(l: number, c: number, parentIndent: number): [YNode | null, number] {
    const rest = this.lineContent(l, c);
    if (rest === '-' || rest.startsWith('- ') || rest.startsWith('-#')) return this.seq(l, c);
    if (rest.startsWith('---') || rest.startsWith('...')) bail();
    if (this.keyEnd(rest) >= 0) return this.map(l, c);
    return this.inlineValue(l, c, parentIndent);
  }

  /** Where a mapping key ends in `rest` (index of its `:`), or -1 when `rest` is not `key: ...`. */
  private keyEnd(rest: string): number {
    const ch = rest[0];
    if (ch === '"' || ch === "'") {
      const close = ch === '"' ? findDoubleClose(rest, 1) : findSingleClose(rest, 1);
      if (close < 0) return -1;
      let i = close + 1;
      while (rest.charCodeAt(i) === 32) i++;
      return rest[i] === ':' && (i + 1 === rest.length || rest.charCodeAt(i + 1) === 32) ? i : -1;
    }
    if (ch === undefined || INDICATORS.has(ch)) return -1;
    if ((ch === '-' || ch === '?' || ch === ':') && (rest.length === 1 || rest.charCodeAt(1) === 32)) return -1;
    const hash = rest.indexOf(' #');
    let from = 1;
    for (;;) {
      const i = rest.indexOf(':', from);
      if (i < 0 || (hash >= 0 && hash < i)) return -1;
      if (i + 1 === rest.length || rest.charCodeAt(i + 1) === 32) return i;
      from = i + 1;
    }
  }

  private seq(l: number, c: number): [YSeq, number] {
    const items: (YNode | null)[] = [];
    const start = this.col(l, c);
    let end = start + 1;
    let line = l;
    for (;;) {
      // line has '-' at column c
      const rest = this.lineContent(line, c + 1);
      let k = 0;
      while (rest[k] === ' ') k++;
      let item: YNode | null = null;
      let after: number;
      if (k === rest.length || rest[k] === '#') {
        if (k === 0 && rest.length > 0) bail(); // '-#'
        const nl = this.next(line + 1);
        if (nl < this.n && this.indents[nl] > c) [item, after] = this.node(nl, this.indents[nl], c);
        else after = line + 1;
      } else {
        [item, after] = this.node(line, c + 1 + k, c);
      }
      items.push(item);
      end = item ? item.span[1] : this.col(line, c + 1);
      const nl = this.next(after);
      if (nl >= this.n || this.indents[nl] < c) return [{ type: 'seq', items, span: [start, end] }, after];
      if (this.indents[nl] > c) bail();
      const r = this.lineContent(nl, c);
      if (!(r === '-' || r.startsWith('- '))) return [{ type: 'seq', items, span: [start, end] }, after];
      line = nl;
    }
  }

  private map(l: number, c: number): [YMap, number] {
    const items: YPair[] = [];
    const seen = new Set<string>();
    const start = this.col(l, c);
    let line = l;
    for (;;) {
      const rest = this.lineContent(line, c);
      const colon = this.keyEnd(rest);
      if (colon < 0) bail();
      const key = this.key(rest, colon, this.col(line, c));
      const k = key.value as string;
      if (k === '<<') bail();
      if (items.length < 16) { for (const it of items) if (it.key.value === k) bail(); } else {
        if (seen.size === 0) for (const it of items) seen.add(it.key.value as string);
        if (seen.has(k)) bail();
        seen.add(k);
      }
      let v = colon + 1;
      while (rest[v] === ' ') v++;
      let value: YNode | null = null;
      let after: number;
      if (v === rest.length || rest[v] === '#') {
        const nl = this.next(line + 1);
        if (nl < this.n && this.indents[nl] > c) [value, after] = this.node(nl, this.indents[nl], c);
        else if (nl < this.n && this.indents[nl] === c && this.isDash(nl, c)) [value, after] = this.seq(nl, c);
        else after = line + 1;
      } else {
        // `key: a: b` and `key: - x` are errors; inlineValue bails on both.
        [value, after] = this.inlineValue(line, c + v, c);
      }
      items.push({ key, value, span: [key.span[0], value ? value.span[1] : this.col(line, c + colon + 1)] });
      const nl = this.next(after);
      const end = items[items.length - 1].span[1];
      if (nl >= this.n || this.indents[nl] < c) return [{ type: 'map', items, span: [start, end] }, after];
      if (this.indents[nl] > c) bail();
      if (this.isDash(nl, c)) bail();
      line = nl;
    }
  }

  private isDash(l: number, c: number): boolean {
    const r = this.lineContent(l, c);
    return r === '-' || r.startsWith('- ');
  }

  private key(rest: string, colon: number, offset: number): YScalar {
    const trimmed = rest.slice(0, trimSpacesEnd(rest, colon));
    const ch = trimmed[0];
    if (ch === '"' || ch === "'") {
      const s = ch === '"' ? unescapeDouble(trimmed.slice(1, -1)) : trimmed.slice(1, -1).replace(/''/g, "'");
      return { type: 'scalar', value: s, span: [offset, offset + trimmed.length] };
    }
    const value = resolvePlain(trimmed);
    if (typeof value !== 'string') bail();
    return { type: 'scalar', value, span: [offset, offset + trimmed.length] };
  }

  /** A value that starts on line l at column c and (except block scalars) ends on that line. */
  private inlineValue(l: number, c: number, parentIndent: number): [YNode, number] {
    const rest = this.lineContent(l, c);
    const offset = this.col(l, c);
    const ch = rest[0];
    let node: YNode;
    let used: number;
    if (ch === '|' || ch === '>') return this.blockScalar(l, c, parentIndent);
    if (ch === '"' || ch === "'") {
      const close = ch === '"' ? findDoubleClose(rest, 1) : findSingleClose(rest, 1);
      if (close < 0) bail();
      const inner = rest.slice(1, close);
      node = { type: 'scalar', value: ch === '"' ? unescapeDouble(inner) : inner.replace(/''/g, "'"), span: [offset, offset + close + 1] };
      used = close + 1;
    } else if (ch === '[' || ch === '{') {
      const fp = new FlowParser(rest, offset);
      node = fp.value();
      used = fp.i;
    } else {
      if (ch === undefined || INDICATORS.has(ch) || ((ch === '?' || ch === ':' || ch === '-') && (rest.length === 1 || rest[1] === ' '))) bail();
      const hash = rest.indexOf(' #');
      const s = rest.slice(0, trimSpacesEnd(rest, hash >= 0 ? hash : rest.length));
      if (s.includes(': ') || s.endsWith(':')) bail();
      node = { type: 'scalar', value: resolvePlain(s), span: [offset, offset + s.length] };
      used = s.length;
    }
    // Only spaces and a comment may follow on the line.
    let i = used;
    while (rest[i] === ' ') i++;
    if (i < rest.length && !(rest[i] === '#' && i > used)) bail();
    // A more-indented line after an inline value would continue a plain scalar: not handled here.
    const nl = this.next(l + 1);
    if (nl < this.n && this.indents[nl] > parentIndent) bail();
    return [node, l + 1];
  }

  private blockScalar(l: number, c: number, parentIndent: number): [YScalar, number] {
    const header = this.lineContent(l, c);
    const m = /^([|>])([-+]?)( +#.*)? *$/.exec(header);
    if (!m || m[2] === '+') bail();
    const literal = m![1] === '|';
    const strip = m![2] === '-';
    const contentLines: string[] = [];
    let contentIndent = -1;
    let line = l + 1;
    let lastContentLine = l;
    for (; line < this.n; line++) {
      const t = this.lines.lineText(line);
      const blank = /^ *$/.test(t);
      if (blank) {
        if (contentIndent < 0) { if (t.length > parentIndent + 1 && t.length > 0) bail(); contentLines.push(''); continue; }
        contentLines.push(t.length > contentIndent ? t.slice(contentIndent) : '');
        continue;
      }
      let ind = 0;
      while (t.charCodeAt(ind) === 32) ind++;
      if (contentIndent < 0) {
        if (ind <= parentIndent) break;
        contentIndent = ind;
      } else if (ind < contentIndent) break;
      if (!literal && ind > contentIndent) bail();
      if (ind === 0 && (t.startsWith('---') || t.startsWith('...'))) bail();
      contentLines.push(t.slice(contentIndent));
      lastContentLine = line;
    }
    // Trailing blank lines belong to the scalar's chomping, not its content.
    const keep = lastContentLine === l ? 0 : contentLines.length - (line - 1 - lastContentLine);
    const body = contentLines.slice(0, keep);
    if (contentIndent < 0 && body.length > 0 && body.every((x) => x === '')) body.length = 0;
    let value: string;
    if (body.length === 0) value = '';
    else {
      value = literal ? body.join('\n') : fold(body);
      if (!strip) value += '\n';
    }
    const start = this.col(l, c);
    const end = lastContentLine === l ? this.lines.lineEnd(l) : this.lines.lineEnd(lastContentLine);
    return [{ type: 'scalar', value, span: [start, end] }, lastContentLine + 1];
  }
}

/** The end of `s.slice(0, end)` without trailing spaces. */
function trimSpacesEnd(s: string, end: number): number {
  while (end > 0 && s.charCodeAt(end - 1) === 32) end--;
  return end;
}

function fold(lines: string[]): string {
  let out = lines[0];
  let i = 1;
  while (i < lines.length) {
    let empties = 0;
    while (i < lines.length && lines[i] === '') { empties++; i++; }
    if (i >= lines.length) { out += '\n'.repeat(empties); break; }
    out += empties > 0 ? '\n'.repeat(empties) : ' ';
    out += lines[i];
    i++;
  }
  return out;
}

function findDoubleClose(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\') { i++; continue; }
    if (ch === '"') return i;
  }
  return -1;
}

function findSingleClose(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    if (s[i] === "'") {
      if (s[i + 1] === "'") { i++; continue; }
      return i;
    }
  }
  return -1;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', b: '\b', f: '\f', v: '\v', a: '\x07', e: '\x1b', '/': '/', '\\': '\\', '"': '"', ' ': ' ', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029' };

function unescapeDouble(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch !== '\\') { out += ch; continue; }
    const e = s[++i];
    if (e in ESCAPES) { out += ESCAPES[e]; continue; }
    const len = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    const hex = s.slice(i + 1, i + 1 + len);
    if (!len || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) bail();
    const cp = parseInt(hex, 16);
    if (cp > 0x10ffff) bail();
    out += String.fromCodePoint(cp);
    i += len;
  }
  return out;
}

/** Flow collections that open and close on one line: `[a, b]`, `{trust: -0.2}`. */
class FlowParser {
  i = 0;
  private depth = 0;
  constructor(private readonly s: string, private readonly offset: number) {}

  private ws(): void { while (this.s[this.i] === ' ') this.i++; }

  value(): YNode {
    this.ws();
    const ch = this.s[this.i];
    if (ch === '[') return this.seq();
    if (ch === '{') return this.map();
    return this.scalar();
  }

  private seq(): YSeq {
    if (++this.depth > 64) bail();
    const start = this.i++;
    const items: YNode[] = [];
    for (;;) {
      this.ws();
      if (this.s[this.i] === ']') break;
      const item = this.value();
      this.ws();
      if (this.s[this.i] === ':') bail();
      items.push(item);
      if (this.s[this.i] === ',') { this.i++; continue; }
      if (this.s[this.i] === ']') break;
      bail();
    }
    this.i++;
    this.depth--;
    return { type: 'seq', items, span: [this.offset + start, this.offset + this.i] };
  }

  private map(): YMap {
    if (++this.depth > 64) bail();
    const start = this.i++;
    const items: YPair[] = [];
    const seen = new Set<string>();
    for (;;) {
      this.ws();
      if (this.s[this.i] === '}') break;
      const ch = this.s[this.i];
      if (ch === '[' || ch === '{') bail();
      const key = this.scalar();
      if (typeof key.value !== 'string' || seen.has(key.value) || key.value === '<<') bail();
      seen.add(key.value as string);
      this.ws();
      let value: YNode | null = null;
      if (this.s[this.i] === ':') {
        this.i++;
        if (this.s[this.i] !== ' ' && this.s[this.i] !== ',' && this.s[this.i] !== '}') bail();
        this.ws();
        if (this.s[this.i] !== ',' && this.s[this.i] !== '}') value = this.value();
        this.ws();
      } else bail();
      items.push({ key, value, span: [key.span[0], value ? value.span[1] : key.span[1] + 1] });
      if (this.s[this.i] === ',') { this.i++; continue; }
      if (this.s[this.i] === '}') break;
      bail();
    }
    this.i++;
    this.depth--;
    return { type: 'map', items, span: [this.offset + start, this.offset + this.i] };
  }

  private scalar(): YScalar {
    const s = this.s;
    const start = this.i;
    const ch = s[start];
    if (ch === '"' || ch === "'") {
      const close = ch === '"' ? findDoubleClose(s, start + 1) : findSingleClose(s, start + 1);
      if (close < 0) bail();
      const inner = s.slice(start + 1, close);
      this.i = close + 1;
      return { type: 'scalar', value: ch === '"' ? unescapeDouble(inner) : inner.replace(/''/g, "'"), span: [this.offset + start, this.offset + this.i] };
    }
    if (ch === undefined || INDICATORS.has(ch) || ((ch === '-' || ch === '?' || ch === ':') && (s[start + 1] === ' ' || s[start + 1] === undefined))) bail();
    let i = start;
    for (; i < s.length; i++) {
      const x = s[i];
      if (x === ',' || x === '[' || x === ']' || x === '{' || x === '}') break;
      if (x === ':' && (s[i + 1] === ' ' || s[i + 1] === ',' || s[i + 1] === ']' || s[i + 1] === '}' || i + 1 === s.length)) break;
      if (x === '#' && s[i - 1] === ' ') bail();
    }
    if (i >= s.length) bail();
    const raw = s.slice(start, i).replace(/ +$/, '');
    if (raw.length === 0) bail();
    this.i = start + raw.length;
    return { type: 'scalar', value: resolvePlain(raw), span: [this.offset + start, this.offset + this.i] };
  }
}

