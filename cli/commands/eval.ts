// `userlm eval <suite>`: runs a suite with a progress bar on stderr, then prints the summary table
// and the run directory. Exit 1 when a threshold fails or a dialogue errored; Ctrl-C stops cleanly
// (finished dialogues are kept; `--resume RUN_DIR` continues).
import { intFlag, parseArgs, UsageError } from '../args';
import { readTranscripts, resolveSuite, runSuite } from '../../core/runs';
import { failureLines } from '../../core/backends/chat/errors';
import { reportFileErrors } from '../render/problems';
import { envSecret, requireFile, rootFor, runDirArg, shown } from '../render/paths';
import { ProgressBar } from '../render/progress';
import { renderSummary } from '../render/summary';
import { exitQuietlyOnClosedStdout, style } from '../render/style';
import type { Command } from './index';

export const evalCommand: Command = {
  usage: '<suite> [--concurrency N] [--out DIR] [--resume RUN_DIR] [--root DIR]',
  summary: 'run an eval suite; summary per scenario, split and paper metric',
  async run(args) {
    exitQuietlyOnClosedStdout();
    const { positional, flags } = parseArgs(args, { values: ['concurrency', 'out', 'resume', 'root'] });
    if (flags.help) {
      process.stdout.write(`usage: userlm eval ${this.usage}\n\nRuns every dialogue of the suite (scenario x profile x sample), appends each finished one to\n<run>/transcripts.jsonl, writes run.json and summary.json, and prints the run directory.\nExit status 1 when a threshold fails or a dialogue errored. Ctrl-C stops cleanly;\n--resume RUN_DIR skips the dialogues already finished.\n`);
      return 0;
    }
    const file = requireFile(positional[0], 'suite file');
    const root = rootFor(file, flags.root);
    const concurrency = intFlag(flags, 'concurrency');
    if (concurrency !== undefined && concurrency < 1) throw new UsageError('--concurrency must be at least 1');
    const resumeDir = flags.resume !== undefined ? runDirArg(flags.resume as string, flags.root) : undefined;

    let planned;
    try {
      planned = await resolveSuite(root, file);
    } catch (e) {
      process.stderr.write(`${(e as Error).message}\n`);
      return 1;
    }
    const files = [file, ...new Set(planned.dialogues.map((d) => d.scenarioFile))];
    if (planned.specSource !== 'inline' && planned.specSource !== 'builtin') files.push(planned.specSource);
    const errors = await reportFileErrors(root, files);
    if (errors) {
      process.stderr.write(`userlm eval: ${errors} error${errors === 1 ? '' : 's'}; fix them first\n`);
      return 1;
    }

    const err = style(process.stderr);
    const out = style(process.stdout);
    const bar = new ProgressBar(process.stderr);
    const ctrl = new AbortController();
    let interrupts = 0;
    const onSigint = () => {
      interrupts++;
      if (interrupts === 1) {
        process.stderr.write(err.yellow('\nstopping: finishing nothing new; dialogues in flight are dropped (Ctrl-C again to quit at once)\n'));
        ctrl.abort();
      } else process.exit(130);
    };
    process.on('SIGINT', onSigint);
    let runDir = '';
    try {
      const result = await runSuite({
        root, suiteFile: file, concurrency, outDir: flags.out as string | undefined, resumeDir, secret: envSecret, signal: ctrl.signal,
        onStart: (info) => {
          runDir = info.runDir;
          process.stderr.write(`run ${info.runId}: ${info.total} dialogues${info.skipped ? ` (${info.skipped} already finished)` : ''}\n`);
        },
        onProgress: (p) => bar.update(p),
      });
      bar.done();
      runDir = result.runDir;
      process.stdout.write('\n' + renderSummary(result.summary, out));
      for (const line of failureLines(readTranscripts(runDir))) process.stdout.write(out.red(`  cause ${line}\n`));
      process.stdout.write(`run directory: ${shown(runDir)}\n`);
      if (ctrl.signal.aborted) {
        process.stderr.write(err.yellow(`stopped; resume with: userlm eval ${positional[0]} --resume ${shown(runDir)}\n`));
        return 130;
      }
      return result.summary.pass ? 0 : 1;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  },
};
