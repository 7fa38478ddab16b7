// `userlm run <scenario>`: one dialogue, printed as it happens (rationale inline, state changes),
// then the reward table. `--json` prints exactly one transcript object and nothing else on stdout.
import { createInterface } from 'node:readline';
import { EXIT, intFlag, parseArgs } from '../args';
import { previewDialogue, defaultSpec } from '../../core/runs';
import { loadWorkspace } from '../../core/model/load';
import type { State } from '../../core/generated/schema-types';
import { renderEnd, renderHeader, renderRewardTable, renderTurn } from '../render/transcript';
import { reportFileErrors } from '../render/problems';
import { rootFor } from '../render/paths';
import { atMostPositional, inputFile, schemaIntFlag } from '../inputs';
import { cliSecrets, TRUST_FLAG } from '../secrets';
import { exitQuietlyOnClosedStdout, style } from '../render/style';
import type { Command } from './index';

/**
 * The human agent's prompt: one line from the terminal per call (prompt on stderr, so --json
 * stays clean). One readline interface for the whole dialogue, so piped input is not lost.
 */
export function createTerminalAsk(): { ask(prompt: string, signal?: AbortSignal): Promise<string>; close(): void } {
  let rl: ReturnType<typeof createInterface> | undefined;
  const lines: string[] = [];
  const waiting: { resolve(line: string): void; reject(e: Error): void }[] = [];
  let closed = false;
  const open = () => {
    if (rl) return;
    rl = createInterface({ input: process.stdin, terminal: false });
    rl.on('line', (line) => { const w = waiting.shift(); if (w) w.resolve(line); else lines.push(line); });
    rl.on('close', () => { closed = true; for (const w of waiting.splice(0)) w.reject(new Error('no input: stdin closed')); });
  };
  return {
    ask(prompt, signal) {
      open();
      process.stderr.write(`${prompt}\nagent> `);
      const queued = lines.shift();
      if (queued !== undefined) return Promise.resolve(queued);
      if (closed) return Promise.reject(new Error('no input: stdin closed'));
      return new Promise((resolve, reject) => {
        const entry = { resolve, reject };
        waiting.push(entry);
        signal?.addEventListener('abort', () => {
          const i = waiting.indexOf(entry);
          if (i >= 0) waiting.splice(i, 1);
          reject(Object.assign(new Error('cancelled'), { name: 'AbortError' }));
        }, { once: true });
      });
    },
    close() { rl?.close(); },
  };
}

export const runCommand: Command = {
  usage: '<scenario> [--profile ID] [--simulator ID] [--agent ID] [--judge ID] [--seed N] [--turns N] [--json] [--root DIR] [--trust]',
  summary: 'preview one dialogue with rationales, state and rewards',
  async run(args) {
    exitQuietlyOnClosedStdout();
    const { positional, flags } = parseArgs(args, { values: ['profile', 'simulator', 'agent', 'judge', 'seed', 'turns', 'root'], booleans: ['json', TRUST_FLAG] });
    if (flags.help) {
      process.stdout.write(`usage: userlm run ${this.usage}\n\nRuns one dialogue of the scenario (default: the built-in agenda simulator against the\nscenario's default agent, no key needed) and prints it with each rationale inline, the state\nchanges and a reward table. --agent human: you type the agent's lines. --judge ID scores the\njudge components with that backend. --json: one transcript object on stdout, nothing else.\n--trust: send the keys userlm.yaml names without 'userlm trust' (this run only).\n`);
      return 0;
    }
    atMostPositional(positional, 1);
    const loaded = inputFile(positional[0], ['scenario'], 'scenario file');
    const file = loaded.path;
    const root = rootFor(file, flags.root);
    const json = flags.json === true;
    const seed = intFlag(flags, 'seed');
    const turns = schemaIntFlag(flags, 'turns', 'scenario', ['termination', 'max_turns']);
    const errors = await reportFileErrors(root, [file]);
    if (errors) {
      process.stderr.write(`userlm run: ${errors} error${errors === 1 ? '' : 's'}; fix them first\n`);
      return EXIT.failed;
    }
    const s = style(process.stdout);
    // The header goes out with the first turn: an error before the dialogue starts (an unknown
    // --profile, a refused key) is the only thing printed.
    let header = !json;
    const printHeader = () => {
      if (!header) return;
      header = false;
      const sc = loaded.value as { id?: string; title?: string };
      process.stdout.write(s.bold(`== ${sc.id ?? file}${sc.title ? ` — ${sc.title}` : ''}`) + '\n');
    };
    const ctrl = new AbortController();
    const onSigint = () => ctrl.abort();
    process.once('SIGINT', onSigint);
    let lastState: State | undefined;
    const terminal = createTerminalAsk();
    try {
      const t = await previewDialogue({
        root, scenarioFile: file,
        profileId: flags.profile as string | undefined, simulator: flags.simulator as string | undefined,
        agent: flags.agent as string | undefined, judge: flags.judge as string | undefined,
        seed, turns,
        secret: cliSecrets(root, flags), askHuman: (p, sig) => { printHeader(); return terminal.ask(p, sig); }, signal: ctrl.signal,
        onEvent: json ? undefined : (e) => {
          if (e.type !== 'turn') return;
          printHeader();
          process.stdout.write(renderTurn(e.turn, lastState, s));
          if (e.turn.speaker === 'user' && e.turn.state) lastState = e.turn.state;
        },
      });
      if (json) {
        process.stdout.write(JSON.stringify(t) + '\n');
      } else {
        printHeader();
        const { spec } = defaultSpec(await loadWorkspace(root));
        process.stdout.write('\n' + renderHeader(t, undefined, s) + renderEnd(t, s) + '\n' + renderRewardTable(t, spec, s));
      }
      if (t.end.reason === 'cancelled') return EXIT.interrupted;
      return t.end.reason === 'error' ? EXIT.failed : EXIT.ok;
    } finally {
      terminal.close();
      process.removeListener('SIGINT', onSigint);
    }
  },
};
