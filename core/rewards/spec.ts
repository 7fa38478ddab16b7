// Reward specs: the built-in default, loading a `*.rewards.yaml` (or an inline spec), and the
// normalised component list the scorer walks.
import type { Component, RewardSpec } from '../generated/schema-types';
import { loadYamlFile, resolveFrom } from '../model/load';
import { BUILT_IN_RUBRICS } from './judge';
import { RULE_NAMES, isRuleName } from './rules';

/** Used when neither the suite nor `userlm.yaml` names a spec. */
export const DEFAULT_REWARD_SPEC: RewardSpec = {
  kind: 'rewards',
  id: 'builtin-default',
  description: 'Built-in default: rule rewards on every user turn, judged rubrics where a judge is configured.',
  components: [
    { name: 'format', kind: 'rule', weight: 1 },
    { name: 'sections', kind: 'rule', weight: 1 },
    { name: 'rationale_length', kind: 'rule', weight: 0.5, params: { min_tokens: 30, max_tokens: 400 } },
    { name: 'grounding', kind: 'rule', weight: 0.5, params: { min_overlap: 2 } },
    { name: 'state_validity', kind: 'rule', weight: 0.5 },
    { name: 'disclosure', kind: 'rule', weight: 1 },
    { name: 'resistance', kind: 'rule', weight: 1.5 },
    { name: 'voice', kind: 'rule', weight: 1 },
    { name: 'no_leak', kind: 'rule', weight: 1 },
    { name: 'no_invention', kind: 'rule', weight: 1.5 },
    { name: 'no_copying', kind: 'rule', weight: 1, params: { min_run: 10 } },
    { name: 'no_degenerate', kind: 'rule', weight: 1 },
    { name: 'plan_reply', kind: 'rule', weight: 1 },
    { name: 'persona_consistency', kind: 'judge', weight: 1 },
    { name: 'reasoning_quality', kind: 'judge', weight: 1 },
    { name: 'strategy', kind: 'judge', weight: 1 },
    { name: 'thought_response_alignment', kind: 'judge', weight: 1 },
    { name: 'robotic_tone', kind: 'judge', weight: 0.5 },
    { name: 'termination', kind: 'rule', level: 'session', weight: 1 },
    { name: 'role_authenticity', kind: 'judge', level: 'session', weight: 1 },
    { name: 'interaction', kind: 'judge', level: 'session', weight: 0.5 },
    { name: 'goal_progress', kind: 'judge', level: 'session', weight: 1 },
  ],
  aggregate: { discount: 0.8, turn_weight: 2, gates: ['format'] },
};

export interface NormalComponent {
  name: string;
  kind: 'rule' | 'judge';
  level: 'turn' | 'session';
  weight: number;
  params: NonNullable<Component['params']>;
  rubric?: string;
  judge?: string;
  invert: boolean;
  /** The spec's own one-line definition, when it gives one. */
  description?: string;
}

export function normalizeComponents(spec: RewardSpec): NormalComponent[] {
  return spec.components.map((c) => ({
    name: c.name,
    kind: c.kind,
    level: c.level ?? 'turn',
    weight: c.weight ?? 1,
    params: c.params ?? {},
    rubric: c.rubric ?? BUILT_IN_RUBRICS[c.name],
    judge: c.judge,
    invert: c.invert ?? c.name === 'robotic_tone',
    ...(c.description ? { description: c.description } : {}),
  }));
}

/** Problems that make a spec unusable (the language server reports the same with ranges). */
export function specProblems(spec: unknown): string[] {
  const out: string[] = [];
  if (!spec || typeof spec !== 'object') return ['a reward spec must be a mapping with `kind: rewards` and `components`'];
  const s = spec as Partial<RewardSpec>;
  if (s.kind !== 'rewards') out.push(`kind must be 'rewards' (found ${JSON.stringify(s.kind)})`);
  if (!Array.isArray(s.components) || s.components.length === 0) return [...out, 'components must be a non-empty list'];
  s.components.forEach((c, k) => {
    const where = `components[${k}]`;
    if (!c || typeof c !== 'object' || typeof c.name !== 'string') { out.push(`${where}: needs a name`); return; }
    if (c.kind === 'rule' && !isRuleName(c.name)) out.push(`${where}: '${c.name}' is not a rule component (${RULE_NAMES.join(', ')})`);
    else if (c.kind === 'judge' && !c.rubric && !BUILT_IN_RUBRICS[c.name]) out.push(`${where}: judge '${c.name}' is not built in, so it needs a rubric`);
    else if (c.kind !== 'rule' && c.kind !== 'judge') out.push(`${where}: kind must be rule or judge`);
    if (c.weight !== undefined && !(typeof c.weight === 'number' && c.weight >= 0)) out.push(`${where}: weight must be a number >= 0`);
  });
  const gates = s.aggregate?.gates;
  if (gates !== undefined && !Array.isArray(gates)) out.push('aggregate.gates must be a list of component names');
  else for (const g of gates ?? []) {
    if (!s.components.some((c) => c && c.name === g && (c.level ?? 'turn') === 'turn')) out.push(`aggregate.gates: '${g}' is not a turn component of this spec`);
  }
  return out;
}

/** A spec from a path (relative to `fromFile` when given) or an inline value; throws with what and where. */
export function loadRewardSpec(pathOrInline: string | RewardSpec, fromFile?: string): RewardSpec {
  let value: unknown = pathOrInline;
  let where = fromFile ? `${fromFile} (inline rewards)` : 'inline rewards';
  if (typeof pathOrInline === 'string') {
    const file = fromFile ? resolveFrom(fromFile, pathOrInline) : pathOrInline;
    value = loadYamlFile(file).value;
    where = file;
  }
  const problems = specProblems(value);
  if (problems.length) throw new Error(`${where}: invalid reward spec: ${problems.join('; ')}`);
  return value as RewardSpec;
}
