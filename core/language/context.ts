// Where the cursor is, read from the text's indentation (works on half-typed, unparseable YAML):
// the path of keys and list items above it, and whether a key or a value is being typed.
import type { LineIndex, Position } from '../model/document';
import { UNLIMITED, type Budget } from './budget';

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
  /** Inside a flow collection on the line (`{tactic: │}`, `[a, │]`). */
  flow?: boolean;
}

interface FlowFrame { type: 'map' | 'seq'; key?: string; afterColon: boolean; tokenStart: number; keys: string[] }

/**
 * Where the cursor is inside the flow collections that open before it on its line (`text` is
 * the value part after `key:`). Undefined when every collection closes before the cursor.
 */
export function flowContext(text: string): { segments: string[]; position: CursorContext['position']; key?: string; prefix: string; siblings: string[] } | undefined {
  const stack: FlowFrame[] = [];
  let i = 0;
  while (i < text.length && text[i] === ' ') i++;
  if (text[i] !== '{' && text[i] !== '[') return undefined;
  for (; i < text.length; i++) {
    const ch = text[i];
    const top = stack[stack.length - 1];
    if ((ch === '"' || ch === "'") && top && text.slice(top.tokenStart, i).trim() === '') {
      // A quoted scalar: skip to its close (an unclosed one runs to the cursor).
      let j = i + 1;
      while (j < text.length && text[j] !== ch) j += text[j] === '\\' && ch === '"' ? 2 : 1;
      if (j >= text.length) break;
      i = j;
      continue;
    }
    if (ch === '{' || ch === '[') {
      if (top && top.type === 'map' && !top.afterColon) return undefined; // a collection as a key: not ours
      stack.push({ type: ch === '{' ? 'map' : 'seq', afterColon: false, tokenStart: i + 1, keys: [] });
    } else if (ch === '}' || ch === ']') {
      stack.pop();
      if (!stack.length) return undefined;
      const parent = stack[stack.length - 1];
      parent.tokenStart = i + 1;
    } else if (ch === ',' && top) {
      if (top.type === 'map') { top.afterColon = false; top.key = undefined; }
      top.tokenStart = i + 1;
    } else if (ch === ':' && top && top.type === 'map' && !top.afterColon && (i + 1 === text.length || ' ,}]'.includes(text[i + 1]))) {
      top.key = text.slice(top.tokenStart, i).trim().replace(/^["']|["']$/g, '');
      top.keys.push(top.key);
      top.afterColon = true;
      top.tokenStart = i + 1;
    } else if (ch === '#' && (i === 0 || text[i - 1] === ' ')) return undefined; // a comment: the flow never closed on this line
  }
  if (!stack.length) return undefined;
  const segments: string[] = [];
  for (let k = 0; k < stack.length - 1; k++) {
    const f = stack[k];
    segments.push(f.type === 'seq' ? '*' : f.key ?? '');
  }
  const inner = stack[stack.length - 1];
  const prefix = text.slice(inner.tokenStart).trimStart();
  if (inner.type === 'seq') return { segments, position: 'item', prefix, siblings: [] };
  if (inner.afterColon) return { segments, position: 'value', key: inner.key, prefix: prefix.replace(/^["']/, ''), siblings: inner.keys };
  return { segments, position: 'key', prefix, siblings: inner.keys };
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

export function cursorContext(lines: LineIndex, at: Position, budget: Budget = UNLIMITED): CursorContext {
  const pos = lines.clamp(at);
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
  let flow: ReturnType<typeof flowContext>;
  const k = KEY.exec(seg);
  if (k) {
    key = k[1].replace(/^["']|["']$/g, '');
    const valuePart = seg.slice(k[0].length);
    const fc = flowContext(valuePart);
    if (fc) {
      flow = fc;
      prefix = fc.prefix;
      prefixStart = pos.character - fc.prefix.length;
      position = fc.position;
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
    if (budget.spent()) break;
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
  if (flow) {
    // The line's key holds the outermost collection; the flow's own keys and items lead inside.
    const inFlow = [key!, ...flow.segments];
    if (flow.position === 'value') return { path: [...fullPath, ...inFlow], position: 'value', key: flow.key, prefix, prefixStart, column, siblings: flow.siblings, inText: false, flow: true };
    if (flow.position === 'key') return { path: [...fullPath, ...inFlow], position: 'key', prefix, prefixStart, column, siblings: flow.siblings, inText: false, flow: true };
    // An item of a flow list: `key` names the list when a key holds it, else the path ends in `*`.
    const holder = inFlow[inFlow.length - 1];
    const rest = inFlow.slice(0, -1);
    return holder === '*' || holder === ''
      ? { path: [...fullPath, ...inFlow, '*'], position: 'item', prefix, prefixStart, column, siblings: [], inText: false, flow: true }
      : { path: [...fullPath, ...rest], position: 'item', key: holder, prefix, prefixStart, column, siblings: [], inText: false, flow: true };
  }
  return { path: fullPath, position, key, prefix, prefixStart, column, siblings: siblingKeys(lines, pos.line, column, budget), inText };
}

/** Keys at `column` in the block around `line`. */
function siblingKeys(lines: LineIndex, line: number, column: number, budget: Budget): string[] {
  const out: string[] = [];
  const visit = (l: number): 'stop' | 'go' => {
    const s = shape(lines.lineText(l));
    if (!s) return 'go';
    if (s.column === column && s.key !== undefined && l !== line) out.push(s.key);
    if (s.column < column || (s.dashes.length && s.dashes[s.dashes.length - 1] < column)) return 'stop';
    return 'go';
  };
  const self = shape(lines.lineText(line));
  if (!(self && self.dashes.length)) for (let l = line - 1; l >= 0 && line - l < 2000 && !budget.spent(); l--) {
    const r = visit(l);
    if (r === 'stop') break;
  }
  for (let l = line + 1; l < lines.lineCount && l - line < 2000 && !budget.spent(); l++) {
    const s = shape(lines.lineText(l));
    if (s && s.dashes.length && s.dashes[s.dashes.length - 1] < column) break;
    if (visit(l) === 'stop') break;
  }
  return out;
}
