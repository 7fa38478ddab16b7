// Where the cursor is, read from the text's indentation (works on half-typed, unparseable YAML):
// the path of keys and list items above it, and whether a key or a value is being typed.
import type { LineIndex, Position } from '../model/document';

export interface CursorContext {
  /** Keys and `*` (list items) leading to the mapping or list that holds the cursor's entry. */
  path: string[];
  /** `key`: typing a key; `value`: typing the value of `key`; `item`: typing after `- ` (a scalar item or a new item's first key). */
  position: 'key' | 'value' | 'item';
  key?: string;
  /** The partial word being typed and where it starts on the line. */
  prefix: string;
  prefixStart: number;
  /** Column of keys at this level (for indenting inserted text). */
  column: number;
  /** Keys already present at this level. */
  siblings: string[];
  /** Inside a block scalar (`|` / `>` text): no completion. */
  inText: boolean;
}

const LEAD = /^( *)((?:- +)*)/;
const KEY = /^("[^"]*"|'[^']*'|[^\s#'"\-?:,[\]{}][^:#]*?|-[^\s:][^:#]*?)\s*:(?: |$)/;

interface LineShape { indent: number; dashes: number[]; column: number; key?: string; valueText?: string }

function shape(text: string): LineShape | undefined {
  let i = 0;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  if (i === text.length || text[i] === '#') return undefined;
  const m = LEAD.exec(text)!;
  const indent = m[1].length;
  const dashes: number[] = [];
  let col = indent;
  for (const part of m[2].match(/- +/g) ?? []) { dashes.push(col); col += part.length; }
  const rest = text.slice(col);
  const k = KEY.exec(rest);
  if (!k) return { indent, dashes, column: col };
  let key = k[1];
  if (key[0] === '"' || key[0] === "'") key = key.slice(1, -1);
  return { indent, dashes, column: col, key, valueText: rest.slice(k[0].length).replace(/\s+#.*$/, '').trim() };
}

export function cursorContext(lines: LineIndex, pos: Position): CursorContext {
  const full = lines.lineText(pos.line);
  const before = full.slice(0, pos.character);
  const m = LEAD.exec(before)!;
  const dashes: number[] = [];
  let column = m[1].length;
  for (const part of m[2].match(/- +/g) ?? []) { dashes.push(column); column += part.length; }
  const seg = before.slice(column);
  const path: string[] = [];
  let position: CursorContext['position'] = 'key';
  let key: string | undefined;
  let prefix = seg.trim();
  let prefixStart = column + (seg.length - seg.trimStart().length);
  const k = KEY.exec(seg);
  if (k) {
    key = k[1].replace(/^["']|["']$/g, '');
    const valuePart = seg.slice(k[0].length);
    const flow = /^\s*\[([^\]]*)$/.exec(valuePart);
    if (flow) {
      const last = flow[1].split(',').pop() ?? '';
      prefix = last.trim();
      prefixStart = pos.character - last.trimStart().length;
      position = 'item';
    } else {
      position = 'value';
      prefix = valuePart.trim().replace(/^["']/, '');
      prefixStart = pos.character - prefix.length;
    }
  } else if (dashes.length) {
    position = 'item';
  }
  // Walk up for the enclosing keys and list items.
  for (let i = 0; i < dashes.length; i++) path.push('*');
  let target = dashes.length ? dashes[0] : column;
  let underDash = dashes.length > 0;
  let inText = false;
  const up: string[] = [];
  for (let l = pos.line - 1; l >= 0 && (target > 0 || underDash); l--) {
    const s = shape(lines.lineText(l));
    if (!s) continue;
    const lineMin = s.dashes.length ? s.dashes[0] : s.column;
    if (lineMin > target) continue; // deeper: inside a sibling
    const sameIndentSeqParent = underDash && !s.dashes.length && s.column === target && s.key !== undefined && s.valueText === '';
    if (lineMin === target && !sameIndentSeqParent) {
      if (underDash && !s.dashes.length && target === 0) break; // a root key with a value: no parent
      continue; // a sibling
    }
    if (s.key !== undefined && (s.column < target || sameIndentSeqParent)) {
      if (up.length === 0 && !dashes.length && s.valueText && /^[|>]/.test(s.valueText)) inText = true;
      up.push(s.key);
      target = s.column;
      underDash = false;
    }
    for (let d = s.dashes.length - 1; d >= 0; d--) {
      if (s.dashes[d] < target) { up.push('*'); target = s.dashes[d]; underDash = true; }
    }
  }
  const fullPath = [...up.reverse(), ...path];
  return { path: fullPath, position, key, prefix, prefixStart, column, siblings: siblingKeys(lines, pos.line, column), inText };
}

/** Keys at `column` in the block around `line`. */
function siblingKeys(lines: LineIndex, line: number, column: number): string[] {
  const out: string[] = [];
  const visit = (l: number): 'stop' | 'go' => {
    const s = shape(lines.lineText(l));
    if (!s) return 'go';
    if (s.column === column && s.key !== undefined && l !== line) out.push(s.key);
    if (s.column < column || (s.dashes.length && s.dashes[s.dashes.length - 1] < column)) return 'stop';
    return 'go';
  };
  const self = shape(lines.lineText(line));
  if (!(self && self.dashes.length)) for (let l = line - 1; l >= 0 && line - l < 2000; l--) {
    const r = visit(l);
    if (r === 'stop') break;
  }
  for (let l = line + 1; l < lines.lineCount && l - line < 2000; l++) {
    const s = shape(lines.lineText(l));
    if (s && s.dashes.length && s.dashes[s.dashes.length - 1] < column) break;
    if (visit(l) === 'stop') break;
  }
  return out;
}
