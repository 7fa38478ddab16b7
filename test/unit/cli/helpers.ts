// Running the built CLI (`dist/cli.js`) as a user does, in child processes. Every child gets its
// own config directory (XDG_CONFIG_HOME in a temp folder, so no test reads or writes the user's
// trust list) and no USERLM_TRUST unless a test passes it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../runs/fixtures';

export interface CliResult { code: number | null; stdout: string; stderr: string }

let sharedConfig: string | undefined;
/** The config directory children get unless a test names its own. */
export function testConfigHome(): string {
  return (sharedConfig ??= mkdtempSync(join(tmpdir(), 'userlm-config-')));
}

export function cliEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', XDG_CONFIG_HOME: testConfigHome() };
  delete base.USERLM_TRUST;
  return { ...base, ...env };
}

/** Blocks until the CLI exits: only for commands that need no server in this process. `input`: its stdin. */
export function cli(args: string[], cwd: string, env: Record<string, string> = {}, input?: string): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, input, encoding: 'utf8', env: cliEnv(env), timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI as a child process, with its output collected. */
export function startCli(args: string[], cwd: string, env: Record<string, string> = {}): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: cliEnv(env) });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const done = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

/** The same without blocking this process (needed while an in-process server answers the child). */
export function cliAsync(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  return startCli(args, cwd, env).done;
}
