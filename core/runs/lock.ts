// One process at a time in a run directory. `run.lock` holds the owner's pid, host and a nonce;
// it appears complete and at once (written to a temp file, then hard-linked into place, which
// fails if a lock exists). A lock whose process is gone (same host, pid not alive) is stale and
// is taken over; only one taker can remove it (a second exclusive file guards the removal, and
// the taker checks the lock still holds the stale nonce before removing it).
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE = 'run.lock';

export interface LockInfo {
  pid: number;
  host: string;
  nonce: string;
  /** What holds it, e.g. `userlm eval --resume`. */
  command: string;
  since: string;
}

export interface RunLock {
  info: LockInfo;
  /** Removes the lock if it is still ours; safe to call more than once. */
  release(): void;
}

/** The run directory is owned by another live process (or one on another host). */
export class RunLockedError extends Error {
  readonly code = 'USERLM_RUN_LOCKED';
  constructor(readonly runDir: string, readonly holder: LockInfo | undefined) {
    super(lockedMessage(runDir, holder));
    this.name = 'RunLockedError';
  }
}

export function isRunLockedError(e: unknown): e is RunLockedError {
  return !!e && (e as { code?: unknown }).code === 'USERLM_RUN_LOCKED';
}

function lockedMessage(runDir: string, h: LockInfo | undefined): string {
  const who = h ? `${h.command || 'another process'} (pid ${h.pid} on ${h.host}, since ${h.since})` : 'another process';
  const remote = h && h.host !== hostname();
  return `${runDir} is in use by ${who}: one process at a time writes a run. Wait for it to finish or stop it, then try again.`
    + (remote ? ` It runs on another host; if it is gone, delete ${join(runDir, LOCK_FILE)}.` : ` If that process is gone and its pid was reused, delete ${join(runDir, LOCK_FILE)}.`);
}

/** Whether a process with this pid exists on this host (EPERM: it exists, owned by someone else). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readInfo(file: string): LockInfo | undefined | 'gone' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw e;
  }
  try {
    const v = JSON.parse(text) as LockInfo;
    return v && typeof v.pid === 'number' && typeof v.host === 'string' ? v : undefined;
  } catch {
    return undefined; // damaged: treated as held by an unknown process (never taken over silently)
  }
}

/** Creates `file` with `info` in one step; false when it exists. */
function createExclusive(file: string, info: LockInfo): boolean {
  const tmp = `${file}.${info.nonce}.tmp`;
  writeFileSync(tmp, JSON.stringify(info) + '\n');
  try {
    linkSync(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    try { unlinkSync(tmp); } catch { /* already gone */ }
  }
}

function unlinkIfPresent(file: string): void {
  try { unlinkSync(file); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; }
}

const stale = (h: LockInfo) => h.host === hostname() && !processAlive(h.pid);

/**
 * Takes the run directory for this process or throws RunLockedError. `command` says what holds
 * it (shown to whoever is refused).
 */
export function lockRunDir(runDir: string, command = 'another userlm process'): RunLock {
  const file = join(runDir, LOCK_FILE);
  const guard = `${file}.takeover`;
  const info: LockInfo = { pid: process.pid, host: hostname(), nonce: randomBytes(8).toString('hex'), command, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 20; attempt++) {
    if (createExclusive(file, info)) {
      let released = false;
      return {
        info,
        release() {
          if (released) return;
          released = true;
          const now = readInfo(file);
          if (now !== 'gone' && now?.nonce === info.nonce) unlinkIfPresent(file);
        },
      };
    }
    const holder = readInfo(file);
    if (holder === 'gone') continue; // released meanwhile: try again
    if (!holder || !stale(holder)) throw new RunLockedError(runDir, holder);
    // Stale: take it over. Only the holder of the guard may remove the lock, and only while it
    // still holds the stale nonce (another taker may have replaced it with a live lock already).
    const mine: LockInfo = { ...info, nonce: `${info.nonce}-takeover`, command: `taking over ${holder.nonce}` };
    if (createExclusive(guard, mine)) {
      try {
        const now = readInfo(file);
        if (now !== 'gone' && now?.nonce === holder.nonce) unlinkIfPresent(file);
      } finally {
        const g = readInfo(guard);
        if (g !== 'gone' && g?.nonce === mine.nonce) unlinkIfPresent(guard);
      }
      continue;
    }
    const g = readInfo(guard);
    if (g === 'gone') continue;
    if (g && stale(g)) { unlinkIfPresent(guard); continue; } // a taker died mid-takeover
    throw new RunLockedError(runDir, g ? { ...g, command: 'a process taking over a stale lock' } : undefined);
  }
  throw new RunLockedError(runDir, undefined);
}
