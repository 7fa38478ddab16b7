// Writing imported or drafted workspace files: all or nothing when a file would be replaced,
// userlm.yaml only when missing; then the folder validated with the language server's checks.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { validateWorkspace } from '../validate/index';
import { defaultWorkspaceFile } from './tau2';
import { yamlText, type OutFile } from './yaml';

export interface WriteResult {
  files: { path: string; status: 'written' | 'unchanged' | 'kept' | 'replaced' }[];
  /** Existing files that differ (nothing was written). */
  conflicts: string[];
}

/** `schemas/` relative to a file, when the output lies inside this repository (for the modeline). */
function schemasFor(file: string): string | undefined {
  let dir = dirname(file);
  for (let i = 0; i < 12; i++) {
    if (existsSync(join(dir, 'schemas', 'scenario.schema.json'))) return relative(dirname(file), join(dir, 'schemas')) || '.';
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

export function writeWorkspaceFiles(outDir: string, files: OutFile[], opts: { force?: boolean; extra?: { path: string; text: string }[] } = {}): WriteResult {
  const planned = [...files.map((f) => ({ path: join(outDir, f.path), file: f, text: '' })), ...(opts.extra ?? []).map((e) => ({ path: join(outDir, e.path), file: undefined, text: e.text }))];
  const wsPath = join(outDir, 'userlm.yaml');
  if (!existsSync(wsPath) && !existsSync(join(outDir, 'userlm.yml'))) planned.push({ path: wsPath, file: defaultWorkspaceFile(), text: '' });
  for (const p of planned) if (p.file) p.text = yamlText(p.file, schemasFor(p.path));
  const conflicts = planned.filter((p) => p.path !== wsPath && existsSync(p.path) && readFileSync(p.path, 'utf8') !== p.text).map((p) => p.path);
  if (conflicts.length && !opts.force) return { files: [], conflicts };
  const out: WriteResult['files'] = [];
  for (const p of planned) {
    const exists = existsSync(p.path);
    if (exists && readFileSync(p.path, 'utf8') === p.text) { out.push({ path: p.path, status: 'unchanged' }); continue; }
    mkdirSync(dirname(p.path), { recursive: true });
    writeFileSync(p.path, p.text);
    out.push({ path: p.path, status: exists ? 'replaced' : 'written' });
  }
  return { files: out, conflicts: [] };
}

/** Validates a folder; problems as `file:line:col: severity: message [code]`. */
export async function validateWritten(root: string): Promise<{ errors: number; warnings: number; lines: string[] }> {
  const results = await validateWorkspace(root);
  let errors = 0;
  let warnings = 0;
  const lines: string[] = [];
  for (const [file, problems] of results) {
    for (const p of problems) {
      if (p.severity === 'error') errors++;
      else if (p.severity === 'warning') warnings++;
      else continue;
      lines.push(`${relative(process.cwd(), file) || file}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.severity}: ${p.message} [${p.code}]`);
    }
  }
  return { errors, warnings, lines };
}
