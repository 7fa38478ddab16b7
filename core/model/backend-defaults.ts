// Backend defaults, read from schemas/workspace.schema.json (the single source of truth): the
// chat client and its limiter apply exactly what the schema documents.
import type { Backend } from '../generated/schema-types';
import { schemaFiles } from '../generated/schemas';

const props = schemaFiles.workspace.definitions.backend.properties;

export const BACKEND_DEFAULTS = Object.freeze({
  reasoning: props.reasoning.default,
  maxTokensField: props.max_tokens_field.default,
  maxTokens: props.max_tokens.default as number,
  stream: props.stream.default as boolean,
  concurrency: props.concurrency.default as number,
  timeoutMs: props.timeout_ms.default as number,
  maxRetries: props.max_retries.default as number,
});

/** A backend's effective settings, schema defaults filled in. */
export function backendSettings(b: Backend) {
  return {
    reasoning: b.reasoning ?? BACKEND_DEFAULTS.reasoning,
    maxTokensField: b.max_tokens_field ?? BACKEND_DEFAULTS.maxTokensField,
    maxTokens: b.max_tokens ?? BACKEND_DEFAULTS.maxTokens,
    stream: b.stream ?? BACKEND_DEFAULTS.stream,
    concurrency: b.concurrency ?? BACKEND_DEFAULTS.concurrency,
    timeoutMs: b.timeout_ms ?? BACKEND_DEFAULTS.timeoutMs,
    maxRetries: b.max_retries ?? BACKEND_DEFAULTS.maxRetries,
  };
}
