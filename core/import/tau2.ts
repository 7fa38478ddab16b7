// τ²-bench tasks (Sierra Research, MIT) as a UserLM workspace: one scenario per task, a profile
// per distinct persona, a suite over them, and userlm.yaml when missing.
// known_info → memory, unknown_info → unknown, reason_for_call and task_instructions → targets and
// decision policies, nl_assertions / communicate_info / actions → evaluation, persona → a
// profile, the domain policy → the agent's SOP. Both instruction shapes are read: the structured
// object and the plain string.
import type { Policy, Scenario, Target } from '../generated/schema-types';
import { phraseTarget } from '../simulate/target-phrasing';
import { lowerFirst, stripStop, upperFirst } from '../util/text';
import { sentencesIn, sharedWords, slugOf, uniqueId, youToI } from './text';
import type { OutFile } from './yaml';
import { fileNameFor } from '../files';

export const TAU2_ATTRIBUTION = 'Imported from τ²-bench (https://github.com/sierra-research/tau2-bench), MIT License, Copyright (c) 2025 Sierra Research.';

interface Tau2Instructions { task_instructions?: string | null; domain?: string | null; reason_for_call?: string | null; known_info?: string | null; unknown_info?: string | null }
interface Tau2Task {
  id: string | number;
  description?: { purpose?: string | null; notes?: string | null } | null;
  user_scenario: { persona?: string | null; instructions: string | Tau2Instructions };
  ticket?: string | null;
  evaluation_criteria?: { actions?: { name: string; arguments?: Record<string, unknown> }[] | null; communicate_info?: string[] | null; nl_assertions?: string[] | null } | null;
}

export interface Tau2Options {
  /** The domain's policy (markdown), the agent's SOP. */
  policy?: string;
  /** The domain name when the tasks do not say (e.g. from the folder name). */
  domain?: string;
}

export interface Tau2Import {
  files: OutFile[];
  scenarioIds: string[];
  profileIds: string[];
  /** Notes about tasks read partly (per task id). */
  notes: string[];
}

/** A clear error about where the task file is wrong. */
export class Tau2FormatError extends Error {}

/** Checks the shape of a parsed tasks.json and returns the tasks. */
export function readTau2Tasks(data: unknown): Tau2Task[] {
  const list = Array.isArray(data) ? data : data && typeof data === 'object' && Array.isArray((data as { tasks?: unknown }).tasks) ? (data as { tasks: unknown[] }).tasks : undefined;
  if (!list) throw new Tau2FormatError('expected a JSON array of τ²-bench tasks (or an object with a `tasks` array)');
  if (!list.length) throw new Tau2FormatError('the task list is empty');
  list.forEach((t, i) => {
    const where = `task ${i}${t && typeof t === 'object' && 'id' in t ? ` (id ${String((t as { id: unknown }).id)})` : ''}`;
    if (!t || typeof t !== 'object') throw new Tau2FormatError(`${where}: not an object`);
    const task = t as Partial<Tau2Task>;
    if (task.id === undefined || task.id === null) throw new Tau2FormatError(`${where}: no \`id\``);
    const ins = task.user_scenario?.instructions;
    if (typeof ins !== 'string' && (!ins || typeof ins !== 'object')) throw new Tau2FormatError(`${where}: \`user_scenario.instructions\` must be a string or an object`);
    if (typeof ins === 'object' && !ins.reason_for_call && !ins.task_instructions) throw new Tau2FormatError(`${where}: \`user_scenario.instructions\` has neither \`reason_for_call\` nor \`task_instructions\``);
  });
  return list as Tau2Task[];
}

const NONE = /^(?:none|n\/a|null|-|\.)?\.?$/i;
const present = (s: string | null | undefined): s is string => !!s && !NONE.test(s.trim());

// ---- reading the instructions ------------------------------------------------------------

const CONDITION = /^(?:but\s+|and\s+|then,?\s+)?(?:if and only if|if|when|whenever|once|after|in case|unless)\b\s*/i;
const WANT_LEAD = /^(?:for some reason,?\s*)?(?:you|i)\s+(?:just\s+|also\s+|really\s+|now\s+)?(?:want|wants|wish|wishes|would like|'d like|need|needs|are looking|hope)\s+(?:to\s+)?(?:also\s+)?/i;
const FACT_THEN_WANT = /^(.+?),?\s+and\s+(?:you\s+|i\s+)?(?:also\s+)?(?:want|wish|would like|need|'d like)\s+to\s+(.+)$/i;
const GOAL_LEAD = /^(?:your|my) (?:goal|task|job) is to\s+/i;
const IMPERATIVE_LEAD = /^(?:then,?\s+|first,?\s+|finally,?\s+|also,?\s+|next,?\s+)?(?:make sure (?:to|that)\s+|be sure to\s+|remember to\s+)?/i;
const HIDDEN = /\b(?:do not|don't|never|not)\s+(?:reveal|tell|mention|say)\b/i;
const PREFERENCE = /\b(?:prefer|prefers|preferred|prefered|ideally|if possible|rather)\b/i;
const USER_TOOL = /\b(?:use the \w+ tool|\w+_\w+ tool|tool to\b)/i;

interface Reading { memory: string[]; targets: Target[]; policies: Policy[]; notes: string[] }

/** A condition sentence as a text policy: "If the agent asks for confirmation, only exchange the lamp." */
function policyOf(sentence: string, taken: Set<string>): Policy | undefined {
  const body = sentence.replace(CONDITION, '');
  // The consequence starts at the comma before its verb or subject ("If there is no X, Y, Z, you'd go for ...").
  let comma = body.search(/,\s+(?=(?:then\s+)?(?:you|i|ask|only|do|don't|say|suddenly|change|agree|return|exchange|cancel|keep|tell|request|prefer)\b)/i);
  if (comma < 0) comma = body.search(/,\s+/);
  if (comma < 0) return undefined;
  const when = stripStop(youToI(body.slice(0, comma))).trim();
  const then = upperFirst(stripStop(youToI(body.slice(comma).replace(/^,\s+/, '').replace(/^(?:then\s+)?/i, '')))).trim();
  if (!when || !then) return undefined;
  const p: Policy = { id: uniqueId(slugOf(`when ${when}`, 5), taken), when, then: `${then}.` };
  const action = actionOf(then);
  if (action) p.action = action;
  return p;
}

function actionOf(then: string): Policy['action'] | undefined {
  if (/\b(?:human|representative|supervisor|manager|transfer)\b/i.test(then)) return 'escalate';
  if (/\b(?:do not|don't|refuse|decline|nothing)\b/i.test(then)) return 'refuse';
  if (/\b(?:agree|accept|go for|settle for)\b/i.test(then)) return 'accept';
  return undefined;
}

const SPLIT_GOALS = /,?\s+and\s+(?:(?:you|i)\s+(?:also\s+)?(?:want|wish|would like|need|'d like)\s+to\s+)?(?=(?:also\s+)?(?:cancel|return|exchange|modify|change|update|get|know|find out|ask|refund|keep|move|add|remove|create|mark|delete|book|transfer|rebook|upgrade)\b)/i;

/** The goals of one sentence: "cancel X and return Y, and I want to know Z" → three. */
function goalsIn(goal: string): string[] {
  // Split outside parentheses only.
  const masked = goal.replace(/\([^)]*\)/g, (m) => m.replace(/[,a]/g, '_'));
  const out: string[] = [];
  let from = 0;
  const re = new RegExp(SPLIT_GOALS.source, 'gi');
  for (const m of masked.matchAll(re)) {
    out.push(goal.slice(from, m.index));
    from = (m.index ?? 0) + m[0].length;
  }
  out.push(goal.slice(from));
  return out.map((g) => g.trim().replace(/^also\s+/i, '')).filter((g) => /[a-z]{3}/i.test(g));
}

/** A target from a goal (a verb phrase in the user's words); `say` only when the built-in phrasing would not read well. */
function targetOf(goal: string, original: string, taken: Set<string>, extra: Partial<Target> = {}): Target {
  const g = stripStop(goal.replace(/\s*\([^)]*\)/g, '')).trim();
  const description = `${upperFirst(stripStop(goal).trim())}.`;
  const t: Target = { id: uniqueId(slugOf(g), taken), description, ...extra };
  const user = phraseTarget({ id: t.id, description: `${upperFirst(g)}.` }).user;
  // A parenthesis is context for readers and judges, not something the user reads out.
  if (/\(/.test(goal)) t.say = user;
  else if (/^What can you tell me about|^I'd like to (?:tell|mention|request|ask)\b|\bI'd like to I\b/i.test(user) || user.split(/\s+/).length > 28) {
    const imperative = WANT_LEAD.test(original) || FACT_THEN_WANT.test(original) || GOAL_LEAD.test(original) || /^[A-Z][a-z]+ (?:a|an|the|my|all|any|that|this|it|both|BOTH)\b/.test(g);
    t.say = imperative && !/^(?:tell|ask|request|make sure|mention)\b/i.test(g) ? `I'd like to ${lowerFirst(stripStop(g))}.` : sayOf(original);
  }
  return t;
}

/** The user's own line for an instruction: "Tell the agent you have finished and ask them to ..." → "I have finished. Could you ...?" */
function sayOf(sentence: string): string {
  let s = stripStop(sentence.replace(/\s*\([^)]*\)/g, '')).replace(WANT_LEAD, "I'd like to ").replace(IMPERATIVE_LEAD, '');
  let m: RegExpExecArray | null;
  if ((m = /^tell (?:the agent|them) (?:that\s+)?(.+?)(?:,?\s+and (?:then\s+)?ask (?:them|the agent) to (.+))?$/i.exec(s))) return `${upperFirst(youToI(m[1]))}.${m[2] ? ` Could you ${youToI(m[2])}?` : ''}`;
  if ((m = /^ask (?:the agent|them) to (.+)$/i.exec(s))) return `Could you ${youToI(m[1])}?`;
  if ((m = /^request that (\S+) be (.+)$/i.exec(s))) return `I'd like ${m[1]} to be ${youToI(m[2])}.`;
  if ((m = /^request (.+)$/i.exec(s))) return `I'd like ${youToI(m[1])}.`;
  s = youToI(s);
  return `${upperFirst(s)}.`;
}

/** The reason for the call, task instructions written as goals, into memory, targets and policies. */
function readGoals(text: string, notes: string[]): Reading {
  const out: Reading = { memory: [], targets: [], policies: [], notes };
  const taken = new Set<string>();
  const policyIds = new Set<string>();
  for (const raw of sentencesIn(text)) {
    let sentence = raw;
    // A parenthesis the user must keep to themselves becomes a `never` target.
    for (const m of raw.matchAll(/\(([^)]*)\)/g)) {
      if (!HIDDEN.test(m[1])) continue;
      const secret = stripStop(m[1].replace(/,?\s*(?:but\s+)?(?:do not|don't|never|not)\s+(?:reveal|tell|mention|say)\b.*$/i, '')).trim();
      if (secret) out.targets.push({ id: uniqueId(slugOf(`private ${secret}`), taken), description: `Keeps to themself: ${youToI(secret)}.`, priority: 'secondary', reveal: 'never' });
      sentence = sentence.replace(m[0], '').replace(/\s+([.,])/g, '$1');
    }
    if (!/[a-z]{2}/i.test(sentence)) continue;
    if (CONDITION.test(sentence)) {
      const p = policyOf(sentence, policyIds);
      if (p) out.policies.push(p);
      continue;
    }
    // "X, but otherwise Y" / "X. Otherwise Y": a preference and what to do when it cannot be met.
    const otherwise = /^(.+?),?\s+(?:but\s+)?otherwise,?\s+(.+)$/i.exec(sentence);
    if (otherwise) {
      sentence = otherwise[1];
      const then = upperFirst(stripStop(youToI(otherwise[2]))).trim();
      out.policies.push({ id: uniqueId(slugOf(`otherwise ${then}`, 5), policyIds), when: `the agent cannot do this: ${stripStop(youToI(sentence))}`, then: `${then}.`, ...(actionOf(then) ? { action: actionOf(then) } : {}) });
    }
    if (USER_TOOL.test(sentence)) {
      out.policies.push({ id: uniqueId(slugOf(`own step ${sentence}`, 5), policyIds), when: 'the call starts', then: `${upperFirst(stripStop(youToI(sentence)))}. (A step on the user's side; the built-in simulator only reports it.)` });
      notes.push(`user-side tool step kept as a text policy: "${sentence}"`);
      continue;
    }
    const preference = PREFERENCE.test(sentence);
    const extra: Partial<Target> = preference ? { priority: 'secondary' } : {};
    let m: RegExpExecArray | null;
    if ((m = FACT_THEN_WANT.exec(sentence)) && !WANT_LEAD.test(sentence)) {
      out.memory.push(`${upperFirst(stripStop(youToI(m[1])))}.`);
      for (const g of goalsIn(m[2])) out.targets.push(targetOf(youToI(g), sentence, taken, extra));
    } else if (WANT_LEAD.test(sentence)) {
      for (const g of goalsIn(sentence.replace(WANT_LEAD, ''))) out.targets.push(targetOf(youToI(g), sentence, taken, extra));
    } else if (GOAL_LEAD.test(sentence)) {
      out.targets.push(targetOf(youToI(sentence.replace(GOAL_LEAD, '')), sentence, taken, extra));
    } else if (/^(?:you|i)\b/i.test(sentence)) {
      out.memory.push(`${upperFirst(stripStop(youToI(sentence)))}.`);
    } else {
      // An imperative ("Create a new task called ...", "Make sure to return BOTH orders.") or a preference ("PayPal is preferred").
      const goal = sentence.replace(IMPERATIVE_LEAD, '');
      out.targets.push(targetOf(youToI(goal), sentence, taken, extra));
    }
  }
  return out;
}

// ---- the profile -----------------------------------------------------------------------------

const TRAIT_WORDS = ['detail-oriented', 'private', 'mysterious', 'brief', 'direct', 'professional', 'concise', 'clear', 'sad', 'angry', 'impatient', 'polite', 'friendly', 'curious', 'anxious', 'confused', 'rude', 'calm', 'patient', 'busy', 'cautious', 'reserved'];

interface ProfileEntry { id: string; name: string; background?: string; personality?: { traits: string[] }; expression: Record<string, unknown>; tags: string[] }

/** A display name from known_info: "You are Yusuf Rossi in zip code ...", "You are mei_kovacs_8020 ...". */
function nameOf(known: string): string | undefined {
  const m = /\b(?:[Yy]ou are|I am|[Mm]y name is|[Nn]ame is)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)+|[a-z]+_[a-z]+(?:_\d+)?)/.exec(known);
  if (!m) return undefined;
  const n = m[1];
  if (/_/.test(n)) return n.split('_').filter((w) => !/^\d+$/.test(w)).map(upperFirst).join(' ');
  return /^(?:a|an|the)\s/i.test(n) ? undefined : n;
}

function profileOf(task: Tau2Task, ins: Tau2Instructions, character: string, domain: string, taskId: string): Omit<ProfileEntry, 'id'> {
  const persona = task.user_scenario.persona ?? '';
  const about = `${persona} ${character}`.toLowerCase();
  const expression: Record<string, unknown> = {};
  if (/\b(?:brief|concise|terse|short|not .*too many words|do(?:es)? not want to reveal much|private|mysterious)\b/.test(about)) expression.verbosity = 'terse';
  else if (/\b(?:detail|chatty|talkative|verbose)\b/.test(about)) expression.verbosity = 'verbose';
  if (/\b(?:professional|formal)\b/.test(about)) expression.formality = 'formal';
  else if (/\b(?:casual|informal|relaxed)\b/.test(about)) expression.formality = 'casual';
  if (/\b(?:angry|impatient|in a hurry|busy)\b/.test(about)) expression.patience = 0.35;
  const traits = TRAIT_WORDS.filter((w) => about.includes(w));
  const background = [persona, character].filter(present).map((x) => `${upperFirst(stripStop(x.replace(/^you are\s+/i, '')).trim())}.`).join(' ');
  return {
    name: nameOf(ins.known_info ?? '') ?? nameOf(typeof task.user_scenario.instructions === 'string' ? task.user_scenario.instructions : '') ?? '',
    ...(background ? { background } : {}),
    ...(traits.length ? { personality: { traits } } : {}),
    expression,
    tags: ['tau2-bench', domain],
  };
}

// ---- tasks → workspace -----------------------------------------------------------------------

/** Whether a task_instructions text describes the person (→ profile) rather than what to do (→ goals). */
function describesPerson(text: string): boolean {
  return /^you are\b/i.test(text.trim());
}

export function importTau2(data: unknown, opts: Tau2Options = {}): Tau2Import {
  const tasks = readTau2Tasks(data);
  const files: OutFile[] = [];
  const scenarioIds: string[] = [];
  const notes: string[] = [];
  const profiles: ProfileEntry[] = [];
  const profileKey = new Map<string, string>();
  const taken = new Set<string>();
  const profileTaken = new Set<string>();
  let domainSeen = opts.domain;
  for (const task of tasks) {
    const raw = task.user_scenario.instructions;
    const ins: Tau2Instructions = typeof raw === 'string' ? { reason_for_call: raw } : raw;
    const domain = slugOf(ins.domain ?? opts.domain ?? 'tau2', 3);
    domainSeen ??= domain;
    const taskId = String(task.id);
    const id = uniqueId(`tau2-${domain}-${slugOf(taskId, 8)}`, taken);
    const taskNotes: string[] = [];
    // task_instructions: the person (→ profile) or more goals.
    const ti = present(ins.task_instructions) ? ins.task_instructions.trim() : '';
    const character = ti && describesPerson(ti) ? ti : '';
    const goals = readGoals([ins.reason_for_call ?? '', character ? '' : ti].filter(present).join(' '), taskNotes);
    if (!goals.targets.length) throw new Tau2FormatError(`task ${taskId}: no goal found in its instructions`);
    // The first sentence's goals are raised at once; the rest when the topic comes up.
    goals.targets.forEach((t, i) => {
      if (!t.reveal) t.reveal = i === 0 || /\btogether\b/i.test(ins.reason_for_call ?? '') ? 'upfront' : 'when_asked';
      if (!t.priority) t.priority = 'primary';
    });
    const ec = task.evaluation_criteria ?? {};
    const communicate = (ec.communicate_info ?? []).filter(present).map(String);
    const assertions = (ec.nl_assertions ?? []).filter(present).map(String);
    // An assertion about a target says when it is met.
    for (const t of goals.targets) {
      const best = assertions.map((a) => ({ a, n: sharedWords(a, `${t.description} ${t.say ?? ''}`) })).sort((x, y) => y.n - x.n)[0];
      if (best && best.n >= 2) t.done_when = best.a;
    }
    // The profile: one per distinct persona + character + name.
    const p = profileOf(task, ins, character, domain, taskId);
    const key = JSON.stringify(p);
    let profileId = profileKey.get(key);
    if (!profileId) {
      // No name in the task: one profile per persona, numbered.
      if (!p.name) p.name = `τ² ${domain} user ${profiles.filter((x) => x.name.startsWith('τ²')).length + 1}`;
      profileId = uniqueId(`tau2-${slugOf(p.name.replace(/^τ²\s*/, ''), 3)}`, profileTaken);
      profileKey.set(key, profileId);
      profiles.push({ id: profileId, ...p });
    }
    const memory = [...sentencesIn(ins.known_info ?? '').filter(present).map((s) => `${upperFirst(stripStop(youToI(s)))}.`), ...goals.memory];
    const unknown = sentencesIn(ins.unknown_info ?? '').filter(present).map(unknownOf);
    const scenario: Scenario = {
      kind: 'scenario',
      id,
      title: `τ²-bench ${domain} task ${taskId}`,
      domain,
      split: 'standard',
      tags: ['tau2-bench', domain],
      profile: profileId,
      agent: {
        role: `Customer service agent (τ²-bench ${domain} domain)`,
        ...(opts.policy ? { sop: sopFromPolicy(opts.policy) } : {}),
        default: 'scripted',
      },
      ...(memory.length ? { memory } : {}),
      ...(unknown.length ? { unknown } : {}),
      targets: goals.targets as Scenario['targets'],
      ...(goals.policies.length ? { decision_policy: goals.policies } : {}),
      state: { initial: { trust: 0.6, patience: p.expression.patience === 0.35 ? 0.5 : 0.7 }, transitions: [{ on: 'every_turn', change: { patience: -0.03 } }, { on: 'concern_ignored', change: { patience: -0.05 } }] },
      termination: { max_turns: 16, min_turns: 1, success_when: 'all_primary_targets_met' },
    };
    const actions = (ec.actions ?? []).filter((a) => a && typeof a.name === 'string').map((a) => ({ name: a.name, ...(a.arguments ? { arguments: a.arguments } : {}) }));
    if (communicate.length || assertions.length || actions.length) {
      scenario.evaluation = { ...(communicate.length ? { communicate } : {}), ...(assertions.length ? { assertions } : {}), ...(actions.length ? { actions } : {}) };
    }
    scenarioIds.push(id);
    for (const n of taskNotes) notes.push(`task ${taskId}: ${n}`);
    files.push({
      path: `scenarios/${fileNameFor('scenario', id)}`,
      value: scenario as unknown as Record<string, unknown>,
      header: [TAU2_ATTRIBUTION, `Task ${taskId}${task.description?.purpose ? `: ${task.description.purpose}` : ''}. Instructions were ${typeof raw === 'string' ? 'a plain string' : 'structured (reason_for_call, known_info, unknown_info, task_instructions)'}.`],
    });
  }
  const domain = domainSeen ?? 'tau2';
  files.unshift({
    path: `profiles/${fileNameFor('profile', `tau2-${domain}`)}`,
    value: { kind: 'profiles', description: `The users of the τ²-bench ${domain} tasks (persona and character from each task).`, profiles: profiles.map(({ id, name, background, personality, expression, tags }) => ({ id, name, ...(background ? { background } : {}), ...(personality ? { personality } : {}), ...(Object.keys(expression).length ? { expression } : {}), tags })) },
    header: [TAU2_ATTRIBUTION],
  });
  files.push({
    path: `suites/${fileNameFor('suite', `tau2-${domain}`)}`,
    value: { kind: 'suite', id: `tau2-${domain}`, title: `τ²-bench ${domain} tasks (${scenarioIds.length})`, scenarios: scenarioIds, profiles: 'own', samples: 1, seed: 1, simulator: 'agenda' },
    header: [TAU2_ATTRIBUTION],
  });
  return { files, scenarioIds, profileIds: profiles.map((p) => p.id), notes };
}

/** "You do not remember your email address." → "My email address (I do not remember it)." */
function unknownOf(sentence: string): string {
  const m = /^(?:you|i)\s+(?:do not|don't|cannot|can't|do not quite)\s+(?:remember|know|recall|have)\s+(.+?)\.?$/i.exec(sentence.trim());
  if (m) return `${upperFirst(youToI(m[1]))} (I do not ${/remember|recall/i.test(sentence) ? 'remember' : 'know'} it).`;
  return `${upperFirst(stripStop(youToI(sentence)))}.`;
}

/** The workspace file written when the output folder has none. */
export function defaultWorkspaceFile(): OutFile {
  return {
    path: 'userlm.yaml',
    value: { kind: 'workspace', defaults: { simulator: 'agenda', agent: 'scripted' } },
    header: ['The workspace: add OpenAI-compatible backends here (keys only as env:VAR), e.g.', '  backends: [{ id: local, type: openai-compatible, base_url: "http://127.0.0.1:8000/v1", model: my-model }]'],
  };
}

/** A markdown policy as SOP text: no emphasis marks, headings as plain lines, bullets as steps. */
export function sopFromPolicy(md: string): string {
  return md
    .replace(/\r/g, '')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/`([^`]+)`/g, '$1')
    .split('\n')
    .map((l) => l.replace(/^#+\s*(.+)$/, '$1:').replace(/^\s*[-*]\s+/, '- ').trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
