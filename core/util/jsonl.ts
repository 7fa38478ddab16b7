// The one JSONL reader: one JSON value per line, blank lines skipped. Two modes:
// - strict: the first bad line throws `file:line: what is wrong` (datasets, uploads: nothing
//   half-read may pass);
// - tolerant: bad lines (a torn last line after a kill, a damaged record) are skipped and listed,
//   so a run's finished dialogues stay readable.
import { readFileSync } from 'node:fs';

export type JsonlMode = 'strict' | 'tolerant';

export interface JsonlOptions {
  mode: JsonlMode;
  /** Says what is wrong with a parsed value that is not a T (undefined: it is one). */
  check?: (value: unknown) => string | undefined;
  /** `error` (default in strict mode) or `empty` (default in tolerant mode) for a file that does not exist. */
  missing?: 'error' | 'empty';
  /** Added to the "cannot read" message, e.g. what to give instead. */
  hint?: string;
}

export interface JsonlProblem { line: number; message: string }
export interface JsonlResult<T> { rows: { line: number; value: T }[]; problems: JsonlProblem[] }

export function parseJsonl<T>(text: string, file: string, opts: JsonlOptions): JsonlResult<T> {
  const out: JsonlResult<T> = { rows: [], problems: [] };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim()) continue;
    let value: unknown;
    let problem: string | undefined;
    try {
      value = JSON.parse(line);
      problem = opts.check?.(value);
    } catch (e) {
      problem = `not valid JSON (${(e as Error).message})`;
    }
    if (problem === undefined) {
      out.rows.push({ line: i + 1, value: value as T });
      continue;
    }
    if (opts.mode === 'strict') throw new Error(`${file}:${i + 1}: ${problem}`);
    out.problems.push({ line: i + 1, message: problem });
  }
  return out;
}

export function readJsonl<T>(file: string, opts: JsonlOptions): JsonlResult<T> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && (opts.missing ?? (opts.mode === 'strict' ? 'error' : 'empty')) === 'empty') return { rows: [], problems: [] };
    throw new Error(`cannot read ${file}: ${code ?? (e as Error).message}${opts.hint ? ` (${opts.hint})` : ''}`);
  }
  return parseJsonl(text, file, opts);
}
