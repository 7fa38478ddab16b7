// A judge over an OpenAI-compatible backend, through the engine's chat client (and so the
// backend's shared concurrency and requests-per-minute limiter).
import type { Backend } from '../generated/schema-types';
import { createChatClient } from '../backends/chat';
import { createJudgeWith, type Judge } from './judge';

export function createJudge(backend: Backend, apiKey: string | undefined, cacheDir?: string): Judge {
  const client = createChatClient(backend, apiKey);
  return createJudgeWith(backend.model, async (messages, signal) => (await client.complete({ messages, signal, temperature: backend.temperature ?? 0 })).content, cacheDir);
}

/** Routes each component to its own judge (component `judge:` overrides), else the default. */
export function routeJudges(byComponent: ReadonlyMap<string, Judge>, fallback?: Judge): Judge | undefined {
  if (byComponent.size === 0) return fallback;
  return {
    score(component, prompt, signal) {
      const j = byComponent.get(component) ?? fallback;
      return j ? j.score(component, prompt, signal) : Promise.resolve({ score: Number.NaN, raw: '' });
    },
  };
}
