// `userlm eval <suite>`: runs a suite with a progress bar on stderr, then prints the summary table
// and the run directory. Exit 1 when a threshold fails or a dialogue errored; Ctrl-C stops cleanly
// (finished dialogues are kept; `--resume RUN_DIR` continues).
import { EXIT, intFlag, parseArgs, UsageError } from '../args';
import { readTranscripts, resolveSuite, runSuite, selectDialogues, type DialogueSelection, type ResolvedSuite } from '../../core/runs';
import { existsSync } from 'node:fs';
import { resolveFrom } from '../../core/model/load';
import { failureLines } from '../../core/backends/chat/errors';
import { reportFileErrors } from '../render/problems';
import { rootFor, runDirArg, shown } from '../render/paths';
import { atMostPositional, inputFile, InputError, outputFolder, schemaIntFlag } from '../inputs';
import { cliSecrets, TRUST_FLAG } from '../secrets';
import { ProgressBar } from '../render/progress';
import { renderSummary } from '../render/summary';
import { exitQuietlyOnClosedStdout, style } from '../render/style';
import type { Command } from './index';

export const evalCommand: Command = {
  usage: '<suite> [--only GLOB] [--limit N] [--concurrency N] [--out DIR | --resume RUN_DIR] [--root DIR] [--trust]',
  summary: 'run an eval suite; summary per scenario, split and paper metric',
  async run(args) {
    exitQuietlyOnClosedStdout();
    const { positional, flags } = parseArgs(args, { values: ['concurrency', 'out', 'resume', 'root', 'only', 'limit'], booleans: [TRUST_FLAG] });
    if (flags.help) {
      process.stdout.write(`usage: userlm eval ${this.usage}\n\nRuns every dialogue of the suite (scenario x profile x sample), appends each finished one to\n<run>/transcripts.jsonl, writes run.json and summary.json, and prints the run directory.\n--only GLOB: only dialogues whose id (<scenario>:<profile>:<sample>) or scenario id matches.\n--limit N: only the first N of them. Exit status 1 when a threshold fails or a dialogue errored,\n3 when refused (an untrusted workspace's key, a run directory in use). Ctrl-C stops cleanly;\n--resume RUN_DIR skips the dialogues already finished. One process at a time per run directory.\n--trust: send the keys userlm.yaml names without 'userlm trust' (this run only).\n`);
      return 0;
    }
    atMostPositional(positional, 1);
    const loaded = inputFile(positional[0], ['suite'], 'suite file');
    const file = loaded.path;
    const root = rootFor(file, flags.root);
    const concurrency = schemaIntFlag(flags, 'concurrency', 'suite', ['concurrency']);
    const limit = intFlag(flags, 'limit');
    if (limit !== undefined && limit < 1) throw new UsageError(`--limit must be at least 1, got ${limit}`);
    const only = flags.only as string | undefined;
    if (only !== undefined && !only.trim()) throw new UsageError('--only needs a glob, e.g. --only "telecom-*"');
    if (flags.out !== undefined && flags.resume !== undefined) throw new UsageError('--out and --resume do not go together: a resumed run stays in its own directory');
    const outDir = outputFolder(flags, 'out');
    const resumeDir = flags.resume !== undefined ? runDirArg(flags.resume as string, flags.root) : undefined;
    const select: DialogueSelection = { only, limit };

    let planned: ResolvedSuite;
    try {
      planned = await resolveSuite(root, file);
    } catch (e) {
      // A suite the engine cannot use: show the checker's located errors (the suite and the reward
      // specs it names) when it finds some, else the engine's message.
      const suite = loaded.value as { rewards?: unknown };
      const specs = typeof suite.rewards === 'string' ? [resolveFrom(file, suite.rewards)] : [];
      const errors = await reportFileErrors(root, [file, ...specs.filter((f) => existsSync(f))]);
      process.stderr.write(errors ? `userlm eval: ${errors} error${errors === 1 ? '' : 's'}; fix them first\n` : `userlm eval: ${(e as Error).message}\n`);
      return EXIT.failed;
    }
    let selected;
    try {
      selected = selectDialogues(planned.dialogues, select);
    } catch (e) {
      throw new InputError((e as Error).message);
    }
    const files = [file, ...new Set(selected.map((d) => d.scenarioFile))];
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
        root, suiteFile: file, concurrency, outDir, resumeDir, select, secret: cliSecrets(root, flags), signal: ctrl.signal,
        owner: `userlm eval${resumeDir ? ' --resume' : ''} (${shown(file)})`,
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
        return EXIT.interrupted;
      }
      return result.summary.pass ? EXIT.ok : EXIT.failed;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  },
};
