// Terminal styling: ANSI colours only on a TTY and when NO_COLOR is unset.
export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  magenta(s: string): string;
}

const wrap = (on: boolean, open: number, close: number) => (s: string) => (on ? `\x1b[${open}m${s}\x1b[${close}m` : s);

export function style(stream: NodeJS.WriteStream | { isTTY?: boolean }): Style {
  const on = !!stream.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
  return {
    bold: wrap(on, 1, 22), dim: wrap(on, 2, 22), red: wrap(on, 31, 39), green: wrap(on, 32, 39),
    yellow: wrap(on, 33, 39), cyan: wrap(on, 36, 39), magenta: wrap(on, 35, 39),
  };
}

/** Visible width of a string (ANSI escapes removed). */
export function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '').length;
}

/** `userlm run ... | head`: a closed stdout ends the command quietly instead of an EPIPE trace. */
export function exitQuietlyOnClosedStdout(): void {
  if (process.stdout.listenerCount('error') > 0) return;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}
