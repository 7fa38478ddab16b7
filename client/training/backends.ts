// The workspace's training backends and their tokens, for the editor. Tokens come from VS Code's
// SecretStorage (under the backend's id or its `token` name) or `env:VAR`, read in memory only.
import type { TrainingBackend, Workspace } from '../../core/generated/schema-types';
import { trainingToken } from '../../core/training';
import { lookupFrom, type Keys } from '../secrets';
import { readWorkspaceConfig, rootFor } from '../workspace';

export interface TrainingConfig { root: string; config: Workspace | undefined; backends: TrainingBackend[] }

export function trainingConfig(): TrainingConfig | undefined {
  const root = rootFor();
  if (!root) return undefined;
  const config = readWorkspaceConfig(root);
  return { root, config, backends: config?.training ?? [] };
}

/** A configured token that is neither stored nor in the environment. */
export class MissingTokenError extends Error {
  constructor(message: string, readonly backendId: string, readonly secretName: boolean) { super(message); }
}

/** The backend's token (undefined when it names none); a clear error when it is configured but not set. */
export async function tokenFor(keys: Keys, config: Workspace | undefined, backend: TrainingBackend): Promise<string | undefined> {
  const lookup = lookupFrom(await keys.snapshot(config));
  try {
    return trainingToken(backend, lookup);
  } catch (e) {
    const how = backend.token?.startsWith('env:') ? `set ${backend.token.slice(4)} in VS Code's environment` : `run "UserLM: Set API Key" for '${backend.id}'`;
    throw new MissingTokenError(`${(e as Error).message}: ${how}`, backend.id, !backend.token?.startsWith('env:'));
  }
}

/** A short key for a job on a backend (maps, channel names). */
export function jobKey(backendId: string, jobId: string): string { return `${backendId}/${jobId}`; }
