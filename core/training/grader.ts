// Compiles a reward spec into an OpenAI reinforcement fine-tuning grader: one `multi` grader whose
// sub-graders are the components and whose `calculate_output` is the spec's weighted mean.
// Rule components become `python` graders running the trainer's own reward modules
// (trainer/rewards/, the Python interpreter that reproduces the shared vectors) as one source, so a
// rule means the same thing there too.
// Judge components become `score_model` graders with the rubric, 1..10 scaled to 0..1.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RewardSpec } from '../generated/schema-types';
import { BUILT_IN_RUBRICS, JUDGE_SYSTEM } from '../rewards/judge';

export interface PythonGrader { type: 'python'; name: string; source: string }
export interface ScoreModelGrader {
  type: 'score_model';
  name: string;
  model: string;
  input: { role: 'system' | 'user'; content: string }[];
  range: [number, number];
  sampling_params?: { temperature?: number };
}
export type SubGrader = PythonGrader | ScoreModelGrader;
export interface MultiGrader { type: 'multi'; name: string; graders: Record<string, SubGrader>; calculate_output: string }

export interface CompileOptions {
  /** The per-turn reward modules as one Python source (`readGraderLibrary`). */
  graderLibrary: string;
  /** Model for score_model graders (judge components). */
  graderModel: string;
}

export interface CompiledGrader {
  grader: MultiGrader;
  /** Components left out, with why (session-level judges need a whole dialogue). */
  skipped: { name: string; reason: string }[];
}

/** The modules of trainer/rewards/ that score one turn with a rule, in import order. */
export const GRADER_MODULES = ['text', 'context', 'phrases', 'reply', 'rules'] as const;

/**
 * Those modules as one Python source, as OpenAI runs a python grader (one file, no package):
 * concatenated in import order, their imports of each other and `from __future__` dropped.
 */
export function readGraderLibrary(trainerDir: string): string {
  const body = GRADER_MODULES.map((m) => {
    const text = readFileSync(join(trainerDir, 'rewards', `${m}.py`), 'utf8');
    return `# ---- trainer/rewards/${m}.py\n${text.replace(/^from (?:\.\w*|__future__) import [^\n(]+\n/gm, '')}`;
  });
  return ['from __future__ import annotations', '', ...body].join('\n');
}

/**
 * The python grader's entry point, appended to the library: the dataset row carries `context`
 * (core/datasets/rl-context.ts). A rule that does not apply to the turn (n/a) grades 1: a grader
 * must return a number, and n/a is nothing to penalise (the weighted formula cannot leave it out).
 */
export function pythonGraderSource(library: string, rule: string, params: Record<string, unknown>): string {
  return `${library}

# ---- the grader
import json

_PARAMS = json.loads(${JSON.stringify(JSON.stringify(params))})


def grade(sample, item) -> float:
    ctx = item["context"]
    if isinstance(ctx, str):
        ctx = json.loads(ctx)
    out = parse_output(sample.get("output_text") or "")
    v = score_rule(${JSON.stringify(rule)}, out, context_from_json(ctx["turn"], None, ctx.get("profile")), ctx["scenario"], _PARAMS)
    return 1.0 if v is None else v
`;
}

/** Judge prompt template: the row's `judge_context` (profile, scenario, dialogue) plus the sampled output. */
export function scoreModelInput(rubric: string): ScoreModelGrader['input'] {
  return [
    { role: 'system', content: JUDGE_SYSTEM },
    {
      role: 'user',
      content: `CRITERION: ${rubric}\n\n{{item.judge_context}}\n\nJUDGED USER OUTPUT (rationale in <think>, reply in <answer>):\n{{sample.output_text}}\n\nReply with JSON only: {"score": <integer 1-10>, "reason": "<one sentence>"}.`,
    },
  ];
}

function num(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

export function compileGrader(spec: RewardSpec, opts: CompileOptions): CompiledGrader {
  const graders: Record<string, SubGrader> = {};
  const terms: string[] = [];
  const skipped: CompiledGrader['skipped'] = [];
  let weightSum = 0;
  for (const c of spec.components) {
    const level = c.level ?? 'turn';
    const w = c.weight ?? 1;
    if (c.kind === 'judge' && level === 'session') {
      skipped.push({ name: c.name, reason: 'session-level judge: a grader sees one sampled turn, not a whole dialogue' });
      continue;
    }
    if (graders[c.name]) throw new Error(`reward spec: component '${c.name}' appears twice; a grader needs unique names`);
    if (c.kind === 'rule') {
      graders[c.name] = { type: 'python', name: c.name, source: pythonGraderSource(opts.graderLibrary, c.name, (c.params ?? {}) as Record<string, unknown>) };
      terms.push(`${num(w)} * ${c.name}`);
    } else {
      const rubric = c.rubric ?? BUILT_IN_RUBRICS[c.name];
      if (!rubric) throw new Error(`reward spec: judge component '${c.name}' needs a rubric`);
      graders[c.name] = { type: 'score_model', name: c.name, model: opts.graderModel, input: scoreModelInput(rubric), range: [1, 10], sampling_params: { temperature: 0 } };
      const invert = c.invert ?? c.name === 'robotic_tone';
      terms.push(invert ? `${num(w)} * ((10 - ${c.name}) / 9)` : `${num(w)} * ((${c.name} - 1) / 9)`);
    }
    weightSum += w;
  }
  if (!terms.length || weightSum <= 0) throw new Error('reward spec: no component can be graded (need a rule or a turn-level judge with weight > 0)');
  return {
    grader: { type: 'multi', name: spec.id ?? 'userlm_rewards', graders, calculate_output: `(${terms.join(' + ')}) / ${num(weightSum)}` },
    skipped,
  };
}
