// Refusing files with errors: the language server's checks, printed `file:line:col: message`.
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { validateWorkspace } from '../../core/validate/index';
import { WORKSPACE_FILE_NAMES } from '../../core/files';

/** Validates the given workspace files (plus userlm.yaml or userlm.yml); prints errors to stderr; returns how many. */
export async function reportFileErrors(root: string, files: string[]): Promise<number> {
  const configs = WORKSPACE_FILE_NAMES.map((n) => join(root, n)).filter((f) => existsSync(f));
  const paths = [...new Set([...files, ...configs])];
  const results = await validateWorkspace(root, paths);
  let errors = 0;
  for (const [file, problems] of results) {
    for (const p of problems) {
      if (p.severity !== 'error') continue;
      errors++;
      process.stderr.write(`${relative(process.cwd(), file) || file}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.message}\n`);
    }
  }
  return errors;
}
