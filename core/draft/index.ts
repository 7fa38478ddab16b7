// Drafting scenarios from an agent SOP: the deterministic no-key drafter, or an LLM backend whose
// structured output is checked against the scenario schema and the workspace (profiles, tactics,
// ids) with the language server's own checks; problems are fed back for a bounded number of
// repairs. Either way the result validates, or the caller is told why not.
import { join, resolve } from 'node:path';
import type { Scenario, Workspace } from '../generated/schema-types';
import { schemaFiles } from '../generated/schemas';
import type { ChatClient, ChatMessage } from '../backends/chat/index';
import { allTactics } from '../library/tactics';
import { findWorkspaceFiles, loadWorkspace, type WorkspaceValues } from '../model/load';
import { WorkspaceIndex } from '../model/workspace-index';
import { indexFiles, validateText, type Problem } from '../validate/index';
import { yamlText } from '../import/yaml';
import { draftFromSop, type DraftOptions } from './deterministic';
import { fileNameFor } from '../files';

export { draftFromSop, draftVariants, guessDomain, type DraftOptions } from './deterministic';
export { sopSteps, type SopStep } from './sop';

export interface DraftRequest {
  sop: string;
  /** The workspace the draft must fit (profiles, tactics, ids). */
  root: string;
  profile?: string;
  domain?: string;
  split?: 'standard' | 'adversarial';
  variants?: number;
  /** Where the first draft will be written (validation runs as if it were there); the others get `-v2`, `-v3`, ... */
  outFile?: string;
  /** An LLM backend; without one, the deterministic drafter. */
  client?: ChatClient;
  /** Repairs after the first LLM answer (default 3). */
  maxRepairs?: number;
  onProgress?: (message: string) => void;
  signal?: AbortSignal;
}

export interface Draft {
  scenario: Scenario;
  /** The YAML written for it. */
  text: string;
  /** The path it was validated at. */
  path: string;
  /** Problems left (errors mean it does not validate). */
  problems: Problem[];
  /** LLM answers it took (0 for the deterministic drafter). */
  attempts: number;
}

export class DraftError extends Error {
  constructor(message: string, readonly problems: Problem[] = [], readonly lastText?: string) {
    super(message);
  }
}

/** The path of variant `i` next to the first draft's path (`x.scenario.yaml` → `x-v2.scenario.yaml`). */
export function variantPath(first: string, i: number): string {
  if (i === 0) return first;
  const m = /^(.*?)(\.scenario\.ya?ml|\.ya?ml)?$/.exec(first)!;
  return m[2] ? `${m[1]}-v${i + 1}${m[2]}` : fileNameFor('scenario', `${m[1]}-v${i + 1}`);
}

interface Context { ws: WorkspaceValues; index: WorkspaceIndex; tactics: string[]; profiles: Map<string, string> }

async function workspaceContext(root: string): Promise<Context> {
  const abs = resolve(root);
  const ws = await loadWorkspace(abs);
  const index = new WorkspaceIndex(abs);
  await indexFiles(index, await findWorkspaceFiles(abs));
  const profiles = new Map<string, string>();
  for (const [id, { value }] of ws.profiles) profiles.set(id, (value as { name?: string }).name ?? id);
  return { ws, index, tactics: allTactics(ws.config?.value as Workspace | undefined).map((t) => t.name), profiles };
}

function check(ctx: Context, scenario: Scenario, path: string): { text: string; problems: Problem[] } {
  const text = yamlText({ path, value: scenario as unknown as Record<string, unknown>, header: ['Drafted by `userlm draft` from an agent SOP: review the targets, memory and policies before use.'] });
  const problems = validateText(text, path, ctx.index).filter((p) => p.severity === 'error' || p.severity === 'warning');
  // An id already used by another file of the workspace.
  const other = [...ctx.ws.scenarios.values()].find((s) => s.value.id === scenario.id && resolve(s.file) !== resolve(path));
  if (other) problems.push({ file: path, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 'error', code: 'duplicate-id', message: `scenario id \`${scenario.id}\` is already used by ${other.file}` });
  return { text, problems };
}

const errorsIn = (ps: Problem[]) => ps.filter((p) => p.severity === 'error');

/** Drafts `variants` scenarios from the SOP. Throws DraftError when a draft cannot be made to validate. */
export async function draftScenarios(req: DraftRequest): Promise<Draft[]> {
  const ctx = await workspaceContext(req.root);
  if (req.profile && !ctx.profiles.has(req.profile)) {
    const known = [...ctx.profiles.keys()];
    throw new DraftError(`unknown profile '${req.profile}'${known.length ? ` (profiles: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''})` : ' (the workspace has no profiles)'}`);
  }
  const n = Math.max(1, req.variants ?? 1);
  const opts: DraftOptions = { sop: req.sop, profile: req.profile, profileName: req.profile ? ctx.profiles.get(req.profile) : undefined, domain: req.domain, split: req.split, tactics: ctx.tactics };
  const firstPath = resolve(req.outFile ?? join(req.root, 'scenarios', fileNameFor('scenario', 'draft')));
  const out: Draft[] = [];
  for (let i = 0; i < n; i++) {
    const path = variantPath(firstPath, i);
    req.onProgress?.(`draft ${i + 1}/${n}${req.client ? ` with ${req.client.backend.id}` : ''}…`);
    const draft = req.client ? await llmDraft(req, ctx, opts, i, n, path) : deterministicDraft(ctx, opts, i, path);
    out.push(draft);
  }
  return out;
}

function deterministicDraft(ctx: Context, opts: DraftOptions, variant: number, path: string): Draft {
  let scenario: Scenario;
  try {
    scenario = draftFromSop(opts, variant);
  } catch (e) {
    throw new DraftError(`cannot draft from this SOP: ${(e as Error).message}`);
  }
  let { text, problems } = check(ctx, scenario, path);
  // The id is taken: add a number.
  for (let k = 2; errorsIn(problems).some((p) => p.code === 'duplicate-id') && k < 50; k++) {
    scenario = { ...scenario, id: `${scenario.id.replace(/-\d+$/, '')}-${k}` };
    ({ text, problems } = check(ctx, scenario, path));
  }
  if (errorsIn(problems).length) throw new DraftError('the draft does not validate', problems, text);
  return { scenario, text, path, problems, attempts: 0 };
}

const STRATEGIES = ['one question at a time, the most important first', 'everything upfront, short on patience', 'the last steps first, hard to convince', 'timing first, bargains on price'];

/** The instructions for a model drafter: the schema, the workspace's names, the rules of a good scenario. */
export function draftPrompt(ctx: { tactics: readonly string[]; profiles: ReadonlyMap<string, string> }, opts: DraftOptions, variant: number, total: number): ChatMessage[] {
  const system = [
    'You draft UserLM scenario files: the simulated caller\'s side of a call handled by an agent that follows the SOP below.',
    'Answer with ONE JSON object and nothing else. It must validate against this JSON Schema (kind "scenario"):',
    JSON.stringify(schemaFiles.scenario),
    'Rules:',
    '- ids are slugs (lowercase letters, digits, - and _), unique in the file.',
    '- targets: at least 3, what a caller wants from the SOP (prices, fees, times, terms, yes/no answers, confirmations), each description using the SOP\'s own words; priority and reveal set; done_when says what the agent must give (an amount, a day or time, the term, a clear yes or no).',
    '- memory: facts the caller knows (e.g. the identity details the SOP checks); unknown: facts only the agent can give (the caller must never invent them).',
    '- decision_policy: structured `when` conditions where possible (target_unmet, target_met, state, tactic, turn) with an action.',
    '- state.transitions use events every_turn, concern_ignored, agent_repeats, target_met:<target id>, tactic:<tactic name>.',
    '- say lines, when given, are the caller\'s own words, never a copy of the description.',
    `- profile: ${opts.profile ? `exactly "${opts.profile}"` : `an inline profile object with a name, or one of these ids: ${[...ctx.profiles.keys()].slice(0, 40).join(', ') || '(none)'}`}.`,
    `- adversarial.tactics only from: ${ctx.tactics.join(', ')}.`,
  ].join('\n');
  const user = [
    `SOP:\n${opts.sop.trim()}`,
    `split: ${opts.split ?? 'standard'}${opts.domain ? `; domain: ${opts.domain}` : ''}`,
    total > 1 ? `This is goal variant ${variant + 1} of ${total}: ${STRATEGIES[variant % STRATEGIES.length]}. Vary priorities, the reveal strategy and the policies accordingly, and end the id with -v${variant + 1}.` : '',
  ].filter(Boolean).join('\n\n');
  return [{ role: 'system', content: system }, { role: 'user', content: user }];
}

/** The JSON object in a model's answer (code fences and prose around it are ignored). */
export function jsonIn(content: string): unknown {
  const fenced = /```(?:json|yaml)?\s*([\s\S]*?)```/.exec(content)?.[1] ?? content;
  const start = fenced.indexOf('{');
  const end = fenced.lastIndexOf('}');
  if (start < 0 || end <= start) throw new Error('no JSON object in the answer');
  return JSON.parse(fenced.slice(start, end + 1));
}

async function llmDraft(req: DraftRequest, ctx: Context, opts: DraftOptions, variant: number, total: number, path: string): Promise<Draft> {
  const messages = draftPrompt(ctx, opts, variant, total);
  const maxRepairs = req.maxRepairs ?? 3;
  let last: { text: string; problems: Problem[] } | undefined;
  for (let attempt = 1; attempt <= maxRepairs + 1; attempt++) {
    const r = await req.client!.complete({ messages, signal: req.signal });
    messages.push({ role: 'assistant', content: r.content });
    let feedback: string;
    try {
      const value = jsonIn(r.content);
      if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('the answer is not a JSON object');
      const scenario = { ...(value as Scenario), kind: 'scenario' as const, ...(req.split ? { split: req.split } : {}), ...(opts.profile ? { profile: opts.profile } : {}) };
      last = check(ctx, scenario, path);
      const errors = errorsIn(last.problems);
      if (!errors.length) {
        req.onProgress?.(`attempt ${attempt}: valid`);
        return { scenario, text: last.text, path, problems: last.problems, attempts: attempt };
      }
      req.onProgress?.(`attempt ${attempt}: ${errors.length} error${errors.length === 1 ? '' : 's'}${attempt <= maxRepairs ? ', asking for a repair' : ''}`);
      feedback = `The scenario does not validate. As YAML it reads:\n${last.text}\nProblems (line:column of that YAML):\n${errors.map((p) => `- ${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.message}`).join('\n')}\nAnswer with the whole corrected JSON object.`;
    } catch (e) {
      req.onProgress?.(`attempt ${attempt}: unreadable answer (${(e as Error).message})${attempt <= maxRepairs ? ', asking again' : ''}`);
      feedback = `Your answer could not be read as one JSON object: ${(e as Error).message}. Answer with the JSON object only.`;
      last = undefined;
    }
    messages.push({ role: 'user', content: feedback });
  }
  throw new DraftError(`the model's draft still does not validate after ${maxRepairs} repair${maxRepairs === 1 ? '' : 's'}`, last?.problems ?? [], last?.text);
}
