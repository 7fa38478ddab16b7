// `userlm backend test <id>`: one probe of a backend from userlm.yaml: which reasoning dialect
// the server speaks, whether it streamed, the latency and the model's context size when the
// server says it. Exit 1 when the probe fails (the cause in one line).
import { existsSync } from 'node:fs';
import { parseArgs, UsageError } from '../args';
import { loadWorkspace, findWorkspaceRoot } from '../../core/model/load';
import { backendKey, findBackend } from '../../core/dialogue/types';
import { probeBackend, probeRows } from '../../core/backends/probe';
import { foldLine } from '../../core/backends/chat/errors';
import { cliSecrets, TRUST_FLAG } from '../secrets';
import { exitQuietlyOnClosedStdout, style } from '../render/style';
import { resolve } from 'node:path';
import type { Command } from './index';

export const backendCommand: Command = {
  usage: 'test <id> [--json] [--trust] [--root DIR]',
  summary: 'probe a backend: reasoning dialect, streaming, latency, context size',
  async run(args) {
    exitQuietlyOnClosedStdout();
    const { positional, flags } = parseArgs(args, { values: ['root'], booleans: ['json', TRUST_FLAG] });
    if (flags.help) {
      process.stdout.write(`usage: userlm backend ${this.usage}\n\nSends one short chat request to the backend <id> of userlm.yaml through the same client as\na run, and reports where the server puts the reasoning (the 'reasoning' or 'reasoning_content'\nfield, <think> tags, an implicit think, or none), whether the reply streamed, the latency and\nthe model's context size when the server reports it. --json prints the result as one object.\nA key (api_key: env:VAR) is sent only for a trusted workspace (userlm trust, or --trust).\n`);
      return 0;
    }
    if (positional[0] !== 'test') throw new UsageError(`unknown backend action '${positional[0] ?? ''}' (try: userlm backend test <id>)`);
    const id = positional[1];
    if (!id) throw new UsageError('missing backend id');
    const root = typeof flags.root === 'string' ? resolve(flags.root) : findWorkspaceRoot(process.cwd(), existsSync);
    const config = (await loadWorkspace(root)).config?.value;
    const s = style(process.stdout);
    const err = style(process.stderr);
    let backend;
    try {
      backend = findBackend(id, config, 'backend');
      const result = await probeBackend(backend, backendKey(backend, { config, secret: cliSecrets(root, flags) }));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return 0;
      }
      const rows = probeRows(result, backend.base_url);
      process.stdout.write(`${s.green('ok')} ${rows.map(([k, v]) => `${k.padEnd(10)} ${v}`).join('\n   ')}\n`);
      for (const w of result.warnings) process.stderr.write(err.yellow(`warning: ${w}\n`));
      return 0;
    } catch (e) {
      process.stderr.write(err.red(`failed: ${foldLine((e as Error).message)}\n`));
      return 1;
    }
  },
};
