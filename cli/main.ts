// `userlm`: the command line over core. Each command lives in cli/commands/<name>.ts and
// registers itself in the table below.
import { commands } from './commands';
import { EXIT, UsageError } from './args';
import { InputError } from './inputs';
import { isUntrustedError } from '../core/trust';
import { isRunLockedError } from '../core/runs/lock';

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    printHelp();
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`userlm: unknown command '${name}'. Run 'userlm --help' for the list.\n`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`userlm ${name}: ${err.message}\nusage: userlm ${name} ${command.usage}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`userlm ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    if (err instanceof InputError) return err.exitCode;
    if (isUntrustedError(err) || isRunLockedError(err)) return EXIT.refused;
    return EXIT.failed;
  }
}

declare const __USERLM_VERSION__: string | undefined;
const VERSION = typeof __USERLM_VERSION__ === 'string' ? __USERLM_VERSION__ : '0.1.0';

function printHelp(): void {
  const lines = ['userlm — author, preview, evaluate and train user simulators', '', 'Commands:'];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${(name + ' ' + c.usage).padEnd(58)} ${c.summary}`);
  lines.push('', "Run 'userlm <command> --help' for a command's options.");
  process.stdout.write(lines.join('\n') + '\n');
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err) => { process.stderr.write(`userlm: ${err instanceof Error ? err.message : String(err)}\n`); process.exitCode = 1; },
  );
}
