// `userlm report <run> [--html FILE]`: the run's summary as text, or a self-contained HTML page.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from '../args';
import { loadSummary, readJson, readTranscripts, renderReportHtml, RUN_JSON, type RunJson } from '../../core/runs';
import { failureLines } from '../../core/backends/chat/errors';
import { outputFile, runDirArg, shown } from '../render/paths';
import { atMostPositional } from '../inputs';
import { renderSummary } from '../render/summary';
import { exitQuietlyOnClosedStdout, style } from '../render/style';
import type { Command } from './index';

export const reportCommand: Command = {
  usage: '<run> [--html FILE] [--root DIR]',
  summary: 'print a run\'s summary, or write it as a self-contained HTML page',
  async run(args) {
    exitQuietlyOnClosedStdout();
    const { positional, flags } = parseArgs(args, { values: ['html', 'root'] });
    if (flags.help) {
      process.stdout.write(`usage: userlm report ${this.usage}\n\nWithout --html: the summary table. With --html FILE: one HTML file with inline styles and\nSVG charts (no scripts, no remote content) that opens anywhere.\n`);
      return 0;
    }
    atMostPositional(positional, 1);
    const dir = runDirArg(positional[0], flags.root);
    if (typeof flags.html === 'string') {
      const file = outputFile(flags.html, 'html');
      mkdirSync(dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, renderReportHtml(dir));
      renameSync(tmp, file);
      process.stdout.write(`${shown(file)}\n`);
      return 0;
    }
    const s = style(process.stdout);
    const run = readJson<RunJson>(join(dir, RUN_JSON));
    process.stdout.write(s.bold(`run ${run.run_id}`) + ` · suite ${run.suite.id} · ${run.status} · started ${run.started_at}${run.ended_at ? ` · ended ${run.ended_at}` : ''}\n`
      + `simulator ${run.simulator} · agent ${run.agent ?? 'per scenario'} · judge ${run.judge ?? 'none'} · rewards ${run.rewards_source}\n\n`);
    process.stdout.write(renderSummary(loadSummary(dir), s));
    for (const line of failureLines(readTranscripts(dir))) process.stdout.write(s.red(`  cause ${line}\n`));
    return 0;
  },
};
