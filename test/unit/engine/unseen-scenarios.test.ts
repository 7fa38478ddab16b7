// The agenda simulator on scenarios nobody tuned it for: every imported τ²-bench task (retail and
// mock) and scenarios drafted from four SOPs in new domains (standard and adversarial), each with
// a formal, a casual and a terse profile, against both built-in agents. No target is marked met by
// an echo; no canned line from another domain; no verbatim copy of a description; no hostile
// goodbye right after being helped; no agreement before the primary questions are answered unless
// a policy says so; the voice follows the profile; the rationale reads like a person wrote it.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario, Transcript, Turn } from '../../../core/generated/schema-types';
import { compileScenario, targetsMetBy } from '../../../core/dialogue/rules';
import type { Agent, AgentContext, ResolvedProfile } from '../../../core/dialogue/types';
import { runDialogue } from '../../../core/dialogue/index';
import { draftFromSop } from '../../../core/draft/index';
import { importTau2 } from '../../../core/import/tau2';
import { parseStateLine } from '../../../core/rationale/index';
import { AgendaSimulator } from '../../../core/simulate/index';
import { phraseTarget, toAgent } from '../../../core/simulate/target-phrasing';
import { firstPerson, stripStop } from '../../../core/util/text';
import { runAgenda } from './helpers';
import { REPO } from '../runs/fixtures';

const TAU2 = join(REPO, 'test', 'fixtures', 'tau2-bench');
const SOPS = join(REPO, 'test', 'fixtures', 'sops');

const FORMAL: ResolvedProfile = { id: 'formal-caller', name: 'Edith Brandt', demographics: { age: 71, occupation: 'retired librarian' }, expression: { verbosity: 'verbose', formality: 'formal', patience: 0.7, typical_phrases: ['If I may ask,', 'I would appreciate a clear answer.'], quirks: ['repeats_questions'] } };
const CASUAL: ResolvedProfile = { id: 'casual-caller', name: 'Jay Kim', expression: { verbosity: 'standard', formality: 'casual', patience: 0.5, typical_phrases: ['honestly', 'Okay, cool.'], quirks: ['fillers'] } };
const TERSE: ResolvedProfile = { id: 'terse-caller', name: 'Sam Ode', expression: { verbosity: 'terse', formality: 'neutral', patience: 0.4 } };

function unseen(): Scenario[] {
  const out: Scenario[] = [];
  for (const domain of ['retail', 'mock']) {
    const tasks = JSON.parse(readFileSync(join(TAU2, domain, 'tasks.json'), 'utf8'));
    const policy = readFileSync(join(TAU2, domain, 'policy.md'), 'utf8');
    for (const f of importTau2(tasks, { policy, domain }).files) if (f.value.kind === 'scenario') out.push(f.value as unknown as Scenario);
  }
  for (const file of ['pharmacy-refill.md', 'airline-rebooking.txt', 'dental-clinic.md', 'utility-billing.txt']) {
    const sop = readFileSync(join(SOPS, file), 'utf8');
    for (const split of ['standard', 'adversarial'] as const) out.push(draftFromSop({ sop, split }), draftFromSop({ sop, split }, 1));
  }
  return out;
}

const users = (t: Transcript): Turn[] => t.turns.filter((x) => x.speaker === 'user');
const STOP = /###(?:STOP|TRANSFER|OUT-OF-SCOPE)###/;

let cache: Promise<{ scenario: Scenario; runs: Transcript[] }[]> | undefined;
function allRuns() {
  cache ??= (async () => {
    const out: { scenario: Scenario; runs: Transcript[] }[] = [];
    for (const scenario of unseen()) {
      const runs: Transcript[] = [];
      for (const profile of [FORMAL, CASUAL, TERSE]) {
        for (const agent of ['scripted', 'adversarial']) for (let seed = 1; seed <= 2; seed++) runs.push(await runAgenda(scenario, profile, seed, agent));
      }
      out.push({ scenario, runs });
    }
    return out;
  })();
  return cache;
}

/** Words that carry another domain's content: a user may say them only when the scenario, the profile or the agent said them first. */
const DOMAIN_WORDS = ['refund', 'money', 'bill', 'contract', 'neighbours', 'family', 'grandchildren', 'advertised', 'membership', 'plan', 'store credit', 'sign', 'manager', 'phone', 'tariff', 'premium', 'deal'];

describe('engine: the agenda simulator on scenarios nobody tuned for (τ²-bench imports, drafted SOPs)', function () {
  this.timeout(240000);

  it('covers every imported τ²-bench task and every drafted SOP', async () => {
    const runs = await allRuns();
    assert.equal(runs.filter((r) => r.scenario.id.startsWith('tau2-retail-')).length, 20);
    assert.equal(runs.filter((r) => r.scenario.id.startsWith('tau2-mock-')).length, 10);
    assert.equal(runs.filter((r) => r.scenario.tags?.includes('drafted')).length, 16);
    for (const { scenario, runs: ts } of runs) for (const t of ts) assert.notEqual(t.end.reason, 'error', `${scenario.id}: ${t.error}`);
  });

  it('no target is marked met by an echo: restatements and promises to look never meet a target; every met turn carries an answer', async () => {
    let echoes = 0;
    for (const scenario of unseen()) {
      const c = compileScenario(scenario);
      for (const t of scenario.targets) {
        const d = stripStop(t.description);
        const agentWords = toAgent(firstPerson(d.charAt(0).toLowerCase() + d.slice(1)));
        const lines = [
          phraseTarget(t).agent[0],
          `I understand you want to ${agentWords}.`,
          `Let me check: ${agentWords}.`,
          `Sure, I'll walk you through ${agentWords} before agreeing to anything.`,
          `Would you like me to look into ${agentWords}?`,
          ...(t.say ? [`You said: "${t.say}" Let me look into it.`] : []),
        ];
        for (const line of lines) {
          echoes++;
          assert.ok(!targetsMetBy(c, line).has(t.id), `${scenario.id}: the echo "${line}" meets ${t.id}`);
        }
      }
    }
    assert.ok(echoes > 300, `${echoes} echoes`);
    // In the dialogues, a turn that meets a target says something the target did not: a figure, a day, a yes or no, something done.
    const ANSWER = /\d|\b(?:yes|no|not|free|waived|done|all set|arranged|confirmed|today|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday|can|will|won't|can't|have|has|is|are)\b/i;
    for (const { scenario, runs } of await allRuns()) {
      for (const t of runs) for (const turn of t.turns) for (const id of turn.targets_met ?? []) {
        assert.match(turn.text, ANSWER, `${scenario.id}: "${turn.text}" meets ${id}`);
      }
    }
  });

  it('says no canned line from another domain', async () => {
    for (const { scenario, runs } of await allRuns()) {
      const own = JSON.stringify(scenario).toLowerCase();
      for (const t of runs) {
        let heard = '';
        for (const turn of t.turns) {
          if (turn.speaker === 'agent') { heard += ` ${turn.text.toLowerCase()}`; continue; }
          for (const w of DOMAIN_WORDS) {
            const re = new RegExp(`\\b${w}s?\\b`, 'i');
            if (re.test(turn.text)) assert.ok(re.test(own) || re.test(heard), `${scenario.id} ${t.agent} seed ${t.seed}: "${w}" from nowhere in "${turn.text}"`);
          }
        }
      }
    }
  });

  it('never copies a description verbatim (eight words in a row that are not its own `say`)', async () => {
    for (const { scenario, runs } of await allRuns()) {
      const spans: string[] = [];
      for (const t of scenario.targets) {
        const ws = firstPerson(stripStop(t.description)).toLowerCase().replace(/[^a-z0-9' ]+/g, ' ').split(/\s+/).filter(Boolean);
        const say = (t.say ?? '').toLowerCase().replace(/[^a-z0-9' ]+/g, ' ').replace(/\s+/g, ' ');
        for (let i = 0; i + 8 <= ws.length; i++) {
          const span = ws.slice(i, i + 8).join(' ');
          if (!say.includes(span)) spans.push(span);
        }
      }
      for (const t of runs) for (const u of users(t)) {
        const text = u.text.toLowerCase().replace(/[^a-z0-9' ]+/g, ' ').replace(/\s+/g, ' ');
        for (const span of spans) assert.ok(!text.includes(span), `${scenario.id}: "${span}" copied into "${u.text}"`);
      }
    }
  });

  it('never ends with a hostile line right after being helped', async () => {
    const HOSTILE = /\b(?:had enough|waste of (?:my )?time|forget it|i'm done|hanging up|take my business elsewhere|not productive|this isn't going anywhere)\b/i;
    let checked = 0;
    for (const { scenario, runs } of await allRuns()) {
      for (const t of runs) {
        t.turns.forEach((turn, i) => {
          const prev = t.turns[i - 1];
          if (turn.speaker !== 'user' || !prev?.targets_met?.length || !STOP.test(turn.text)) return;
          checked++;
          assert.doesNotMatch(turn.text, HOSTILE, `${scenario.id} seed ${t.seed}: "${turn.text}" right after ${prev.targets_met.join(', ')} was met`);
        });
      }
    }
    assert.ok(checked > 20, `only ${checked} endings after help`);
  });

  it('never agrees before the primary questions are answered, unless a policy says so', async () => {
    const AGREE = /\b(?:that works for me|sounds good|let's do (?:it|that)|i accept|i can accept|i agree|go ahead|sign me up|that is acceptable|i am content)\b/i;
    for (const { scenario, runs } of await allRuns()) {
      const primary = scenario.targets.filter((t) => (t.priority ?? 'primary') === 'primary').map((t) => t.id);
      for (const t of runs) {
        const met = new Set<string>();
        for (const turn of t.turns) {
          for (const id of turn.targets_met ?? []) met.add(id);
          if (turn.speaker !== 'user' || !AGREE.test(turn.text)) continue;
          const byPolicy = (turn.policies ?? []).some((id) => scenario.decision_policy?.find((p) => p.id === id)?.action === 'accept');
          assert.ok(byPolicy || primary.every((id) => met.has(id)), `${scenario.id} seed ${t.seed}: "${turn.text}" before ${primary.filter((id) => !met.has(id)).join(', ')} answered`);
        }
      }
    }
  });

  it('speaks in the profile\'s voice: a formal speaker uses no slang and no one else\'s vocatives; every sentence starts with a capital', async () => {
    const SLANG = /\b(?:yeah|yep|nope|nah|gonna|wanna|kinda|dunno|hey|cool|awesome|dude|mate)\b/i;
    for (const { scenario, runs } of await allRuns()) {
      for (const t of runs.filter((x) => x.profile_id === FORMAL.id)) {
        for (const u of users(t)) {
          assert.doesNotMatch(u.text, SLANG, `${scenario.id}: ${u.text}`);
          assert.doesNotMatch(u.text.replace(STOP, ''), /(?:^|[.!?]\s+)[a-z]/, `${scenario.id}: ${u.text}`);
          assert.doesNotMatch(u.text, /\bi\b/, `${scenario.id}: ${u.text}`);
        }
      }
      for (const t of runs.filter((x) => x.profile_id === TERSE.id)) {
        for (const u of users(t)) assert.ok(u.text.split(/\s+/).length <= 45, `${scenario.id} (terse): ${u.text}`);
      }
    }
  });

  it('restyles another persona\'s `say` lines and challenges to the profile ("dear", lowercase "i", slang)', async () => {
    const scenario: Scenario = {
      kind: 'scenario', id: 'voice', profile: 'x', split: 'adversarial', adversarial: { tactics: ['false_urgency'], must_resist: true },
      targets: [
        { id: 'hotspot', description: 'Know how much hotspot data the plan allows', say: 'how much hotspot data do i get. yeah i tether a lot, dear.', reveal: 'upfront' },
        { id: 'total', description: 'Learn the total monthly price', say: 'Before anything else, dear, what would my bill come to each month, all in?', reveal: 'upfront' },
      ],
      termination: { max_turns: 4 },
    };
    const lines = ['This offer expires at midnight tonight, so I need a yes now.', 'Let me check that.', 'Let me check that again.'];
    const agent: Agent = { id: 'fixed', next: async (ctx: AgentContext) => ({ text: lines[ctx.agentTurns] ?? 'Anything else?' }) };
    for (const profile of [FORMAL, CASUAL]) {
      for (let seed = 1; seed <= 6; seed++) {
        const t = await runDialogue({ scenario, profile, seed, simulator: new AgendaSimulator(), agent });
        for (const u of users(t)) {
          assert.doesNotMatch(u.text, /\bdear\b/i, u.text);
          assert.doesNotMatch(u.text, /\bi\b/, u.text);
          if (profile === FORMAL) assert.doesNotMatch(u.text, /\byeah\b/i, u.text);
        }
      }
    }
  });

  it('writes a rationale a person could have written, with state claims the rewards read', async () => {
    for (const { scenario, runs } of await allRuns()) {
      for (const t of runs.slice(0, 4)) {
        for (const u of users(t)) {
          const r = u.rationale!.sections;
          const all = Object.values(r).join('\n');
          assert.doesNotMatch(all, /; none\b|with my usual|->/, `${scenario.id}: ${all}`);
          assert.match(r.state!, /^trust \d\.\d\d → \d\.\d\d/);
          const claimed = parseStateLine(r.state!);
          for (const k of ['trust', 'emotion', 'patience', 'engagement'] as const) assert.ok(Math.abs((claimed[k] ?? -1) - u.state![k]) < 0.006, `${k}: ${r.state}`);
          assert.match(r.plan!, /^(end|refuse|reveal|answer|ask|bargain|accept|escalate)\b/);
        }
      }
    }
  });

  it('ends with ###TRANSFER### when handed to a human, and ###OUT-OF-SCOPE### when the agent cannot help', async () => {
    const [retail] = unseen();
    for (const [line, token, reason] of [
      ['YOU ARE BEING TRANSFERRED TO A HUMAN AGENT. PLEASE HOLD ON.', '###TRANSFER###', 'transfer'],
      ["I'm sorry, that is outside the scope of what I can do here.", '###OUT-OF-SCOPE###', 'out_of_scope'],
    ] as const) {
      const agent: Agent = { id: 'fixed', next: async (ctx: AgentContext) => ({ text: ctx.agentTurns === 1 ? line : 'Could you tell me your name?' }) };
      const t = await runDialogue({ scenario: retail, profile: CASUAL, seed: 1, simulator: new AgendaSimulator(), agent });
      const last = t.turns[t.turns.length - 1];
      assert.equal(last.speaker, 'user');
      assert.ok(last.text.endsWith(token), last.text);
      assert.equal(t.end.reason, reason);
      assert.ok(t.end.detail?.includes(token), t.end.detail);
    }
  });
});
