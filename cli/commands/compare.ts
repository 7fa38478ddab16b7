// `userlm compare <run> <run>`: per scenario, per split and overall deltas (B - A).
import { parseArgs } from '../args';
import { atMostPositional } from '../inputs';
import { compareRuns } from '../../core/runs';
import { runDirArg } from '../render/paths';
import { renderComparison } from '../render/summary';
import { exitQuietlyOnClosedStdout, style } from '../render/style';
import type { Command } from './index';

export const compareCommand: Command = {
  usage: '<run A> <run B> [--json] [--root DIR]',
  summary: 'compare two eval runs (B - A per scenario, split and metric)',
  async run(args) {
    exitQuietlyOnClosedStdout();
    const { positional, flags } = parseArgs(args, { values: ['root'], booleans: ['json'] });
    if (flags.help) {
      process.stdout.write(`usage: userlm compare ${this.usage}\n\nRuns are run directories or run ids under .userlm/runs. Prints each value in A and B and\nB - A: total, pass rate, paper metrics and reward components, overall, per split and per scenario.\n`);
      return 0;
    }
    atMostPositional(positional, 2);
    const a = runDirArg(positional[0], flags.root);
    const b = runDirArg(positional[1], flags.root);
    const c = compareRuns(a, b);
    process.stdout.write(flags.json ? JSON.stringify(c, null, 2) + '\n' : renderComparison(c, style(process.stdout)));
    return 0;
  },
};
