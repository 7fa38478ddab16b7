import type { Range } from '../model/document';

export type Severity = 'error' | 'warning' | 'info';

/** One diagnostic. `range` is 0-based (LSP style); text output prints 1-based `file:line:col`. */
export interface Problem {
  file: string;
  range: Range;
  severity: Severity;
  message: string;
  code: string;
  data?: ProblemData;
  /** Other places the problem is about (the first definition of a duplicate id). */
  related?: { file: string; range: Range; message: string }[];
}

/** What quick fixes need, carried on the problem. */
export interface ProblemData {
  /** A replacement for the text at `range` (near-miss key, value or id). */
  suggestion?: string;
  /** Whole lines to delete to remove an unknown key. */
  removeRange?: Range;
  /** Missing required fields and where to add them. */
  missing?: string[];
  insertAt?: Range['start'];
  indent?: number;
  /** Schema path of the object missing fields (keys and `*` for items). */
  schemaPath?: (string | number)[];
  /** A referenced id that does not exist, and what kind of thing it names. */
  id?: string;
  idKind?: string;
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.severity}: ${p.message} [${p.code}]`;
}
