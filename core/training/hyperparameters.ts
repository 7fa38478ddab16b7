// The hyperparameters of a training job, checked against schemas/hyperparameters.schema.json (the
// schema trainer/ checks again on the cluster) before anything is uploaded, plus the rules that
// span several values. Messages name the hyperparameter and what is allowed.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { Hyperparameters } from '../generated/schema-types';
import { schemaFiles } from '../generated/schemas';
import type { JobType } from './job';

export type HyperparameterValue = number | boolean | string | Record<string, unknown>;

/** The schema itself (the one source for names, defaults and what is allowed). */
export const HYPERPARAMETER_SCHEMA = schemaFiles.hyperparameters;
const PROPS = HYPERPARAMETER_SCHEMA.properties as unknown as Record<string, { default?: unknown; description?: string; enum?: unknown[] }>;
export const HYPERPARAMETER_NAMES: readonly string[] = Object.keys(PROPS);

/** Every problem found, one line each. */
export class HyperparameterError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? problems[0] : `bad hyperparameters:\n  ${problems.join('\n  ')}`);
  }
}

let validator: ValidateFunction | undefined;
function validate(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile({ ...HYPERPARAMETER_SCHEMA, $id: undefined });
  return validator;
}

function describeError(e: ErrorObject, hp: Record<string, unknown>): string | undefined {
  const path = e.instancePath.split('/').filter(Boolean);
  const where = ['hyperparameters', ...path].join('.');
  const value = path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), hp);
  const got = `, got ${JSON.stringify(value)}`;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = path.length ? 'r, alpha, dropout, target_modules' : HYPERPARAMETER_NAMES.join(', ');
      return `${where ? `${where}.` : ''}${key}: unknown ${path.length ? 'field' : 'hyperparameter'}; allowed: ${allowed}`;
    }
    case 'enum': return `${where}: must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues).map((v) => JSON.stringify(v)).join(' | ')}${got}`;
    case 'type': return `${where}: must be ${(e.params as { type: string }).type === 'integer' ? 'a whole number' : `a ${(e.params as { type: string }).type}`}${got}`;
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum':
      return `${where}: must be ${(e.params as { comparison: string }).comparison} ${(e.params as { limit: number }).limit}${got}`;
    case 'pattern': return `${where}: must start with http:// or https://${got}`;
    case 'oneOf': return path[0] === 'lora' && path.length === 1 ? `${where}: must be true, false or {r, alpha, dropout, target_modules}${got}` : undefined;
    default: return `${where}: ${e.message ?? 'is not allowed'}${got}`;
  }
}

/**
 * Checks hyperparameters against the schema and the rules between values; throws a
 * HyperparameterError listing every problem. Returns them unchanged (defaults are the trainer's).
 */
export function checkHyperparameters(hp: Record<string, unknown>, type: JobType): Hyperparameters {
  const v = validate();
  const problems: string[] = [];
  if (!v(hp)) {
    // For `lora`, a type error in one branch of the oneOf says nothing useful: keep the oneOf line,
    // unless a field inside the object says more.
    const all = v.errors ?? [];
    const inside = all.some((e) => e.instancePath.startsWith('/lora/') || (e.instancePath === '/lora' && e.keyword === 'additionalProperties'));
    const errors = all.filter((e) => !(e.instancePath === '/lora' && (e.keyword === 'type' || (inside && e.keyword === 'oneOf'))));
    for (const e of errors) {
      const line = describeError(e, hp);
      if (line && !problems.includes(line)) problems.push(line);
    }
  }
  if (!problems.length) problems.push(...crossChecks(hp as Hyperparameters, type));
  if (problems.length) throw new HyperparameterError(problems);
  return hp as Hyperparameters;
}

/** The value a hyperparameter takes: given, else the schema's default. */
export function hpValue<K extends keyof Hyperparameters>(hp: Hyperparameters, key: K): Hyperparameters[K] {
  return (hp[key] ?? PROPS[key as string]?.default) as Hyperparameters[K];
}

/** GRPO's optimizer steps per generation round (TRL's generation batch is per_device_train_batch_size × workers × these):
 *  steps_per_generation, else gradient_accumulation_steps. */
function generationRound(hp: Hyperparameters): { setting: 'steps_per_generation' | 'gradient_accumulation_steps'; steps: number } {
  const setting = hp.steps_per_generation ? 'steps_per_generation' : 'gradient_accumulation_steps';
  return { setting, steps: hpValue(hp, setting)! };
}

/** A GRPO dataset too small for one generation round: TRL's sampler drops a round it cannot fill, so the job would
 *  train no step. The problem, or undefined. */
export function roundProblem(hp: Record<string, unknown>, rows: number): string | undefined {
  const h = hp as Hyperparameters;
  const round = generationRound(h);
  const prompts = Math.floor((hpValue(h, 'per_device_train_batch_size')! * hpValue(h, 'num_workers')! * round.steps) / hpValue(h, 'num_generations')!);
  if (rows >= prompts) return undefined;
  return `datasets.train: ${rows} row(s), fewer than the ${prompts} distinct prompts a generation round takes (per_device_train_batch_size × num_workers × ${round.setting} / num_generations): GRPO would train no step`;
}

function crossChecks(hp: Hyperparameters, type: JobType): string[] {
  const out: string[] = [];
  const batch = hpValue(hp, 'per_device_train_batch_size')!;
  const round = generationRound(hp);
  const gens = hpValue(hp, 'num_generations')!;
  if (type === 'grpo' && (batch * round.steps) % gens) {
    out.push(`hyperparameters: per_device_train_batch_size × ${round.setting} (${batch} × ${round.steps}) must be a multiple of num_generations (${gens})`);
  }
  if (hp.load_in_4bit && !hp.lora) out.push('hyperparameters.load_in_4bit: a 4-bit model cannot be trained directly; add lora=true (QLoRA)');
  if (hp.vllm === 'server' && !hp.vllm_server_base_url) out.push('hyperparameters.vllm_server_base_url: needed with vllm=server (the `trl vllm-serve` address)');
  if (hpValue(hp, 'vllm') !== 'off' && type !== 'grpo') out.push(`hyperparameters.vllm: only GRPO generates (this is a ${type} job)`);
  if ((hp.strategy ?? 'none') !== 'none' && hpValue(hp, 'num_workers')! < 2) out.push(`hyperparameters.strategy: ${hp.strategy} needs num_workers >= 2`);
  if (hpValue(hp, 'num_workers')! > 1 && (hp.strategy ?? 'none') === 'none') out.push('hyperparameters.num_workers: several workers need a strategy (ddp, fsdp or deepspeed)');
  if (type === 'sft' && hp.rollout === 'dialogue') out.push('hyperparameters.rollout: dialogue rollouts are for GRPO jobs');
  if (hp.turn_credit === 'to_go' && hp.dialogue_history === 'written') {
    out.push("hyperparameters.turn_credit: to_go credits the one turn a rollout trains (dialogue_history=spoken); written trains every turn with the dialogue's total");
  }
  return out;
}

/**
 * Hyperparameters written as `key=value[,key=value...]` (CLI `--hp`, the editor's input box):
 * numbers, booleans and bare words (enums such as dtype=bfloat16). Checked separately.
 */
export function parseHyperparameters(spec: string | undefined): Record<string, number | boolean | string> {
  const hp: Record<string, number | boolean | string> = {};
  if (!spec) return hp;
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`expects key=value[,key=value...], got '${part}'`);
    const key = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    if (raw === '') throw new Error(`${key}: no value after '='`);
    if (raw === 'true' || raw === 'false') hp[key] = raw === 'true';
    else if (Number.isFinite(Number(raw))) hp[key] = Number(raw);
    else hp[key] = raw;
  }
  return hp;
}
