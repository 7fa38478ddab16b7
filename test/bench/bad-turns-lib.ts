// The labelled set of bad user turns (issue 8): real dialogues produced by the engine (agenda
// simulator against the scripted and adversarial agents) over every sample scenario and over the
// scenarios in test/bench/bad-turns/ (written only for this test, in domains the samples do not
// cover), with one bad turn of a known kind planted into a copy of each dialogue. Each planted
// dialogue is re-scored with the default spec and compared with the original: a planted turn is
// caught when its turn score is at least 0.05 below the original turn's (for a hang-up: when the
// dialogue total is lower). Used by `npm run bench:rewards` and by test/unit/rewards/bad-turns.test.ts.
import { join } from 'node:path';
import type { RewardSpec, Scenario, Transcript, Turn } from '../../core/generated/schema-types';
import type { ResolvedProfile } from '../../core/dialogue/types';
import { loadWorkspace, resolveProfile } from '../../core/model/load';
import { runDialogue } from '../../core/dialogue/index';
import { AgendaSimulator } from '../../core/simulate/index';
import { createAgent } from '../../core/agents/index';
import { DEFAULT_REWARD_SPEC, mustResist, parseOutput, scoreTranscript, tokens } from '../../core/rewards';
import { buildSimulatorPrompt, formatUserOutput, parseSections } from '../../core/rationale';

export const REPO = join(__dirname, '..', '..', '..');
export const KINDS = ['voice', 'leak', 'invented', 'copying', 'empty', 'repeat', 'after_stop', 'plan_mismatch', 'concession', 'hang_up'] as const;
export type Kind = (typeof KINDS)[number];

export interface Source { scenario: Scenario; profile: ResolvedProfile; origin: 'sample' | 'test-only' }
export interface Dialogue extends Source { transcript: Transcript }

/** Every sample scenario and every test-only scenario, with the profile each resolves to. */
export async function sources(): Promise<Source[]> {
  const out: Source[] = [];
  for (const [dir, origin] of [[join(REPO, 'samples'), 'sample'], [join(REPO, 'test', 'bench', 'bad-turns'), 'test-only']] as const) {
    const ws = await loadWorkspace(dir);
    for (const { value } of ws.scenarios.values()) out.push({ scenario: value, profile: resolveProfile(ws, value), origin });
  }
  return out;
}

/** Real dialogues: each source × agents × seeds, scored with the spec. */
export async function dialogues(srcs: Source[], seeds: number[], spec: RewardSpec = DEFAULT_REWARD_SPEC): Promise<Dialogue[]> {
  const out: Dialogue[] = [];
  for (const s of srcs) for (const agentId of ['scripted', 'adversarial']) for (const seed of seeds) {
    const t = await runDialogue({ scenario: s.scenario, profile: s.profile, simulator: new AgendaSimulator(), agent: createAgent(agentId, { secret: () => undefined }), seed });
    if (t.end.reason === 'error') throw new Error(`${s.scenario.id}/${agentId}/${seed}: ${t.error}`);
    out.push({ ...s, transcript: await scoreTranscript(t, { scenario: s.scenario, profile: s.profile, spec }) });
  }
  return out;
}

const pick = <T>(xs: readonly T[], n: number): T => xs[n % xs.length];

const VOICE = [
  'Thank you for calling! I would be happy to help you with that. Is there anything else I can assist you with?',
  "Certainly! I'd be happy to look into that for you right away.",
  "As an AI, I don't have personal accounts, but I can walk you through the options.",
  'The user wants to know the total cost before agreeing to anything.',
  'I understand your frustration, and I apologize for the inconvenience. Let me help you with that.',
  'Great question! Feel free to ask me anything else about your account.',
];
const INVENTED = [
  (item: string) => `Oh, I know that one: ${lc(item)} is $217.43.`,
  (item: string) => `For what it's worth, ${lc(item)} was 6:45 on the 23rd.`,
  (item: string) => `I checked earlier, ${lc(item)}: reference 88314.`,
  (item: string) => `Right, ${lc(item)} came to 1,260 last time.`,
];
const lc = (s: string) => s.replace(/[.]+$/, '').replace(/^[A-Z]/, (c) => c.toLowerCase());
const CONCEDE = ["Okay, fine, sign me up.", "You've convinced me, let's do it.", 'Alright, go ahead and set that up.', "Sounds good, I'll take it."];
const AFTER_STOP = (stop: string) => [`Thanks, bye. ${stop} Agent: anything else I should add?`, `Okay. ${stop}\nAlso, one more question about the bill.`];

export interface Plant { kind: Kind; dialogue: Dialogue; k: number; planted: Transcript }

function withAnswer(turn: Turn, answer: string, rationale?: string): Turn {
  const raw = rationale ?? parseOutput(turn.output ?? turn.text).rationale.trim();
  return { ...turn, text: answer, output: formatUserOutput(raw, answer), rationale: { raw, ...parseSections(raw) } as Turn['rationale'] };
}

function replaceTurn(t: Transcript, k: number, turn: Turn): Transcript {
  return { ...t, turns: t.turns.map((u, j) => (j === k ? turn : u)) };
}

/** The planted variants of one dialogue: every kind at every user turn that is neither the first nor the last. */
export function plants(d: Dialogue, spin = 0): Plant[] {
  const t = d.transcript;
  const sc = d.scenario;
  const stop = sc.termination?.stop_token ?? '###STOP###';
  const users = t.turns.map((u, k) => (u.speaker === 'user' ? k : -1)).filter((k) => k >= 0);
  const out: Plant[] = [];
  users.slice(1, -1).forEach((k, n) => {
    const turn = t.turns[k];
    const seed = spin + n + k;
    const rat = parseOutput(turn.output ?? turn.text).rationale.trim();
    const add = (kind: Kind, planted: Transcript) => out.push({ kind, dialogue: d, k, planted });
    add('voice', replaceTurn(t, k, withAnswer(turn, pick(VOICE, seed))));
    const sections = parseSections(rat).sections;
    const leak = [
      `${turn.text} Plan: ${sections.plan ?? 'keep going'}. State: ${sections.state ?? 'trust 0.50 -> 0.40'}.`,
      `<think>${sections.agent_intent ?? 'the agent is selling'}</think> ${turn.text}`,
      `(Agent intent: ${sections.agent_intent ?? 'pushing me'}) ${turn.text}`,
    ];
    add('leak', replaceTurn(t, k, withAnswer(turn, pick(leak, seed))));
    if (sc.unknown?.length) add('invented', replaceTurn(t, k, withAnswer(turn, `${turn.text} ${pick(INVENTED, seed)(pick(sc.unknown, seed))}`)));
    const copies = [...sc.targets.map((x) => x.description), ...sc.targets.flatMap((x) => (x.done_when ? [x.done_when] : [])), ...(sc.decision_policy ?? []).map((p) => p.then)]
      .filter((x) => tokens(x).length >= 6);
    if (copies.length) add('copying', replaceTurn(t, k, withAnswer(turn, pick(['', 'Well, ', 'Look. '], seed) + pick(copies, seed))));
    add('empty', replaceTurn(t, k, withAnswer(turn, pick(['', '  ', '\n'], seed))));
    const earlier = users.filter((j) => j < k && tokens(t.turns[j].text).length >= 4 && !t.turns[j].text.includes(stop));
    if (earlier.length) add('repeat', replaceTurn(t, k, withAnswer(turn, t.turns[earlier[earlier.length - 1]].text)));
    add('after_stop', replaceTurn(t, k, withAnswer(turn, pick(AFTER_STOP(stop), seed))));
    // The reply contradicts the plan's act: a refusal plan answered with a yes, an acceptance
    // plan with a no, any other plan announced as ending the call while the reply carries on.
    const act = /^\s*(\w+)/.exec(sections.plan ?? '')?.[1]?.toLowerCase();
    if (act === 'refuse') add('plan_mismatch', replaceTurn(t, k, withAnswer(turn, pick(CONCEDE, seed))));
    else if (act === 'accept') add('plan_mismatch', replaceTurn(t, k, withAnswer(turn, "No, I won't agree to that.")));
    else add('plan_mismatch', replaceTurn(t, k, withAnswer(turn, turn.text, rat.replace(/^(\s*Plan:).*$/m, '$1 end: I have heard enough, close the call'))));
    // A concession is a bad turn where the user must resist: after a tactic, a primary target still open.
    const afterTactic = t.turns.slice(0, k).some((u) => u.speaker === 'agent' && u.tactic);
    const openPrimary = sc.targets.some((x) => (x.priority ?? 'primary') === 'primary' && !(((t.targets ?? []).find((y) => y.id === x.id)?.met_at ?? Infinity) <= turn.index));
    if (mustResist(sc) && afterTactic && openPrimary) add('concession', replaceTurn(t, k, withAnswer(turn, pick(CONCEDE, seed))));
    // An immediate hang-up: the user ends here, with primary targets open and nothing in the state explaining it.
    const cut: Transcript = {
      ...t, turns: [...t.turns.slice(0, k), withAnswer(turn, pick(['I have to go. Bye.', 'Okay, never mind, bye.', 'Right, that will do.'], seed) + ` ${stop}`)],
      end: { reason: 'stop', at_turn: turn.index }, targets: (t.targets ?? []).map((x) => ({ id: x.id, met_at: x.met_at !== null && x.met_at <= turn.index ? x.met_at : null })),
    };
    if (sc.targets.some((x) => (x.priority ?? 'primary') === 'primary' && !cut.targets!.find((y) => y.id === x.id)?.met_at)) add('hang_up', cut);
  });
  return out;
}

export interface Outcome { kind: Kind; caught: boolean; origin: Source['origin']; scenario: string; before: number; after: number }

/** Re-scores a plant and compares it with its original dialogue. */
export async function judgePlant(p: Plant, spec: RewardSpec = DEFAULT_REWARD_SPEC): Promise<Outcome> {
  const s = await scoreTranscript(p.planted, { scenario: p.dialogue.scenario, profile: p.dialogue.profile, spec });
  const base = { kind: p.kind, origin: p.dialogue.origin, scenario: p.dialogue.scenario.id };
  if (p.kind === 'hang_up') {
    const before = p.dialogue.transcript.rewards.total ?? 0;
    const after = s.rewards.total ?? 0;
    return { ...base, caught: after < before - 1e-9, before, after };
  }
  const before = p.dialogue.transcript.turns[p.k].score ?? 0;
  const after = s.turns[p.k].score ?? 0;
  return { ...base, caught: after <= before - 0.05 + 1e-9, before, after };
}

/** Mean turn score of the agenda simulator's own (unplanted) user turns. */
export function agendaMean(ds: Dialogue[]): { mean: number; turns: number } {
  let sum = 0;
  let n = 0;
  for (const d of ds) for (const u of d.transcript.turns) if (u.speaker === 'user' && u.score !== undefined) { sum += u.score; n++; }
  return { mean: n ? sum / n : 0, turns: n };
}

/** Per kind: planted, caught, share caught. */
export function confusion(outcomes: Outcome[]): { kind: Kind; planted: number; caught: number; share: number }[] {
  return KINDS.map((kind) => {
    const os = outcomes.filter((o) => o.kind === kind);
    const caught = os.filter((o) => o.caught).length;
    return { kind, planted: os.length, caught, share: os.length ? caught / os.length : 0 };
  });
}

/** Garbage simulators: every user turn replaced by the system prompt it was given, or by one fixed off-topic string. */
export function garbage(d: Dialogue, how: 'system_prompt' | 'off_topic'): Transcript {
  const prompt = buildSimulatorPrompt(d.profile, d.scenario);
  const text = how === 'system_prompt' ? prompt : 'I really love gardening, especially tomatoes in the summer.';
  return { ...d.transcript, turns: d.transcript.turns.map((u) => (u.speaker === 'user' ? { ...u, text, output: text, rationale: undefined, state: undefined } : u)) };
}
