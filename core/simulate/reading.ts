// How the agenda user reads the agent's turn: its questions (about me or not), an identity check,
// the first amount, a hand-over to a human, a "that's outside what I can do"; and which of my facts
// answer a question (never an `unknown` one).
import { contentStems, overlap } from '../util/text';
import type { CompiledAgenda, Fact } from './agenda-model';

export interface AgentReading {
  questions: string;
  questionStems: Set<string>;
  aboutMe: boolean;
  tellMe: boolean;
  amount: string;
  /** The agent says it is handing me over to a human (τ²-bench's transfer). */
  transfer: boolean;
  /** The agent says my request is outside what it can do. */
  outOfScope: boolean;
  /** An information request ("what", "could you tell me ..."). */
  infoRequest: boolean;
  /** "Am I speaking with ...?" */
  identityCheck: boolean;
}

const POLITE_REQUEST = /\b(?:(?:could|can|would) you (?:tell|confirm|give|share|describe|walk)|please (?:confirm|provide|state|tell)|tell me (?:a (?:little|bit) )?about)\b/i;
const ABOUT_ME = /\b(?:you|your|yourself)\b/i;
const INFO_REQUEST = /\b(what|which|when|where|how (much|many|long|old)|could you (confirm|tell|give|provide)|can you (confirm|tell|give|provide)|do you (know|remember)|may i (have|ask)|please (confirm|provide|state))\b/i;
const TELL_ME = /\b(tell me (a (little|bit) )?about|describe|walk me through|anything about yourself)\b/i;
const IDENTITY = /\b(am i speaking (with|to)|is this|are you|speaking with|talking (to|with))\b/i;
const TRANSFER = /\b(?:(?:being|be|get you|i'?ll|i will|let me|i'?m going to|going to) (?:transferr?(?:ed|ing)?|transfer|connect(?:ed|ing)?|put(?:ting)? (?:you )?through)(?: you)? (?:to|with) (?:a |an |the )?(?:human|live|real|person|specialist|supervisor|manager|colleague|representative|agent))\b|\btransferred to a human agent\b/i;
const OUT_OF_SCOPE = /\b(?:outside (?:of )?(?:my|our|the) (?:scope|remit)|(?:can(?:no|')t|cannot|am not able to|unable to|not able to) help (?:you )?with (?:that|this)|not something (?:i|we) (?:can|are able to) (?:do|help with|handle))\b/i;
const AMOUNT = /[$€£]\s?\d[\d,]*(?:\.\d+)?/;

/** The question sentences of a text: those ending in `?`, and requests like "Could you tell me ...". */
function questionsOf(text: string): string {
  if (!text.includes('?') && !POLITE_REQUEST.test(text)) return '';
  return text.split(/(?<=[.!?])\s+/).filter((s) => s.endsWith('?') || POLITE_REQUEST.test(s)).join(' ');
}

const readings = new Map<string, AgentReading>();
/** What the user hears in an agent turn. Cached (agent lines recur across dialogues). */
export function readAgent(text: string): AgentReading {
  let r = readings.get(text);
  if (!r) {
    const questions = questionsOf(text);
    const aboutMe = !!questions && ABOUT_ME.test(questions);
    r = {
      questions, questionStems: contentStems(questions), aboutMe, tellMe: aboutMe && TELL_ME.test(questions), amount: AMOUNT.exec(text)?.[0] ?? '',
      transfer: TRANSFER.test(text), outOfScope: OUT_OF_SCOPE.test(text), infoRequest: INFO_REQUEST.test(questions), identityCheck: !!questions && IDENTITY.test(questions),
    };
    if (readings.size >= 2000) readings.clear();
    readings.set(text, r);
  }
  return r;
}

/**
 * The facts that answer the agent's question (indexes into `facts`): scenario memory always, the
 * profile's own facts when the question is about me; 'unknown' when it is about an `unknown` item;
 * undefined when nothing I know answers it. "Tell me about yourself" gets my occupation (or
 * background) even without shared words, plus the best match.
 */
export function factsAnswering(r: AgentReading, sc: CompiledAgenda, facts: readonly Fact[]): number[] | 'unknown' | undefined {
  const q = r.questionStems;
  let best = -1;
  let bestScore = 0;
  const n = r.aboutMe ? facts.length : sc.memory.length;
  for (let i = 0; i < n; i++) {
    const s = overlap(facts[i].stems, q);
    if (s > bestScore) { best = i; bestScore = s; }
  }
  let unknownScore = 0;
  for (const f of sc.unknown) unknownScore = Math.max(unknownScore, overlap(f.stems, q));
  // A tie goes to `unknown` (never guess), except for questions about me, which my own facts answer.
  // An open "tell me about yourself" is about an unknown item only when it shares two words with it.
  if (unknownScore > 0 && (unknownScore > bestScore || (unknownScore === bestScore && !r.aboutMe)) && (!r.tellMe || unknownScore >= 2)) return 'unknown';
  if (!r.tellMe) return best >= 0 ? [best] : undefined;
  const selfStart = sc.memory.length;
  const lead = facts.length > selfStart ? selfStart : -1; // the occupation, or the first background sentence
  let second = best === lead ? -1 : best;
  if (second < 0) {
    let score = 0;
    facts.forEach((f, i) => {
      const s2 = overlap(f.stems, q);
      if (i !== lead && s2 > score) { second = i; score = s2; }
    });
  }
  const out = [lead, second].filter((i, k, a) => i >= 0 && a.indexOf(i) === k);
  return out.length ? out : undefined;
}

/** A sentence reduced for comparing: lowercase letters, digits and spaces. */
export function norm(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9$ ]+/g, '').replace(/\s+/g, ' ').trim();
}

const sentenceCache = new Map<string, string[]>();
/** The sentences of a text worth comparing for repeats (three words or more), normalized. Cached: treat as read-only. */
export function sentencesOf(text: string): string[] {
  let out = sentenceCache.get(text);
  if (!out) {
    out = text.split(/(?<=[.!?])\s+/).map(norm).filter((x) => x.split(' ').length >= 3);
    if (sentenceCache.size >= 5000) sentenceCache.clear();
    sentenceCache.set(text, out);
  }
  return out;
}
