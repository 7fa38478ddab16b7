// Training backends (Ray Jobs, OpenAI fine-tuning), job packages and the reward-spec grader compiler.
import type { Backend, TrainingBackend, Workspace } from '../generated/schema-types';

export * from './zip';
export * from './ray';
export * from './job';
export * from './grader';
export * from './openai-ft';
export * from './submit';
export * from './hyperparameters';
export * from './setup';
export * from './dialogue';
export * from './artifacts';
export * from './metrics';

/** The workspace's training backend by id; with no id, the only one there is. */
export function findTrainingBackend(config: Workspace | undefined, id?: string): TrainingBackend {
  const all = config?.training ?? [];
  if (!all.length) throw new Error('no training backend: add one under `training:` in userlm.yaml (type ray or openai-fine-tuning)');
  if (id === undefined) {
    if (all.length === 1) return all[0];
    throw new Error(`several training backends (${all.map((b) => b.id).join(', ')}): choose one with --backend`);
  }
  const found = all.find((b) => b.id === id);
  if (!found) throw new Error(`no training backend '${id}' in userlm.yaml; known: ${all.map((b) => b.id).join(', ')}`);
  return found;
}

/** The backend's token from its `token` reference (undefined when none is configured). */
export function trainingToken(backend: TrainingBackend, secret: (ref: string) => string | undefined): string | undefined {
  if (!backend.token) return undefined;
  const v = secret(backend.token);
  if (!v) throw new Error(`training backend '${backend.id}': the token '${backend.token}' is not set`);
  return v;
}

/**
 * A chat backend as the judge of a training job: the job names the environment variable holding
 * the key on the cluster, never the key itself, so only `env:VAR` references can be used.
 */
export function judgeRefFor(backend: Backend): { base_url: string; model: string; api_key_env?: string } {
  const ref: { base_url: string; model: string; api_key_env?: string } = { base_url: backend.base_url, model: backend.model };
  if (backend.api_key) {
    if (!backend.api_key.startsWith('env:')) {
      throw new Error(`judge backend '${backend.id}': a training job reads the key from the cluster's environment, so api_key must be 'env:VAR' (got the secret name '${backend.api_key}')`);
    }
    ref.api_key_env = backend.api_key.slice(4);
  }
  return ref;
}
