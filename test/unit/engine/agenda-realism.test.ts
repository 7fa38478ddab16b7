// The agenda simulator reads like a person: no description pasted into a template, questions about
// the user answered from the profile, no sentence said twice, phrases that fit the move, and
// adversarial samples that resist for several turns before hanging up.
import { strict as assert } from 'node:assert';
import type { Scenario, Transcript, Turn } from '../../../core/generated/schema-types';
import { runDialogue } from '../../../core/dialogue/index';
import type { Agent, AgentContext, ResolvedProfile } from '../../../core/dialogue/types';
import { AgendaSimulator } from '../../../core/simulate/index';
import { sentencesOf } from '../../../core/simulate/agenda';
import { firstPerson, stripStop } from '../../../core/util/text';
import { runAgenda, sampleScenarios } from './helpers';

const users = (t: Transcript): Turn[] => t.turns.filter((x) => x.speaker === 'user');
const DONT_KNOW = /\b(don'?t know|do not know|no idea|not a clue|dunno|not sure|couldn'?t tell|could not say|not certain|don'?t have that|do not have that)\b/i;
const GERUND_OF_GOAL = /\b(?:regarding|about|on|to|and|for) (?:knowing|learning|getting|having|understanding|receiving|being|keeping|making)\b/i;

let cache: Promise<{ scenario: Scenario; profile: ResolvedProfile; runs: Transcript[] }[]> | undefined;
/** Every sample x seeds 1..20 x both built-in agents, run once for all the checks below. */
function allRuns() {
  cache ??= (async () => {
    const out: { scenario: Scenario; profile: ResolvedProfile; runs: Transcript[] }[] = [];
    for (const { scenario, profile, ws } of await sampleScenarios()) {
      const runs: Transcript[] = [];
      for (const agent of ['scripted', 'adversarial']) {
        for (let seed = 1; seed <= 20; seed++) runs.push(await runAgenda(scenario, profile, seed, agent, { config: ws.config?.value }));
      }
      out.push({ scenario, profile, runs });
    }
    return out;
  })();
  return cache;
}

/** An agent that says fixed lines, then a neutral one. */
function fixedAgent(lines: string[]): Agent {
  return { id: 'fixed', next: async (ctx: AgentContext) => ({ text: lines[ctx.agentTurns - (ctx.scenario.agent?.opening ? 1 : 0)] ?? 'Let me check that for you.' }) };
}

describe('engine: agenda simulator reads like a person', function () {
  this.timeout(120000);

  it('never pastes a target description into a reply, whole or as a gerund ("regarding learning the total ...")', async () => {
    for (const { scenario, runs } of await allRuns()) {
      const pasted = scenario.targets.flatMap((t) => {
        const d = stripStop(t.description).toLowerCase();
        const tail = firstPerson(d).split(/\s+/).slice(1, 6).join(' '); // the description without its verb, first five words
        // Words the target's own `say` shares with its description are the user's own words.
        return [d, firstPerson(d), ...(tail.split(' ').length >= 5 ? [tail] : [])].filter((p) => !(t.say ?? '').toLowerCase().includes(p));
      });
      for (const t of runs) {
        for (const u of users(t)) {
          const text = u.text.toLowerCase();
          for (const p of pasted) assert.ok(!text.includes(p), `${scenario.id} seed ${t.seed}: "${p}" pasted into "${u.text}"`);
          assert.doesNotMatch(u.text, GERUND_OF_GOAL, `${scenario.id} seed ${t.seed}: ${u.text}`);
        }
      }
    }
  });

  it('never repeats a sentence of its own earlier turns (typical phrases aside)', async () => {
    let turns = 0;
    for (const { scenario, profile, runs } of await allRuns()) {
      const phrases = new Set((profile.expression?.typical_phrases ?? []).flatMap((p) => sentencesOf(p)));
      for (const t of runs) {
        const said = new Set<string>();
        for (const u of users(t)) {
          const mine = sentencesOf(u.text.replace(/###STOP###/g, '')).filter((x) => ![...phrases].some((p) => x.includes(p)));
          for (const x of mine) assert.ok(!said.has(x), `${scenario.id} seed ${t.seed}: "${x}" said again in turn ${u.index}: ${u.text}`);
          for (const x of mine) said.add(x);
          turns++;
        }
      }
    }
    assert.ok(turns > 1000, `only ${turns} user turns checked`);
  });

  it('answers questions about the user from the profile, never "I don\'t know", then pursues its own target', async () => {
    const samples = await sampleScenarios();
    const aisha = samples.find((x) => x.scenario.id === 'recruiting-screening-call')!;
    for (let seed = 1; seed <= 10; seed++) {
      const t = await runDialogue({ scenario: aisha.scenario, profile: aisha.profile, seed, simulator: new AgendaSimulator(), agent: fixedAgent(['Great! Could you tell me a little about your design experience?']) });
      const reply = users(t)[1];
      assert.doesNotMatch(reply.text, DONT_KNOW, `seed ${seed}: ${reply.text}`);
      assert.match(reply.text, /designer|agency|design/i, `seed ${seed}: ${reply.text}`);
      assert.match(reply.rationale!.sections.plan!, /answer/);
    }
    // Every sample profile with an occupation answers "what do you do?" with it.
    let checked = 0;
    for (const { scenario, profile } of samples) {
      const occ = profile.demographics?.occupation;
      if (!occ) continue;
      const scn: Scenario = { ...scenario, agent: { ...scenario.agent!, opening: undefined, script: undefined }, decision_policy: undefined };
      const t = await runDialogue({ scenario: scn, profile, seed: 4, simulator: new AgendaSimulator(), agent: fixedAgent(['Thanks. And could you tell me a bit about yourself, what do you do for work?']) });
      const reply = users(t)[1];
      assert.doesNotMatch(reply.text, DONT_KNOW, `${scenario.id}: ${reply.text}`);
      const word = occ.replace(/\([^)]*\)/g, '').split(/\s+/).filter((w) => w.length > 4)[0]?.toLowerCase() ?? occ;
      assert.ok(reply.text.toLowerCase().includes(word), `${scenario.id}: "${word}" missing from ${reply.text}`);
      checked++;
    }
    assert.ok(checked >= 5);
  });

  it('still says it does not know about `unknown` items asked about the user', async () => {
    const samples = await sampleScenarios();
    const dev = samples.find((x) => x.scenario.id === 'telecom-bundle-pressure')!;
    const t = await runDialogue({ scenario: dev.scenario, profile: dev.profile, seed: 2, simulator: new AgendaSimulator(), agent: fixedAgent(['Is fibre available at your building, do you know?']) });
    assert.match(users(t)[1].rationale!.sections.plan!, /don't know/);
  });

  it('says "First of all" only in its first turn, no aside in its first turn, and no typical phrase or aside in a goodbye', async () => {
    for (const { scenario, profile, runs } of await allRuns()) {
      const phrases = (profile.expression?.typical_phrases ?? []).map((p) => stripStop(p).toLowerCase());
      for (const t of runs) {
        users(t).forEach((u, i) => {
          if (i > 0) assert.doesNotMatch(u.text, /first of all/i, `${scenario.id} seed ${t.seed}: ${u.text}`);
          else assert.doesNotMatch(u.text, /where was I|train of thought|at the door|hectic day/i, `${scenario.id} seed ${t.seed}: an aside before anything was said: ${u.text}`);
          if (u.text.includes('###STOP###')) {
            for (const p of phrases) assert.ok(!u.text.toLowerCase().includes(p), `${scenario.id} seed ${t.seed}: phrase "${p}" in goodbye: ${u.text}`);
            assert.doesNotMatch(u.text, /where was I|train of thought|at the door|hectic day/i);
          }
        });
      }
    }
  });

  it('writes short concerns (target ids, no descriptions) and a concrete plan', async () => {
    for (const { scenario, runs } of await allRuns()) {
      for (const t of runs.slice(0, 5)) {
        for (const u of users(t)) {
          const c = u.rationale!.sections.concerns!;
          for (const tg of scenario.targets) assert.ok(!c.includes(stripStop(tg.description)), `${scenario.id}: description in concerns: ${c}`);
          assert.match(c, new RegExp(`\\b${scenario.targets[0].id}\\b`));
          assert.match(u.rationale!.sections.plan!, /^(end|refuse|reveal|answer|ask|bargain|accept|escalate|refuse)\b/);
        }
      }
    }
  });

  it('resists adversarial pressure for several turns: no early hang-up, and the scripted honest answers are reached on most seeds', async () => {
    const adversarial = (await allRuns()).filter((x) => x.scenario.split === 'adversarial');
    assert.ok(adversarial.length >= 3);
    for (const { scenario, runs } of adversarial) {
      let reached = 0;
      let lasted = 0;
      for (const t of runs) {
        const n = users(t).length;
        const gaveUp = t.end.reason === 'hang_up' || (t.end.reason === 'stop' && /before their goals/.test(t.end.detail ?? ''));
        if (gaveUp) assert.ok(n >= 4, `${scenario.id} seed ${t.seed} (${t.agent}): gave up after ${n} user turns`);
        if (n >= 5 || !gaveUp) lasted++;
        if (t.agent === 'scripted' && !gaveUp) reached++;
      }
      assert.ok(reached >= 16, `${scenario.id}: the scripted agent's honest lines were reached on ${reached}/20 seeds`);
      assert.ok(lasted >= 0.8 * runs.length, `${scenario.id}: only ${lasted}/${runs.length} dialogues lasted 5 user turns or reached the goals`);
    }
  });

  it('challenges a tactic concretely ("You said there were fees. What are they, exactly?")', async () => {
    const dev = (await sampleScenarios()).find((x) => x.scenario.id === 'telecom-bundle-pressure')!;
    const seen = new Set<string>();
    for (let seed = 1; seed <= 20; seed++) {
      const t = await runDialogue({ scenario: dev.scenario, profile: dev.profile, seed, simulator: new AgendaSimulator(), agent: fixedAgent(['There are a few small standard fees on top, but honestly they\'re nothing.', 'This bundle is normally worth $120 a month, but for you it\'s just $49.99.']) });
      const [, afterFees, afterAnchor] = users(t);
      assert.match(afterFees.text, /fee|price|total|number/i, afterFees.text);
      assert.match(afterAnchor.text, /pay|price|worth/i, afterAnchor.text);
      seen.add(afterAnchor.text.includes('$120') ? 'amount' : 'plain');
    }
    assert.ok(seen.has('amount'), 'the anchoring challenge quotes the agent\'s figure on some seeds');
  });
});
