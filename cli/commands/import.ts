// `userlm import tau2 <tasks.json> [--policy FILE] --out DIR`: τ²-bench tasks become a workspace
// (scenarios, a profile collection, a suite, userlm.yaml when missing), validated at once.
// Nothing existing is overwritten unless --force; userlm.yaml is never overwritten.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs, UsageError } from '../args';
import { importTau2, Tau2FormatError } from '../../core/import/tau2';
import { writeWorkspaceFiles, validateWritten } from '../../core/import/write';
import { shown } from '../render/paths';
import type { Command } from './index';

const HELP = `Turns τ²-bench tasks (tasks.json) into a workspace under DIR:
  scenarios/tau2-<domain>-<task>.scenario.yaml   one per task
  profiles/tau2-<domain>.profile.yaml            the users (persona, character)
  suites/tau2-<domain>.suite.yaml                a suite over the scenarios
  userlm.yaml                                    when DIR has none
The domain policy is the agents' SOP: --policy FILE, else policy.md beside tasks.json.
Existing files are left alone unless --force (userlm.yaml never). The result is validated.
`;

export const importCommand: Command = {
  usage: 'tau2 <tasks.json> [--policy FILE] [--domain D] --out DIR [--force]',
  summary: 'import τ²-bench tasks as scenarios, profiles and a suite',
  async run(args) {
    const { positional, flags } = parseArgs(args, { values: ['policy', 'out', 'domain'], booleans: ['force'] });
    if (flags.help) {
      process.stdout.write(`usage: userlm import ${this.usage}\n\n${HELP}`);
      return 0;
    }
    const [format, tasksPath] = positional;
    if (format !== 'tau2') throw new UsageError(format ? `unknown format '${format}' (known: tau2)` : 'missing the format (tau2)');
    if (!tasksPath) throw new UsageError('missing the tasks file (tasks.json)');
    if (!existsSync(tasksPath)) throw new UsageError(`tasks file '${tasksPath}' does not exist`);
    if (typeof flags.out !== 'string') throw new UsageError('missing --out DIR');
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(tasksPath, 'utf8'));
    } catch (e) {
      process.stderr.write(`userlm import: ${shown(tasksPath)} is not valid JSON: ${(e as Error).message}\n`);
      return 1;
    }
    const policyPath = typeof flags.policy === 'string' ? flags.policy : join(dirname(tasksPath), 'policy.md');
    if (typeof flags.policy === 'string' && !existsSync(policyPath)) throw new UsageError(`policy file '${policyPath}' does not exist`);
    const policy = existsSync(policyPath) ? readFileSync(policyPath, 'utf8') : undefined;
    const folder = basename(dirname(resolve(tasksPath)));
    let result;
    try {
      result = importTau2(data, { policy, domain: typeof flags.domain === 'string' ? flags.domain : folder });
    } catch (e) {
      if (e instanceof Tau2FormatError) {
        process.stderr.write(`userlm import: ${shown(tasksPath)}: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
    const out = resolve(flags.out);
    const license = [join(dirname(tasksPath), 'LICENSE'), join(dirname(tasksPath), '..', 'LICENSE')].find((p) => existsSync(p));
    const written = writeWorkspaceFiles(out, result.files, { force: flags.force === true, extra: license ? [{ path: 'TAU2-BENCH-LICENSE', text: readFileSync(license, 'utf8') }] : [] });
    if (written.conflicts.length) {
      process.stderr.write(`userlm import: these files exist and differ; nothing was written (use --force to replace them):\n${written.conflicts.map((f) => `  ${shown(f)}`).join('\n')}\n`);
      return 1;
    }
    process.stdout.write(`imported ${result.scenarioIds.length} task${result.scenarioIds.length === 1 ? '' : 's'} into ${shown(out)}${policy ? ` (SOP from ${shown(policyPath)})` : ' (no policy file: the agents have no SOP)'}\n`);
    for (const f of written.files) process.stdout.write(`  ${f.status.padEnd(9)} ${shown(f.path)}\n`);
    for (const n of result.notes) process.stdout.write(`  note: ${n}\n`);
    const { errors, warnings, lines } = await validateWritten(out);
    for (const l of lines) process.stdout.write(`${l}\n`);
    process.stdout.write(`validated: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
    return errors ? 1 : 0;
  },
};
