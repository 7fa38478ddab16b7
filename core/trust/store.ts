// The trust store: which workspace folders the user trusts, each with a hash of the backend
// settings it was trusted with. One JSON file in the user's config directory
// (`$XDG_CONFIG_HOME/userlm/trust.json`, else `~/.config/userlm/trust.json`), written atomically.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export interface TrustEntry {
  /** The workspace folder (the one holding userlm.yaml), absolute and with symlinks resolved. */
  folder: string;
  /** `backendSettingsHash` of its userlm.yaml when it was trusted. */
  backends_sha256: string;
  trusted_at: string;
}

interface TrustFile { version: 1; folders: TrustEntry[] }

/** `$XDG_CONFIG_HOME/userlm`, else `~/.config/userlm`. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.config'), 'userlm');
}

export function trustFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'trust.json');
}

/** Every trusted folder; an absent file is "nothing trusted", a damaged one is an error that names it. */
export function readTrustEntries(env: NodeJS.ProcessEnv = process.env): TrustEntry[] {
  const file = trustFile(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`cannot read the trust list ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let parsed: Partial<TrustFile>;
  try {
    parsed = JSON.parse(text) as Partial<TrustFile>;
  } catch (e) {
    throw new Error(`the trust list ${file} is not valid JSON (${(e as Error).message}); delete it and trust your folders again`);
  }
  const folders = Array.isArray(parsed?.folders) ? parsed.folders : undefined;
  if (!folders || !folders.every((f) => f && typeof f.folder === 'string' && typeof f.backends_sha256 === 'string')) {
    throw new Error(`the trust list ${file} is damaged (expected {"version": 1, "folders": [...]}); delete it and trust your folders again`);
  }
  return folders;
}

export function writeTrustEntries(entries: TrustEntry[], env: NodeJS.ProcessEnv = process.env): void {
  const file = trustFile(env);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  const body: TrustFile = { version: 1, folders: [...entries].sort((a, b) => a.folder.localeCompare(b.folder)) };
  writeFileSync(tmp, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}
