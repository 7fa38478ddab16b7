// API keys: stored in VS Code's SecretStorage under the backend's id (and the secret name the
// backend's `api_key` names, when different). The engine receives them in memory only, through
// a synchronous `secret(ref)` callback built from a snapshot taken before a run.
import type * as vscode from 'vscode';
import type { Workspace } from '../core/index';

export type SecretLookup = (ref: string) => string | undefined;

export class Keys {
  constructor(private readonly storage: vscode.SecretStorage) {}

  store(id: string, key: string): Thenable<void> { return this.storage.store(id, key); }
  delete(id: string): Thenable<void> { return this.storage.delete(id); }
  get(id: string): Thenable<string | undefined> { return this.storage.get(id); }

  /** Reads every key the workspace's backends may need; `env:VAR` refs read the environment. */
  async lookup(config: Workspace | undefined): Promise<SecretLookup> {
    return lookupFrom(await this.snapshot(config));
  }

  /** The stored keys the workspace's backends refer to, by reference (in memory only). */
  async snapshot(config: Workspace | undefined): Promise<Record<string, string>> {
    const names = new Set<string>();
    for (const b of config?.backends ?? []) { names.add(b.id); if (b.api_key && !b.api_key.startsWith('env:')) names.add(b.api_key); }
    for (const t of config?.training ?? []) { names.add(t.id); if (t.token && !t.token.startsWith('env:')) names.add(t.token); }
    const values = new Map<string, string>();
    await Promise.all([...names].map(async (n) => { const v = await this.storage.get(n); if (v) values.set(n, v); }));
    const byBackend = new Map<string, string>();
    for (const b of [...(config?.backends ?? []), ...(config?.training ?? [])]) {
      const ref = 'api_key' in b ? b.api_key : (b as { token?: string }).token;
      const v = values.get(b.id);
      if (ref && v && !values.has(ref)) byBackend.set(ref, v);
    }
    return Object.fromEntries([...byBackend, ...values]);
  }
}

/** The engine's `secret(ref)` over a snapshot: `env:VAR` reads the environment, else a key stored for that backend. */
export function lookupFrom(keys: Record<string, string>): SecretLookup {
  return (ref: string) => (ref.startsWith('env:') ? process.env[ref.slice(4)] : undefined) ?? (Object.hasOwn(keys, ref) ? keys[ref] : undefined);
}
