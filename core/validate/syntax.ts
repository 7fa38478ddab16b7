// YAML syntax errors in words a YAML novice understands, one diagnostic per problem, with the
// fix. The `yaml` library reports a broken structure as a cascade of parser errors (one
// misplaced ` - id:` line gives seven); indentation and tabs are read here from the lines
// themselves, which names the one line to fix and by how many spaces.
import type { LineIndex, Range } from '../model/line-index';

export interface SyntaxExplanation { range: Range; message: string }

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Lines indented with a tab: one problem per line, at the tab. */
export function tabProblems(lines: LineIndex): SyntaxExplanation[] {
  const out: SyntaxExplanation[] = [];
  for (let l = 0; l < lines.lineCount; l++) {
    const t = lines.lineText(l);
    const m = /^[ \t]*/.exec(t)![0];
    const tab = m.indexOf('\t');
    if (tab < 0 || m.length === t.length) continue; // no tab in the indentation, or a blank line
    out.push({ range: { start: { line: l, character: tab }, end: { line: l, character: m.length } }, message: 'tabs are not allowed for indentation: indent this line with spaces' });
  }
  return out;
}

interface Level { col: number }

/**
 * Lines whose indentation matches no enclosing level: "indent this line by 2 more spaces" or
 * "remove 2 spaces of indentation". Reads block mappings and lists; skips block scalars and
 * multi-line flow collections or quoted values, where indentation means nothing structural.
 */
export function indentationProblems(lines: LineIndex): SyntaxExplanation[] {
  const out: SyntaxExplanation[] = [];
  const stack: Level[] = [{ col: 0 }];
  let opens = false; // the previous content line ends with `key:` or `-`: a deeper block may start
  let blockScalarAbove = -1; // inside `key: |` text: lines deeper than this are text
  let flowDepth = 0;
  const top = () => stack[stack.length - 1].col;
  for (let l = 0; l < lines.lineCount; l++) {
    const t = lines.lineText(l);
    const indent = /^ */.exec(t)![0].length;
    if (indent === t.length || t[indent] === '#' || t[indent] === '\t') continue;
    if (blockScalarAbove >= 0) { if (indent > blockScalarAbove) continue; blockScalarAbove = -1; }
    if (flowDepth > 0) { flowDepth = Math.max(0, flowDepth + depthChange(t)); continue; }
    if (indent === 0 && /^(---|\.\.\.|%)/.test(t)) { stack.length = 1; opens = false; continue; }
    let col = indent;
    if (opens && indent > top()) stack.push({ col: indent });
    else {
      let popped: number | undefined;
      while (stack.length > 1 && top() > indent) popped = stack.pop()!.col;
      if (top() !== indent) {
        // Between two levels: the nearest one (a tie goes to the deeper).
        const want = popped !== undefined && popped - indent <= indent - top() ? popped : top();
        out.push(fix(l, indent, want));
        col = want;
        if (want > top()) stack.push({ col: want });
      }
    }
    rest(t.slice(indent), col);
  }
  return out;

  /** Reads what follows the indentation: dashes add levels; `key:` or `-` alone opens a block. */
  function rest(body: string, col: number): void {
    let c = col;
    let s = body;
    for (;;) {
      const m = /^-( +|$)/.exec(s);
      if (!m) break;
      c += 1 + m[1].length;
      s = s.slice(1 + m[1].length);
      if (stack[stack.length - 1].col < c) stack.push({ col: c });
    }
    if (s === '') { opens = true; return; }
    const key = /^("[^"]*"|'[^']*'|[^\s#'"[\]{}][^#]*?)\s*:(\s+(.*))?$/.exec(s);
    const value = key ? (key[3] ?? '').replace(/\s+#.*$/, '') : s;
    opens = !!key && value === '';
    if (key && /^[|>][-+0-9]*$/.test(value)) { blockScalarAbove = col; opens = false; }
    flowDepth = Math.max(0, depthChange(value));
    if (/^["'][^"']*$/.test(value)) flowDepth = 1; // a quoted value that goes on
  }

  function fix(line: number, indent: number, want: number): SyntaxExplanation {
    const range = { start: { line, character: 0 }, end: { line, character: indent } };
    if (want > indent) return { range, message: `this line is indented by ${plural(indent, 'space')} but belongs at ${want}: indent it by ${plural(want - indent, 'more space')}` };
    return { range, message: `this line is indented by ${plural(indent, 'space')} but belongs at ${want}: remove ${plural(indent - want, 'space')} of indentation` };
  }
}

function depthChange(s: string): number {
  let d = 0;
  let q = '';
  for (const ch of s) {
    if (q) { if (ch === q) q = ''; continue; }
    if (ch === '"' || ch === "'") q = ch;
    else if (ch === '[' || ch === '{') d++;
    else if (ch === ']' || ch === '}') d--;
    else if (ch === '#') break;
  }
  return d;
}

const PLAIN: [RegExp, string][] = [
  [/^Map keys must be unique/, 'this key appears twice in the same mapping: remove or rename one'],
  [/^Implicit keys need to be on a single line/, 'a key and its `:` must be on one line'],
  [/^Implicit map keys need to be followed by map values/, 'this line needs a `key: value` (a `:` after the key)'],
  [/^Nested mappings are not allowed in compact mappings/, 'a `key: value` cannot follow another on the same line: put it on its own line'],
  [/^A block sequence may not be used as an implicit map key/, 'a list item (`- …`) cannot be a key: check the indentation of this line'],
  [/^All (mapping|sequence) items must start at the same column/, 'the items of this block must start at the same column as the ones above'],
  [/^Sequence item without - indicator/, 'this line is inside a list but does not start with `- `: check its indentation'],
];

/** The `yaml` library's message in plainer words (unchanged when there is no better one). */
export function plainSyntaxMessage(message: string): string {
  for (const [re, plain] of PLAIN) if (re.test(message)) return plain;
  return message;
}
