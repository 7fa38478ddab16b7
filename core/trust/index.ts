// Workspace trust outside the editor. A workspace's userlm.yaml can name a backend at any host
// with `api_key: env:VAR` (or a secret's name); keys named there are handed out only when the
// user trusts that folder with exactly those backend settings. The editor uses VS Code's own
// workspace trust instead; the CLI wraps its secret resolver with `trustedSecrets`.
import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Workspace } from '../generated/schema-types';
import { loadYamlFile } from '../model/load';
import { readTrustEntries, writeTrustEntries, trustFile, configDir, type TrustEntry } from './store';

export { trustFile, configDir, type TrustEntry } from './store';

/** The environment variable that trusts every workspace for one process (CI). */
export const TRUST_ENV = 'USERLM_TRUST';

/** A backend (model or training) that sends a key, as the user should review it. */
export interface KeyedBackend { id: string; section: 'backends' | 'training'; url: string; ref: string }

export type TrustState =
  | { trusted: true; how: 'recorded' | 'flag' | 'env' | 'no-keys' }
  | { trusted: false; reason: 'never' | 'changed'; trustedAt?: string };

/** The folder as trust knows it: absolute, symlinks resolved (a missing folder: just absolute). */
export function trustKey(folder: string): string {
  const abs = resolve(folder);
  try { return realpathSync(abs); } catch { return abs; }
}

/** The workspace's userlm.yaml as a value, or undefined when the folder has none. */
export function readWorkspaceConfig(folder: string): Workspace | undefined {
  const file = join(folder, 'userlm.yaml');
  if (!existsSync(file)) return undefined;
  const v = loadYamlFile(file).value;
  return v && typeof v === 'object' ? (v as Workspace) : undefined;
}

/** JSON with object keys sorted at every level, so equal settings hash equally whatever their order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** SHA-256 of the backend settings (`backends` and `training`, every field): any change asks again. */
export function backendSettingsHash(config: Workspace | undefined): string {
  return createHash('sha256').update(canonical({ backends: config?.backends ?? [], training: config?.training ?? [] })).digest('hex');
}

/** Backends of the workspace that name a key or token, with the address it would be sent to. */
export function keyedBackends(config: Workspace | undefined): KeyedBackend[] {
  const out: KeyedBackend[] = [];
  for (const b of config?.backends ?? []) if (b.api_key) out.push({ id: b.id, section: 'backends', url: b.base_url, ref: b.api_key });
  for (const t of config?.training ?? []) if (t.token) out.push({ id: t.id, section: 'training', url: t.address ?? '(no address)', ref: t.token });
  return out;
}

export function envTrusts(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env[TRUST_ENV];
  return v === '1' || v === 'true';
}

export interface TrustOptions {
  /** `--trust` on the command line: trusted for this process only. */
  flag?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** Whether keys named in this folder's userlm.yaml may be used. */
export function trustState(folder: string, config: Workspace | undefined, opts: TrustOptions = {}): TrustState {
  const env = opts.env ?? process.env;
  if (opts.flag) return { trusted: true, how: 'flag' };
  if (envTrusts(env)) return { trusted: true, how: 'env' };
  if (!keyedBackends(config).length) return { trusted: true, how: 'no-keys' };
  const key = trustKey(folder);
  const entry = readTrustEntries(env).find((e) => e.folder === key);
  if (!entry) return { trusted: false, reason: 'never' };
  if (entry.backends_sha256 !== backendSettingsHash(config)) return { trusted: false, reason: 'changed', trustedAt: entry.trusted_at };
  return { trusted: true, how: 'recorded' };
}

/** Records the folder as trusted with its current backend settings (replacing an older record). */
export function trustWorkspace(folder: string, config: Workspace | undefined, env: NodeJS.ProcessEnv = process.env): TrustEntry {
  const entry: TrustEntry = { folder: trustKey(folder), backends_sha256: backendSettingsHash(config), trusted_at: new Date().toISOString() };
  writeTrustEntries([...readTrustEntries(env).filter((e) => e.folder !== entry.folder), entry], env);
  return entry;
}

/** Forgets the folder; false when it was not trusted. */
export function untrustWorkspace(folder: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const key = trustKey(folder);
  const entries = readTrustEntries(env);
  const kept = entries.filter((e) => e.folder !== key);
  if (kept.length === entries.length) return false;
  writeTrustEntries(kept, env);
  return true;
}

export function trustedWorkspaces(env: NodeJS.ProcessEnv = process.env): TrustEntry[] {
  return readTrustEntries(env);
}

/** A key was asked for in a workspace that is not trusted: nothing was sent. */
export class UntrustedWorkspaceError extends Error {
  readonly code = 'USERLM_UNTRUSTED';
  constructor(readonly folder: string, readonly ref: string, readonly state: Extract<TrustState, { trusted: false }>, readonly backends: KeyedBackend[]) {
    super(untrustedMessage(folder, ref, state, backends));
    this.name = 'UntrustedWorkspaceError';
  }
}

export function isUntrustedError(e: unknown): e is UntrustedWorkspaceError {
  for (let x: unknown = e, i = 0; x && i < 5; x = (x as { cause?: unknown }).cause, i++) {
    if ((x as { code?: unknown }).code === 'USERLM_UNTRUSTED') return true;
  }
  return false;
}

function untrustedMessage(folder: string, ref: string, state: Extract<TrustState, { trusted: false }>, backends: KeyedBackend[]): string {
  const why = state.reason === 'changed'
    ? `the backends in ${join(folder, 'userlm.yaml')} changed since you trusted this folder${state.trustedAt ? ` (${state.trustedAt})` : ''}`
    : `${folder} is not a trusted workspace`;
  return [
    `refusing to send the key '${ref}': ${why}, and keys named in a workspace go only to backends you trusted. Nothing was sent.`,
    'Its userlm.yaml sends keys to:',
    ...backends.map((b) => `  ${b.section === 'training' ? 'training ' : ''}${b.id}: ${b.url} (${b.ref})`),
    `If these are yours, trust the folder:  userlm trust ${folder}`,
    `For one run: --trust; in CI: ${TRUST_ENV}=1.`,
  ].join('\n');
}

/**
 * Wraps a secret resolver so that it hands out keys only for a trusted workspace. The check runs
 * the first time a key is asked for (a run that needs no key never reads the trust list) and
 * throws UntrustedWorkspaceError, before any request can carry the key.
 */
export function trustedSecrets(folder: string, secret: (ref: string) => string | undefined, opts: TrustOptions = {}): (ref: string) => string | undefined {
  let state: TrustState | undefined;
  let config: Workspace | undefined;
  return (ref) => {
    if (!state) {
      config = readWorkspaceConfig(folder);
      state = trustState(folder, config, opts);
    }
    if (!state.trusted) throw new UntrustedWorkspaceError(trustKey(folder), ref, state, keyedBackends(config));
    return secret(ref);
  };
}

