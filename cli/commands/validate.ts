// `userlm validate [paths or globs] [--format text|json]`: the language server's checks from the
// command line. Exit status 1 when any file has errors, 0 otherwise.
import { existsSync, statSync } from 'node:fs';
import { relative, dirname } from 'node:path';
import { parseArgs, UsageError } from '../args';
import { validateWorkspace, type Problem } from '../../core/validate/index';
import { findWorkspaceRoot } from '../../core/model/load';
import { rootArg } from '../render/paths';
import type { Command } from './index';

export const validateCommand: Command = {
  usage: '[paths or globs...] [--root DIR] [--format text|json]',
  summary: 'check profiles, scenarios, suites, rewards and userlm.yaml',
  async run(args) {
    const { positional, flags } = parseArgs(args, { values: ['format', 'root'] });
    if (flags.help) {
      process.stdout.write(`usage: userlm validate ${this.usage}\n\nChecks YAML syntax, the schemas and references across the workspace.\nPrints file:line:col: severity: message [code]; exits 1 when there are errors.\nDefault: every workspace file under the root (the nearest folder with userlm.yaml).\n`);
      return 0;
    }
    const format = (flags.format as string | undefined) ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, got '${format}'`);
    // The workspace: --root, else the nearest folder with userlm.yaml above the first path (or the current folder).
    const first = positional.find((p) => existsSync(p));
    const start = first ? (statSync(first).isDirectory() ? first : dirname(first)) : process.cwd();
    const root = typeof flags.root === 'string' ? rootArg(flags.root) : findWorkspaceRoot(start, existsSync);
    let results: Map<string, Problem[]>;
    try {
      results = await validateWorkspace(root, positional);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const rel = (f: string) => relative(process.cwd(), f) || f;
    let errors = 0, warnings = 0;
    const files: { file: string; problems: Problem[] }[] = [];
    for (const [file, problems] of results) {
      errors += problems.filter((p) => p.severity === 'error').length;
      warnings += problems.filter((p) => p.severity === 'warning').length;
      files.push({ file: rel(file), problems: problems.map((p) => ({ ...p, file: rel(file), data: undefined })) });
    }
    if (format === 'json') {
      process.stdout.write(JSON.stringify({ root, files: files.length, errors, warnings, problems: files.flatMap((f) => f.problems) }, null, 2) + '\n');
    } else {
      for (const f of files) for (const p of f.problems) {
        process.stdout.write(`${p.file}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.severity}: ${p.message} [${p.code}]\n`);
      }
      process.stdout.write(`${files.length} file${files.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
    }
    return errors > 0 ? 1 : 0;
  },
};
