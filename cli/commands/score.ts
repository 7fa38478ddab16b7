// `userlm score <run dir | transcripts.jsonl> [--rewards FILE] [--judge ID] [--out FILE] [--json] [--root DIR]`:
// re-derives and re-scores every dialogue (docs/rewards.md §7) and writes the result to --out or to
// a new run directory beside the input. The original is never edited.
import { existsSync } from 'node:fs';
import { parseArgs, UsageError } from '../args';
import { rescoreRun, transcriptsFileOf } from '../../core/rewards/rescore-run';
import { rootFor, shown } from '../render/paths';
import { cliSecrets, TRUST_FLAG } from '../secrets';
import { renderSummary } from '../render/summary';
import { exitQuietlyOnClosedStdout, style } from '../render/style';
import type { Command } from './index';

export const scoreCommand: Command = {
  usage: '<run dir | transcripts.jsonl> [--rewards FILE] [--judge ID] [--out FILE] [--json] [--root DIR] [--trust]',
  summary: 're-score finished dialogues with a reward spec (and a judge) into a new run',
  async run(args) {
    exitQuietlyOnClosedStdout();
    const { positional, flags } = parseArgs(args, { values: ['rewards', 'judge', 'out', 'root'], booleans: ['json', TRUST_FLAG] });
    if (flags.help) {
      process.stdout.write(`usage: userlm score ${this.usage}\n\nRe-computes everything derived from the turns of each dialogue: each user turn's text and\nrationale from its raw output, target status, rewards, turn scores, totals and metrics.\nDefault spec: the run's own (run.json); --rewards FILE to use another. Without --judge, judge\ncomponents get no value. Writes a new run directory beside the input (or --out FILE) and prints\nthe summary (--json: the summary as JSON).\n`);
      return 0;
    }
    if (positional.length !== 1) throw new UsageError(positional.length ? `give one run, got ${positional.length}` : 'missing run directory or transcripts.jsonl');
    try { transcriptsFileOf(positional[0]); } catch (e) { throw new UsageError((e as Error).message); }
    if (typeof flags.rewards === 'string' && !existsSync(flags.rewards)) throw new UsageError(`--rewards '${flags.rewards}' does not exist`);
    const root = rootFor(positional[0], flags.root);
    const r = await rescoreRun({
      input: positional[0], root, rewardsFile: flags.rewards as string | undefined, judgeId: flags.judge as string | undefined,
      out: flags.out as string | undefined, secret: cliSecrets(root, flags),
    });
    if (flags.json) {
      process.stdout.write(JSON.stringify({ transcripts: r.transcriptsFile, run_dir: r.runDir ?? null, rewards: r.specSource, summary: r.summary }, null, 2) + '\n');
      return 0;
    }
    const s = style(process.stdout);
    process.stdout.write(`${s.bold('scored')} ${r.transcripts.length} dialogues with ${r.specSource}\nwrote ${shown(r.transcriptsFile)}\n\n`);
    process.stdout.write(renderSummary(r.summary, s));
    return 0;
  },
};
