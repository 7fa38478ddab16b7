// `userlm draft <sop file | -> [--profile ID] [--domain D] [--split standard|adversarial]
// [--backend ID] [--variants N] [--out FILE]`: a scenario drafted from an agent SOP. Without
// --backend, the deterministic drafter (no key); with one, the model's structured output is
// checked against the schema and the workspace and repaired. The result validates or the command
// says why not, and nothing is written then.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { intFlag, parseArgs, UsageError } from '../args';
import { draftScenarios, DraftError } from '../../core/draft/index';
import { createChatClient } from '../../core/backends/chat/index';
import { backendKey, findBackend } from '../../core/dialogue/types';
import { loadWorkspace } from '../../core/model/load';
import type { Workspace } from '../../core/generated/schema-types';
import { rootFor, shown } from '../render/paths';
import { cliSecrets, TRUST_FLAG } from '../secrets';
import type { Command } from './index';

const HELP = `Drafts the caller's side of a call from an agent SOP (plain text or markdown, numbered or not):
targets grounded in the SOP's words (prices, fees, times, terms, yes/no answers, confirmations),
unknown facts only the agent can give, memory for the SOP's identity checks, decision policies,
state transitions, termination defaults, and tactics on the adversarial split.
  -               read the SOP from stdin
  --variants N    N goal variants (priorities, reveal strategies, policies); with --out, the
                  others go to FILE-v2, FILE-v3, ...
  --backend ID    draft with a model from userlm.yaml; its answer is checked against the schema
                  and the workspace, and problems are sent back for up to --repairs N (default 3)
Without --out the YAML goes to stdout. Existing files are not replaced without --force.
`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export const draftCommand: Command = {
  usage: '<sop file | -> [--profile ID] [--domain D] [--split standard|adversarial] [--backend ID] [--variants N] [--out FILE] [--root DIR] [--trust]',
  summary: 'draft a scenario (or N goal variants) from an agent SOP',
  async run(args) {
    const { positional, flags } = parseArgs(args, { values: ['profile', 'domain', 'split', 'backend', 'variants', 'out', 'root', 'repairs'], booleans: ['force', TRUST_FLAG] });
    if (flags.help) {
      process.stdout.write(`usage: userlm draft ${this.usage}\n\n${HELP}`);
      return 0;
    }
    const src = positional[0];
    if (!src) throw new UsageError('missing the SOP file (or - for stdin)');
    if (src !== '-' && !existsSync(src)) throw new UsageError(`SOP file '${src}' does not exist`);
    const split = flags.split as string | undefined;
    if (split !== undefined && split !== 'standard' && split !== 'adversarial') throw new UsageError(`--split must be standard or adversarial, got '${split}'`);
    const variants = intFlag(flags, 'variants') ?? 1;
    if (variants < 1 || variants > 20) throw new UsageError('--variants must be between 1 and 20');
    const repairs = intFlag(flags, 'repairs');
    const sop = src === '-' ? await readStdin() : readFileSync(src, 'utf8');
    if (!sop.trim()) throw new UsageError('the SOP is empty');
    const out = typeof flags.out === 'string' ? resolve(flags.out) : undefined;
    // The workspace the draft must fit: --root, else the one around --out, else the one around the current folder (not the SOP's).
    const root = rootFor(out ?? process.cwd(), flags.root);
    let client;
    if (typeof flags.backend === 'string') {
      const ws = await loadWorkspace(root);
      const backend = findBackend(flags.backend, ws.config?.value as Workspace | undefined, 'backend');
      client = createChatClient(backend, backendKey(backend, { config: ws.config?.value as Workspace | undefined, secret: cliSecrets(root, flags) }));
    }
    const ctrl = new AbortController();
    const onSigint = () => ctrl.abort();
    process.once('SIGINT', onSigint);
    try {
      const drafts = await draftScenarios({
        sop, root, profile: flags.profile as string | undefined, domain: flags.domain as string | undefined, split: split as 'standard' | 'adversarial' | undefined,
        variants, outFile: out, client, maxRepairs: repairs, signal: ctrl.signal,
        onProgress: (m) => process.stderr.write(`userlm draft: ${m}\n`),
      });
      if (!out) {
        process.stdout.write(drafts.map((d) => d.text).join('---\n'));
        return 0;
      }
      const taken = drafts.filter((d) => existsSync(d.path) && readFileSync(d.path, 'utf8') !== d.text);
      if (taken.length && flags.force !== true) {
        process.stderr.write(`userlm draft: these files exist; nothing was written (use --force to replace them):\n${taken.map((d) => `  ${shown(d.path)}`).join('\n')}\n`);
        return 1;
      }
      for (const d of drafts) {
        mkdirSync(dirname(d.path), { recursive: true });
        writeFileSync(d.path, d.text);
        const warnings = d.problems.filter((p) => p.severity === 'warning').length;
        process.stdout.write(`wrote ${shown(d.path)}: scenario ${d.scenario.id}, ${d.scenario.targets.length} targets${d.attempts ? `, ${d.attempts} model answer${d.attempts === 1 ? '' : 's'}` : ''}; validates with 0 errors${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}\n`);
      }
      return 0;
    } catch (e) {
      if (!(e instanceof DraftError)) throw e;
      process.stderr.write(`userlm draft: ${e.message}\n`);
      for (const p of e.problems) process.stderr.write(`  ${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.severity}: ${p.message} [${p.code}]\n`);
      if (e.lastText) process.stderr.write(`the last draft was:\n${e.lastText}`);
      return 1;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  },
};
