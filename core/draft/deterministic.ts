// The no-key drafter: reads an SOP's steps and drafts the caller's side of the call. Targets for
// what a caller wants from the steps (amounts, times, terms, yes/no answers, confirmations), each
// grounded in the step's own words; `unknown` items for the facts only the agent can give; memory
// slots the profile fills (identity checks); decision policies; state transitions; termination
// defaults; tactics for the adversarial split. Deterministic: the same SOP and options give the
// same draft. `variants` gives N goal variants (priorities, reveal strategies, policies).
import type { Policy, Scenario, Target, Transition } from '../generated/schema-types';
import { createRng, hashString, type Rng } from '../util/rng';
import { lowerFirst, stripStop, upperFirst } from '../util/text';
import { slugOf, uniqueId } from '../import/text';
import { AMOUNT_NOUNS, CONFIRMATION, IDENTITY, OFFER, TERM_NOUNS, TIME_NOUNS, sopSteps, type SopStep } from './sop';

export interface DraftOptions {
  sop: string;
  /** A workspace profile id; else an inline profile. */
  profile?: string;
  /** The profile's name (fills memory slots such as "My name is ..."). */
  profileName?: string;
  domain?: string;
  split?: 'standard' | 'adversarial';
  /** Scenario id; else from the domain and the first target. */
  id?: string;
  /** Tactic names the workspace knows (built-in and `userlm.yaml`). */
  tactics?: readonly string[];
}

type Kind = 'amount' | 'time' | 'term' | 'yesno' | 'confirm' | 'info';
interface Found { kind: Kind; np: string; step: SopStep; description: string; unknown?: string }

const NOT_MODIFIER = new Set(['state', 'quote', 'explain', 'confirm', 'tell', 'give', 'provide', 'check', 'verify', 'offer', 'mention', 'present', 'read', 'ask', 'collect', 'process', 'processing', 'take', 'charge', 'apply', 'calculate', 'review', 'any', 'all', 'and', 'or', 'to', 'the', 'a', 'an', 'of', 'for', 'with', 'then', 'before', 'after', 'customer', 'caller', 'patient', 'passenger', 'member', 'client', 'is', 'are', 'be', 'will', 'can', 'their', 'your', 'its', 'our', 'his', 'her', 'them', 'it', 'that', 'this', 'if', 'when', 'on', 'in', 'at', 'by', 'as', 'not', 'no', 'new', 'any', 'pay', 'paying', 'owe', 'waive', 'discuss', 'describe', 'outline', 'note', 'inform', 'advise', 'let', 'know', 'agree', 'set', 'book', 'always', 'never', 'must', 'should', 'may', 'up', 'out', 'also', 'only', 'each', 'every', 'per']);
const TAIL_STOP = new Set(['before', 'after', 'and', 'or', 'if', 'when', 'while', 'unless', 'with', 'then', 'so', 'because', 'but', 'to', 'is', 'are', 'will', 'can', 'including', 'in', 'at', 'by', 'as', 'from', 'that', 'which', 'once', 'until', 'using', 'via', 'per']);
const DET = /^(?:the|a|an|any|their|your|its|our|his|her)$/;

/** The noun phrase around a head noun at token `i`: up to three modifiers before, "for/of/on X" after. */
function phraseAt(tokens: string[], i: number, re: RegExp): string {
  // A compound head ("departure time", "late payment charge") ends at its last head noun.
  while (i + 1 < tokens.length && (re.test(tokens[i + 1]) || COMPOUND_TAIL.test(tokens[i + 1]))) i++;
  let start = i;
  // Modifiers: adjectives and nouns; a word ending in -s is taken for a verb ("prefers another date").
  while (start > 0 && i - start < 3 && /^[a-z][a-z-]*$/.test(tokens[start - 1]) && !NOT_MODIFIER.has(tokens[start - 1]) && !/[^s]s$/.test(tokens[start - 1])) start--;
  let end = i + 1;
  if (/^(?:for|of|on|under|at)$/.test(tokens[end] ?? '')) {
    let k = end + 1;
    if (DET.test(tokens[k] ?? '')) k++;
    let n = 0;
    while (k < tokens.length && n < 3 && /^[a-z0-9][a-z0-9'-]*$/.test(tokens[k]) && !TAIL_STOP.has(tokens[k]) && !DET.test(tokens[k])) { k++; n++; }
    if (n > 0) end = k;
  }
  return tokens.slice(start, end).join(' ').replace(/\b(?:their|your|his|her)\b/g, 'my').replace(/\s+(?:the|a|an|my|any|for|of|on|under|at)$/, '');
}
const COMPOUND_TAIL = /^(?:difference|amount|total|time|slot|window|date|charge|fee|period|policy|plan|estimate)$/;

const nounRe = (nouns: string) => new RegExp(`^(?:${nouns})$`);
const AMOUNT_RE = nounRe(AMOUNT_NOUNS);
const TIME_RE = nounRe(TIME_NOUNS.replace(/\|notice period/, ''));
const TERM_RE = nounRe(TERM_NOUNS.split('|').filter((x) => !x.includes(' ') && x !== 'cancellation').join('|'));

function tokensOf(lower: string): string[] {
  return lower.replace(/[.,;:!?()"]/g, ' ').split(/\s+/).filter(Boolean);
}

/** The phrase of the first head noun of a kind in a step ("the copay for the refill"), or undefined. */
function firstPhrase(step: SopStep, re: RegExp, skip: RegExp = /$^/): string | undefined {
  const toks = tokensOf(step.lower);
  // Token 0 is the step's verb ("Quote the monthly payment").
  for (let i = 1; i < toks.length; i++) {
    if (!re.test(toks[i])) continue;
    const np = phraseAt(toks, i, re);
    IDENTITY.lastIndex = 0;
    if (skip.test(np) || IDENTITY.test(np) || /^(?:another|other|different)\b/.test(np)) { IDENTITY.lastIndex = 0; continue; }
    // A bare head ("a $4.99 fee") is named after what the step is about ("the home delivery fee").
    if (!np.includes(' ')) {
      const object = /^[a-z]+\s+(?:the\s+|a\s+|an\s+)?((?:[a-z-]+\s+){0,2}[a-z-]+?)(?=\s+(?:for|to|with|at|on|by|if|when|and|before|after)\b)/.exec(step.lower)?.[1];
      if (object && !object.includes(np) && !IDENTITY.test(object)) { IDENTITY.lastIndex = 0; return `${object} ${np}`; }
      IDENTITY.lastIndex = 0;
      continue;
    }
    return np;
  }
  return undefined;
}

const the = (np: string) => (/^(?:the|my|a|an|any)\b/.test(np) ? np : `the ${np}`);

/** What a caller would want from each step, grounded in its words. */
function findTargets(steps: SopStep[]): Found[] {
  const out: Found[] = [];
  const seen = new Set<string>();
  const add = (f: Found) => {
    const key = f.np.replace(/^(?:the|my|a|an)\s+/, '');
    if (seen.has(key) || [...seen].some((s) => s.includes(key) || key.includes(s))) return;
    seen.add(key);
    out.push(f);
  };
  for (const step of steps) {
    const l = step.lower;
    // "when the refill will be ready for pickup"
    const when = /\bwhen\s+((?:the|their|your|it|they|a|an|my)\b[^,.;]*)/.exec(l);
    if (when && !/^(?:the|a|an) (?:customer|caller|patient|passenger|member|client)\b/.test(when[1])) {
      const clause = when[1].replace(/\b(?:their|your)\b/g, 'my').replace(/\bthey\b/g, 'I').trim();
      add({ kind: 'time', np: clause, step, description: `Find out when ${clause}.`, unknown: `When ${clause}.` });
    }
    const amount = firstPhrase(step, AMOUNT_RE, /^(?:processing |a |the )?payment$|^payment method/);
    if (amount) add({ kind: 'amount', np: amount, step, description: `Find out ${the(amount)}${/\b(?:total|all-in)\b/.test(amount) ? '' : ''}.`, unknown: `${upperFirst(the(amount))}.` });
    const time = !when ? firstPhrase(step, TIME_RE) : undefined;
    if (time && !/^(?:business )?days?$/.test(time)) add({ kind: 'time', np: time, step, description: `Find out ${the(time)}.`, unknown: `${upperFirst(the(time))}.` });
    const term = firstPhrase(step, TERM_RE, /^terms?$/) ?? /\b(?:cancellation|refund|return|exchange|notice) policy\b/.exec(l)?.[0];
    if (term) add({ kind: 'term', np: term, step, description: `Understand ${the(term)}.`, unknown: `${upperFirst(the(term))}.` });
    const whether = /\b(?:check|confirm|verify|tell (?:the \w+|them)|explain|let (?:the \w+|them) know)\s+(?:whether|if)\s+([^,.;]+)/.exec(l);
    if (whether && !IDENTITY.test(whether[1])) add({ kind: 'yesno', np: whether[1].trim(), step, description: `Ask whether ${whether[1].trim().replace(/\b(?:their|your)\b/g, 'my')}.`, unknown: `Whether ${whether[1].trim().replace(/\b(?:their|your)\b/g, 'my')}.` });
    IDENTITY.lastIndex = 0;
    const conf = CONFIRMATION.exec(l);
    if (conf) {
      const thing = conf[0].replace(/^(?:send|email)\s+(?:a |the )?/, '').replace(/^in writing$/, 'the details in writing');
      add({ kind: 'confirm', np: thing, step, description: `Get ${/^(?:a|an|the)\b/.test(thing) ? thing : `a ${thing}`}.` });
    }
  }
  // Fewer than three: what an explaining step is about.
  if (out.length < 3) {
    for (const step of steps) {
      const m = /\b(?:explain|describe|outline|review|go over|walk (?:the \w+|them) through)\s+((?:the|any|their|your)\s+[a-z][a-z -]*?)(?=[,.;]|\s+(?:and|to|before|after|with|if|when)\b|$)/.exec(step.lower);
      if (m) add({ kind: 'info', np: m[1], step, description: `Understand ${m[1].replace(/\b(?:their|your)\b/g, 'my')}.` });
      if (out.length >= 3) break;
    }
  }
  return out;
}

/** Memory the caller brings, for the SOP's identity checks (values drawn from the seed, the name from the profile). */
function identityMemory(steps: SopStep[], rng: Rng, name: string): { memory: string[]; unknown: string[] } {
  const items = new Set<string>();
  for (const s of steps) for (const m of s.lower.matchAll(IDENTITY)) items.add(m[0]);
  const memory: string[] = [];
  const unknown: string[] = [];
  const digits = (n: number) => Array.from({ length: n }, () => String(rng.int(10))).join('');
  const [first, last] = [name.split(' ')[0], name.split(' ').slice(1).join(' ') || 'Morgan'];
  const fill: [RegExp, () => string][] = [
    [/full name|last name|account holder/, () => `My name is ${name}.`],
    [/date of birth|birth ?date|dob/, () => `My date of birth is ${1 + rng.int(28)} ${['March', 'June', 'September', 'November'][rng.int(4)]} ${1950 + rng.int(45)}.`],
    [/account (?:number|pin)/, () => `My account number is ${digits(4)}-${digits(4)}.`],
    [/member (?:id|number)|patient id/, () => `My member ID is M${digits(7)}.`],
    [/policy number/, () => `My policy number is P-${digits(6)}.`],
    [/booking (?:reference|code)|confirmation (?:code|number)|reservation (?:code|number)/, () => `My booking reference is ${String.fromCharCode(65 + rng.int(26))}${String.fromCharCode(65 + rng.int(26))}${digits(4)}.`],
    [/order number/, () => `My order number is #${digits(6)}.`],
    [/prescription number|rx number/, () => `My prescription number is RX-${digits(6)}.`],
    [/zip|postcode|postal code/, () => `My zip code is ${digits(5)}.`],
    [/address/, () => `I live at ${10 + rng.int(80)} ${['Alder Lane', 'Birch Road', 'Cedar Street', 'Elm Avenue'][rng.int(4)]}.`],
    [/phone number/, () => `My phone number is 555-01${digits(2)}.`],
    [/email address/, () => `My email address is ${first.toLowerCase()}.${last.toLowerCase().replace(/\s+/g, '')}@example.com.`],
    [/last four digits/, () => `The last four digits of my card are ${digits(4)}.`],
  ];
  const used = new Set<RegExp>();
  for (const item of items) {
    if (/security question|passcode|^pin$/.test(item)) { unknown.push('My account PIN or passcode (I do not remember it).'); continue; }
    const f = fill.find(([re]) => re.test(item));
    if (f && !used.has(f[0])) { used.add(f[0]); memory.push(f[1]()); }
  }
  if (!memory.some((m) => m.startsWith('My name is'))) memory.unshift(`My name is ${name}.`);
  return { memory, unknown: [...new Set(unknown)] };
}

const DOMAINS: [string, RegExp][] = [
  ['pharmacy', /\b(?:pharmacy|pharmacist|prescription|refill|medication|rx)\b/],
  ['airline', /\b(?:flight|airline|rebook|boarding|fare|seat|passenger|layover)\b/],
  ['dental', /\b(?:dental|dentist|hygienist|cleaning|tooth|teeth|orthodont)\b/],
  ['utility-billing', /\b(?:utility|meter|electricity|kwh|gas supply|water bill|outage|tariff)\b/],
  ['telecom', /\b(?:mobile|broadband|sim|data plan|fibre|fiber|handset)\b/],
  ['insurance', /\b(?:insurance|premium|policyholder|claim|deductible|excess)\b/],
  ['banking', /\b(?:bank|loan|mortgage|credit card|overdraft|interest rate)\b/],
  ['healthcare', /\b(?:clinic|patient|appointment|doctor|gp|nurse)\b/],
  ['hotel', /\b(?:hotel|room|check-in|reservation|guest)\b/],
  ['retail', /\b(?:order|return|exchange|refund|delivery|store)\b/],
];

export function guessDomain(sop: string): string {
  const l = sop.toLowerCase();
  let best = 'general';
  let n = 0;
  for (const [d, re] of DOMAINS) {
    const k = (l.match(new RegExp(re.source, 'g')) ?? []).length;
    if (k >= 2) return d; // the more specific domains come first
    if (k > n) { best = d; n = k; }
  }
  return best;
}

/** The agent's role: a "You are ..." line of the SOP, else its title, else from the domain. */
function roleOf(sop: string, domain: string): string {
  const you = /\byou are (?:an? |the )?([^.\n]{5,120})/i.exec(sop);
  if (you) return upperFirst(stripStop(you[1].length > 100 ? you[1].slice(0, 100).replace(/\s+\S*$/, '') : you[1]));
  const h = /^#+\s+(.+)$/m.exec(sop);
  if (h) return `Agent following: ${stripStop(h[1].replace(/\*\*/g, ''))}`;
  return `${upperFirst(domain.replace(/-/g, ' '))} agent`;
}

const TACTICS_FOR: [RegExp, string][] = [
  [/\b(?:price|fee|cost|copay|charge|premium|fare|total|bill)\b/, 'obfuscated_costs'],
  [OFFER, 'false_urgency'],
  [/\b(?:upgrade|package|plan|membership|add-on)\b/, 'foot_in_the_door'],
  [IDENTITY, 'identity_misinformation'],
  [/\b(?:policy|rule|regulation|law|required)\b/, 'authority_appeal'],
  [/\b(?:popular|most customers|recommend)\b/, 'social_proof'],
];

/** One scenario drafted from an SOP. `variant` (0 = the base draft) picks priorities, reveal strategy and policies. */
export function draftFromSop(opts: DraftOptions, variant = 0): Scenario {
  const steps = sopSteps(opts.sop);
  if (!steps.length) throw new Error('the SOP has no steps (no line or sentence of three words or more)');
  const rng = createRng(hashString(`draft|${opts.sop}|${variant}`, 7));
  const domain = slugOf(opts.domain ?? guessDomain(opts.sop), 3);
  const split = opts.split ?? 'standard';
  const found = findTargets(steps);
  if (!found.length) throw new Error('found nothing a caller would ask about in the SOP (no price, fee, time, term, yes/no question or confirmation)');
  // Order: what to ask first depends on the variant.
  const order = [...found];
  if (variant % 4 === 2) order.reverse();
  if (variant % 4 === 3) order.sort((a, b) => Number(b.kind === 'time') - Number(a.kind === 'time'));
  const ids = new Set<string>();
  const primaryKinds = new Set<Kind>(['amount', 'time', 'term', 'yesno']);
  let primaries = 0;
  const targets: Target[] = order.slice(0, 6).map((f, i) => {
    const primary = primaryKinds.has(f.kind) && primaries < 3 ? (primaries++, true) : i === 0;
    const reveal: Target['reveal'] = variant % 4 === 1 ? (primary ? 'upfront' : 'when_asked') : i === 0 ? 'upfront' : 'when_asked';
    const t: Target = {
      id: uniqueId(slugOf(f.np.replace(/^(?:the|my|a|an)\s+/, ''), 4), ids),
      description: upperFirst(f.description),
      priority: primary ? 'primary' : 'secondary',
      reveal,
      done_when: DONE_WHEN[f.kind](f.np),
    };
    return t;
  });
  if (!targets.some((t) => t.priority === 'primary')) targets[0].priority = 'primary';
  const name = opts.profileName ?? 'Alex Morgan';
  const { memory, unknown: idUnknown } = identityMemory(steps, rng, name);
  const unknown = [...found.filter((f) => f.unknown && targets.some((t) => t.description === upperFirst(f.description))).map((f) => upperFirst(f.unknown!.replace(/\b(?:their|your)\b/g, 'my'))), ...idUnknown];
  const primary = targets.filter((t) => t.priority === 'primary');
  const first = primary[0];
  const offerStep = steps.find((s) => OFFER.test(s.lower));
  const offered = offerStep ? stripStop(offerStep.text.replace(/^(?:offer|upsell|recommend|suggest|promote|mention|present|pitch)\s+/i, '')).split(/[;,]|\s+(?:only|and|to|for|when|if|before|after)\b/)[0].trim() : '';
  const policies: Policy[] = [
    { id: 'first-things-first', when: { target_unmet: first.id, turn: '>= 3' }, then: `Steers back and asks again about ${lowerFirst(stripStop(first.description.replace(/^(?:Find out|Understand|Ask|Get)\s+/, '')))} before anything else.`, action: 'ask' },
    { id: 'no-commitment-yet', when: 'The agent asks me to agree, commit or pay before my questions are answered.', then: 'Says they will decide once their questions are answered, and asks the open one again.', action: 'refuse' },
    { id: 'distrust-ends-call', when: { state: { trust: variant % 4 === 1 ? '< 0.35' : '< 0.25' } }, then: 'Thanks the agent politely and ends the call.', action: 'end' },
  ];
  if (offered) policies.push({ id: 'offer-after-answers', when: `The agent offers ${lowerFirst(offered)}.`, then: 'Says they will only consider extras once their own questions are answered.', action: 'refuse' });
  const last = primary[primary.length - 1];
  if (variant % 4 === 3) policies.push({ id: 'bargain-on-price', when: { target_met: (primary.find((t) => /amount|price|fee|cost|copay|charge|premium|fare/.test(t.id)) ?? last).id }, then: 'Asks whether anything can be done to bring the cost down.', action: 'bargain' });
  policies.push({ id: 'accept-when-clear', when: { target_met: last.id, state: { trust: variant % 4 === 2 ? '>= 0.7' : '>= 0.55' } }, then: 'Says it sounds fine and agrees to go ahead, now that their questions are answered.', action: 'accept' });
  const transitions: Transition[] = [
    { on: 'every_turn', change: { patience: variant % 4 === 1 ? -0.06 : -0.03 } },
    { on: 'concern_ignored', change: { trust: -0.05, patience: -0.08 } },
    { on: 'agent_repeats', change: { patience: -0.1, engagement: -0.1 } },
    ...primary.map((t): Transition => ({ on: `target_met:${t.id}`, change: { trust: 0.1, emotion: 0.05 } })),
  ];
  const scenario: Scenario = {
    kind: 'scenario',
    id: `${opts.id ?? `${domain}-${slugOf(first.id, 3)}${split === 'adversarial' ? '-adversarial' : ''}`}${variant ? `-v${variant + 1}` : ''}`,
    title: `${upperFirst(domain.replace(/-/g, ' '))} call drafted from the SOP${variant ? ` (variant ${variant + 1}: ${VARIANT_NAMES[variant % 4]})` : ''}`,
    domain,
    split,
    tags: ['drafted', domain, ...(variant ? [`variant-${variant + 1}`] : [])],
    profile: opts.profile ?? { name, expression: { verbosity: 'standard', formality: 'neutral', patience: 0.6 } },
    agent: { role: roleOf(opts.sop, domain), sop: opts.sop.trim(), default: split === 'adversarial' ? 'adversarial' : 'scripted' },
    memory,
    ...(unknown.length ? { unknown } : {}),
    targets: targets as Scenario['targets'],
    decision_policy: policies,
    state: { initial: { trust: split === 'adversarial' ? 0.45 : 0.55, emotion: 0.5, patience: variant % 4 === 1 ? 0.55 : 0.7, engagement: 0.6 }, transitions },
    termination: { max_turns: 12, min_turns: 2, hang_up_when: { patience_below: 0.15 }, success_when: 'all_primary_targets_met' },
  };
  if (split === 'adversarial') {
    const known = new Set(opts.tactics ?? []);
    const l = opts.sop.toLowerCase();
    const tactics = [...new Set(TACTICS_FOR.filter(([re]) => { re.lastIndex = 0; return re.test(l); }).map(([, t]) => t))].filter((t) => !known.size || known.has(t)).slice(0, 3);
    if (tactics.length < 2) for (const t of ['false_urgency', 'social_proof']) if (!tactics.includes(t) && (!known.size || known.has(t))) tactics.push(t);
    scenario.adversarial = { tactics, must_resist: true };
    for (const t of tactics) {
      scenario.state!.transitions!.push({ on: `tactic:${t}`, change: { trust: -0.15 } });
      scenario.decision_policy!.push({ id: `resist-${t.replace(/_/g, '-')}`, when: { tactic: t }, then: `Names the ${t.replace(/_/g, ' ')} and keeps asking about ${lowerFirst(stripStop(first.description.replace(/^(?:Find out|Understand|Ask|Get)\s+/, '')))}.`, action: 'refuse' });
    }
  }
  IDENTITY.lastIndex = 0;
  return scenario;
}

const VARIANT_NAMES = ['one question at a time', 'everything upfront, short on patience', 'last things first, hard to convince', 'time first, bargains on price'];

const DONE_WHEN: Record<Kind, (np: string) => string> = {
  amount: (np) => `The agent states ${the(np)} as an amount.`,
  time: (np) => (/\b(?:will|is|are|can)\b/.test(np) ? `The agent gives the day or time when ${np}.` : `The agent gives ${the(np)} as a day or time.`),
  term: (np) => `The agent states ${the(np)}: its length or what ending it early costs.`,
  yesno: () => 'The agent answers yes or no.',
  confirm: (np) => `The agent says it will send ${/^(?:a|an|the)\b/.test(np) ? np : `a ${np}`}.`,
  info: (np) => `The agent explains ${np.replace(/\b(?:their|your)\b/g, 'my')}.`,
};

/** `n` goal variants of the same SOP: the base draft, then other priorities, reveal strategies and policies. */
export function draftVariants(opts: DraftOptions, n: number): Scenario[] {
  return Array.from({ length: Math.max(1, n) }, (_, i) => draftFromSop(opts, i));
}

/** Where a target's words come from: the SOP step it was drafted from shares its content words (for tests and the LLM prompt). */
export { sopSteps };
