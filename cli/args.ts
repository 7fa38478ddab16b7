// A small, strict argument parser shared by the CLI commands.
export interface ParsedArgs {
  positional: string[];
  flags: Record<string, string | boolean>;
}

/**
 * Parses `--name value`, `--name=value` and boolean `--flag`. `booleans` lists flags that take
 * no value. Unknown flags are an error so typos never pass silently.
 */
export function parseArgs(args: string[], spec: { values?: string[]; booleans?: string[] }): ParsedArgs {
  const values = new Set(spec.values ?? []);
  const booleans = new Set([...(spec.booleans ?? []), 'help']);
  const out: ParsedArgs = { positional: [], flags: {} };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') { out.positional.push(...args.slice(i + 1)); break; }
    if (!a.startsWith('--')) { out.positional.push(a); continue; }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    if (booleans.has(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      out.flags[name] = true;
      continue;
    }
    if (!values.has(name)) throw new UsageError(`unknown option --${name}`);
    const value = eq >= 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    if (name in out.flags) throw new UsageError(`--${name} given twice`);
    out.flags[name] = value;
  }
  return out;
}

/** A wrong command line: printed with the command's usage line, exit status 2. */
export class UsageError extends Error {}

/** Exit statuses of every command (docs/runs.md lists them). */
export const EXIT = {
  ok: 0,
  /** The command ran and something failed: errors in files, a failed dialogue, a missed threshold. */
  failed: 1,
  /** Bad command line or a path that is not what the command needs; nothing was done. */
  usage: 2,
  /** Refused before doing anything: an untrusted workspace's key, a run directory in use. */
  refused: 3,
  interrupted: 130,
} as const;

export function intFlag(flags: ParsedArgs['flags'], name: string): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isSafeInteger(n)) throw new UsageError(`--${name} must be a whole number, got '${String(v)}'`);
  return n;
}
