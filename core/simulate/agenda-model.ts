// What the agenda simulator knows about a scenario, compiled once: its targets as the user speaks
// about them, the memory and unknown facts, and the profile's own facts in the first person.
import type { Scenario, Target } from '../generated/schema-types';
import type { ResolvedProfile } from '../dialogue/types';
import { contentStems, firstPerson, lowerFirst, overlap, sentence, stripStop, upperFirst } from '../util/text';
import { VERBS, phraseTarget } from './target-phrasing';

export interface Fact { text: string; stems: Set<string> }
/**
 * A target as the user speaks about it: `goal` raises it (its `say`), `ask` asks for it again (the
 * part of `say` that is the request, shortened), `topic` names it briefly ("the salary range",
 * from its id or description; absent when there is no noun phrase). The description is never said aloud.
 */
export interface AgendaTarget {
  t: Target; id: string; primary: boolean; reveal: 'upfront' | 'when_asked' | 'never'; goal: string; ask: string; topic?: string; stems: Set<string>; label: string;
  /** Read once, for every turn: `ask` in a sentence (first letter lowered); how it is raised (`goal`, or for terse speakers its question) with its lead-in flag and lowered form. */
  askLower: string; raiseAs: Raising; raiseTerse: Raising;
  /** How the rationale lists it: open and asked once, asked more than once, not raised yet. */
  notes: { asked: string; pressed: string; later: string };
}
/** A target's goal as a raise line takes it: the text, whether it has its own lead-in ("Sorry, can I ask ..."), and the text lowered for `{goal}`. */
export interface Raising { text: string; leadIn: boolean; lower: string }
export interface CompiledAgenda {
  targets: AgendaTarget[]; memory: Fact[]; unknown: Fact[]; primaryIds: string[];
  /** Whether a target id holds a line break or tab (then the rationale's concerns line must be put on one line). */
  idsBreak: boolean;
}

export const LEAD_IN = /^(?:(?:hi|hello|hey|okay|ok|so|and|also|plus|well|sorry|look|right|but|oh|now|dear|because|before (?:we go any further|anything else))\b[,!.]?\s*)+/i;
const QUESTION_START = /^(?:what|whats|what's|how|when|where|who|which|why|is|are|do|does|did|can|could|will|would|am|should)\b/i;

/** The request in a target's `say`, shortened for asking again: the clause that shares most with the description, questions first. */
function askOf(t: Target, goal: string): string {
  const desc = contentStems(t.description);
  let best = '';
  let bestScore = -1;
  for (const sent of goal.split(/(?<=[.!?])\s+/)) {
    const q = sent.trim().endsWith('?');
    // A question whole (lead-ins dropped) or one of its clauses, a statement's clause; a clause that starts a question wins.
    for (const chunk of q ? [stripStop(sent).replace(LEAD_IN, ''), ...sent.split(/,\s+/)] : sent.split(/,\s+/)) {
      const c = stripStop(chunk).replace(LEAD_IN, '').trim();
      if (c.split(/\s+/).length < 3) continue;
      const score = (q || QUESTION_START.test(c) ? 10 : 0) + (QUESTION_START.test(c) ? 5 : 0) + overlap(contentStems(c), desc);
      if (score > bestScore) { best = upperFirst(c) + (q || QUESTION_START.test(c) ? '?' : '.'); bestScore = score; }
    }
  }
  return best || goal;
}

const NOT_NOUN = new Set(['no', 'not', 'add', 'keep', 'explain', 'verify', 'demand', 'call', 'hang', 'offer', 'accept', 'agree', 'mention', 'to', 'with', 'for', 'of',
  'has', 'have', 'had', 'is', 'are', 'was', 'were', 'be', 'will', 'can', 'could', 'would', 'should', 'does', 'do', 'did', 'get', 'gets', 'left', 'ready', 'when', 'whether', 'if', 'how', 'what', 'which', 'why', 'my', 'your']);
/** A short noun phrase for a target from its id (`salary-range` → `the salary range`), or undefined. */
function topicOf(id: string): string | undefined {
  const ws = id.toLowerCase().split(/[-_\s]+/).filter(Boolean);
  if (!ws.length || ws.length > 4 || VERBS.has(ws[0]) || ws.some((w) => NOT_NOUN.has(w) || !/^[a-z]+$/.test(w))) return undefined;
  return `the ${ws.join(' ').replace(/^all in\b/, 'all-in')}`;
}

const selfCache = new WeakMap<object, Fact[]>();
/** A profile's own facts in the first person: occupation, background, life scenarios (cached per profile: treat as read-only). */
export function selfFacts(profile: ResolvedProfile): Fact[] {
  let facts = selfCache.get(profile);
  if (!facts) selfCache.set(profile, (facts = readSelfFacts(profile)));
  return facts;
}

function readSelfFacts(profile: ResolvedProfile): Fact[] {
  const out: string[] = [];
  const occ = profile.demographics?.occupation?.replace(/\s*\([^)]*\)/g, '').trim();
  if (occ) out.push(`I'm ${/^[aeiou]/i.test(occ) ? 'an' : 'a'} ${occ}.`);
  for (const text of [profile.background ?? '', ...(profile.life_scenarios ?? [])]) {
    for (const sent of text.split(/(?<=[.!?])\s+/)) if (sent.trim()) out.push(sentence(ownWords(sent.trim())));
  }
  // The occupation answers "what do you do for work?" too.
  return out.map((text, i) => ({ text, stems: i === 0 && occ ? contentStems(`${text} work job occupation profession career`) : contentStems(text) }));
}

const ELIDED_IRREGULAR = /^(?:lost|fell|hit|got|had|has|is|was|keeps|runs|owns|works|pays|gets)$/i;
/** A profile sentence in the user's words: "Works remotely and tethers his laptop" → "I work remotely and tether my laptop". */
function ownWords(s: string): string {
  const first = /^([A-Za-z]+)(,?)/.exec(s);
  const w = first?.[1] ?? '';
  const elided = !!first && (/^[A-Z][a-z]+(?:s|ed)$/.test(w) || ELIDED_IRREGULAR.test(w) || /^[A-Z][a-z]+ing$/.test(w)) && !/^(?:his|her|this|news|always|perhaps|ss)$/i.test(w);
  if (!elided) return firstPerson(s);
  const verb = (v: string) => firstPerson(`he ${v}`).replace(/^I\s+/, '');
  let out = /ing$/.test(w) ? `I'm ${lowerFirst(s)}` : first[2] ? `I'm ${lowerFirst(s)}` : `I ${verb(w.toLowerCase())}${s.slice(w.length)}`;
  out = out.replace(/(,\s+|\band\s+|\bbut\s+|;\s+)([a-z]+)\b/g, (m, sep: string, v: string) => (/^(?:has|is|was|does)$/.test(v) || (/[^su]s$/.test(v) && v.length > 3) ? `${sep}${verb(v)}` : m));
  return firstPerson(out);
}

/** How the user raises a target: its `say`, else its description rewritten in the user's words. */
function goalSentence(t: Target): string {
  if (t.say) return sentence(t.say.trim().replace(/^(?:hi|hello|hey)\b[,!.]?\s*/i, '').replace(/^(?:and|also|plus)\b[,]?\s*/i, ''));
  return phraseTarget(t).user;
}

function raising(text: string): Raising {
  return { text, leadIn: LEAD_IN.test(text), lower: lowerFirst(text) };
}

const compiled = new WeakMap<Scenario, CompiledAgenda>();

export function compileAgenda(scenario: Scenario): CompiledAgenda {
  let c = compiled.get(scenario);
  if (!c) {
    const targets = scenario.targets.map((t): AgendaTarget => {
      const p = t.say ? undefined : phraseTarget(t);
      const goal = goalSentence(t);
      const ask = t.say ? askOf(t, goal) : p!.ask;
      const primary = (t.priority ?? 'primary') === 'primary';
      const kind = primary ? 'primary' : 'secondary';
      return {
        t, id: t.id, primary, reveal: t.reveal ?? 'upfront',
        goal, ask, topic: topicOf(t.id) ?? p?.topic ?? (t.say ? undefined : undefined), label: t.id,
        // Without cues, the words of `done_when` tell too when the agent talks about the target.
        stems: t.cues?.length ? contentStems(`${t.description} ${t.say ?? ''} ${t.cues.join(' ')}`) : new Set([...contentStems(`${firstPerson(t.description)} ${t.say ?? ''}`), ...phraseTarget(t).cueStems]),
        askLower: lowerFirst(ask), raiseAs: raising(goal),
        // Terse speakers keep the question of a longer `say`.
        raiseTerse: raising(goal.split(/(?<=[.!?])\s+/).find((x) => x.endsWith('?')) ?? goal),
        notes: { asked: `${t.id} (${kind}, asked)`, pressed: `${t.id} (${kind}, asked more than once)`, later: `${t.id} (${kind})` },
      };
    }).sort((a, b) => Number(b.primary && b.reveal === 'upfront') - Number(a.primary && a.reveal === 'upfront'));
    c = {
      targets,
      memory: (scenario.memory ?? []).map((text) => ({ text: firstPerson(text), stems: contentStems(text) })),
      unknown: (scenario.unknown ?? []).map((text) => ({ text, stems: contentStems(text) })),
      primaryIds: targets.filter((t) => t.primary).map((t) => t.id),
      idsBreak: targets.some((t) => /[\n\r\t]/.test(t.id)),
    };
    compiled.set(scenario, c);
  }
  return c;
}
