// The CLI's command table. Add a command by writing cli/commands/<name>.ts exporting a
// `Command` and listing it here.
import { exportCommand } from './export';
import { trainCommand } from './train';
import { validateCommand } from './validate';
import { runCommand } from './run';
import { evalCommand } from './eval';
import { compareCommand } from './compare';
import { reportCommand } from './report';
import { trustCommand, untrustCommand } from './trust';
import { importCommand } from './import';
import { draftCommand } from './draft';
import { scoreCommand } from './score';
import { backendCommand } from './backend';

export interface Command {
  /** Arguments after the command name, e.g. `<scenario> [--seed N]`. */
  usage: string;
  summary: string;
  /** Returns the process exit status. */
  run(args: string[]): Promise<number>;
}

export const commands: Record<string, Command> = {};
commands.export = exportCommand;
commands.train = trainCommand;
commands.validate = validateCommand;
commands.run = runCommand;
commands.eval = evalCommand;
commands.compare = compareCommand;
commands.report = reportCommand;
commands.trust = trustCommand;
commands.untrust = untrustCommand;
commands.import = importCommand;
commands.draft = draftCommand;
commands.score = scoreCommand;
commands.backend = backendCommand;
