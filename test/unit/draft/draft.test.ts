// `userlm draft`: scenarios drafted from SOPs written for these tests, in domains the samples do
// not cover (pharmacy refill, airline rebooking, dental clinic, utility billing). With no key,
// every draft validates with 0 errors, has at least three targets grounded in the SOP's words and
// previews without error; with a backend, a local OpenAI-compatible server returns drafts that
// need repair and the drafter repairs them.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Scenario } from '../../../core/generated/schema-types';
import { createChatClient } from '../../../core/backends/chat/index';
import { draftScenarios, DraftError, sopSteps, variantPath } from '../../../core/draft/index';
import { loadWorkspace, resolveProfile } from '../../../core/model/load';
import { validateText } from '../../../core/validate/index';
import { contentStems, overlap } from '../../../core/util/text';
import { startOpenAIServer, type OpenAIServer } from '../../support/openai-server';
import { runAgenda } from '../engine/helpers';
import { CLI, REPO, sampleWorkspace, type TempWorkspace } from '../runs/fixtures';
import { cli, cliAsync } from '../cli/helpers';

export const SOPS = join(REPO, 'test', 'fixtures', 'sops');
export const SOP_FILES = readdirSync(SOPS).sort();

/** Whether a target description is grounded in one SOP step: it shares three content words with it (two for short ones) and its key words appear there. */
export function grounded(description: string, sop: string): boolean {
  const want = new Set([...contentStems(description)].filter((s) => !['find', 'out', 'under', 'ask', 'get', 'whether'].includes(s)));
  return sopSteps(sop).some((step) => overlap(contentStems(step.text), want) >= Math.min(3, want.size));
}

describe('draft: scenarios from SOPs nobody tuned for', function () {
  this.timeout(120000);
  let ws: TempWorkspace;
  before(() => {
    assert.ok(existsSync(CLI), `${CLI} is missing: run \`node scripts/bundle.mjs\` first`);
    assert.ok(SOP_FILES.length >= 4, `${SOP_FILES.length} SOPs`);
    ws = sampleWorkspace();
  });
  after(() => ws.dispose());

  for (const file of ['pharmacy-refill.md', 'airline-rebooking.txt', 'dental-clinic.md', 'utility-billing.txt']) {
    for (const split of ['standard', 'adversarial'] as const) {
      it(`${file} (${split}): validates with 0 errors, >= 3 targets grounded in the SOP, previews without error`, async () => {
        const sop = readFileSync(join(SOPS, file), 'utf8');
        const [d] = await draftScenarios({ sop, root: ws.root, split, outFile: join(ws.root, 'scenarios', `${file.replace(/\..*$/, '')}-${split}.scenario.yaml`) });
        assert.deepEqual(d.problems.filter((p) => p.severity === 'error'), []);
        // Validated again from its text, as the language server sees it.
        const ws2 = await loadWorkspace(ws.root);
        assert.ok(ws2.profiles.size > 0);
        assert.deepEqual(validateText(d.text, d.path).filter((p) => p.severity === 'error'), []);
        const s = parse(d.text) as Scenario;
        const ok = s.targets.filter((t) => grounded(t.description, sop));
        assert.ok(ok.length >= 3, `${file}: only ${ok.length} grounded targets: ${s.targets.map((t) => t.description).join(' | ')}`);
        assert.ok(s.targets.some((t) => t.priority === 'primary'));
        assert.ok((s.unknown ?? []).length >= 2, 'facts only the agent can give are unknown');
        assert.ok((s.memory ?? []).length >= 1);
        assert.ok((s.decision_policy ?? []).some((p) => typeof p.when === 'object'));
        if (split === 'adversarial') {
          assert.ok((s.adversarial?.tactics ?? []).length >= 2);
          assert.ok(s.decision_policy!.some((p) => typeof p.when === 'object' && p.when.tactic));
        }
        // Preview: the draft runs with no key against both built-in agents.
        const profile = resolveProfile(ws2, s);
        for (const agent of ['scripted', 'adversarial']) {
          for (let seed = 1; seed <= 3; seed++) {
            const t = await runAgenda(s, profile, seed, agent, { config: ws2.config?.value });
            assert.notEqual(t.end.reason, 'error', `${file} ${agent} seed ${seed}: ${t.error}`);
            assert.ok(t.turns.filter((x) => x.speaker === 'user').length >= 2);
          }
        }
      });
    }
  }

  it('--variants 3: three different goal variants (priorities, reveal, policies), each valid', async () => {
    const sop = readFileSync(join(SOPS, 'dental-clinic.md'), 'utf8');
    const drafts = await draftScenarios({ sop, root: ws.root, variants: 3, outFile: join(ws.root, 'scenarios', 'dental.scenario.yaml') });
    assert.equal(drafts.length, 3);
    assert.deepEqual(drafts.map((d) => d.path), [0, 1, 2].map((i) => variantPath(join(ws.root, 'scenarios', 'dental.scenario.yaml'), i)));
    assert.equal(new Set(drafts.map((d) => d.scenario.id)).size, 3);
    const shape = (s: Scenario) => JSON.stringify([s.targets.map((t) => [t.id, t.priority, t.reveal]), s.decision_policy?.map((p) => [p.id, p.when]), s.state?.initial]);
    assert.equal(new Set(drafts.map((d) => shape(d.scenario))).size, 3);
    for (const d of drafts) assert.deepEqual(d.problems.filter((p) => p.severity === 'error'), []);
  });

  it('the CLI: reads stdin, writes --out, the file validates, previews with `userlm run`; refuses to overwrite; an unknown profile is a clear error', () => {
    const sop = readFileSync(join(SOPS, 'airline-rebooking.txt'), 'utf8');
    const out = join(ws.root, 'scenarios', 'airline.scenario.yaml');
    const r = cli(['draft', '-', '--profile', 'margaret-chen', '--out', out], ws.root, {}, sop);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /wrote .*airline\.scenario\.yaml: scenario airline-[a-z-]+, \d+ targets; validates with 0 errors/);
    const v = cli(['validate', out], ws.root);
    assert.equal(v.code, 0, v.stdout);
    const run = cli(['run', out, '--seed', '2'], ws.root);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /ended: /);
    const again = cli(['draft', '-', '--out', out], ws.root, {}, sop.replace('Skyways', 'Blue Skies'));
    assert.equal(again.code, 1);
    assert.match(again.stderr, /exist; nothing was written/);
    const bad = cli(['draft', join(SOPS, 'pharmacy-refill.md'), '--profile', 'nobody-here'], ws.root);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unknown profile 'nobody-here' \(profiles: .*margaret-chen/);
    const empty = cli(['draft', '-'], ws.root, {}, '  \n');
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /the SOP is empty/);
  });

  describe('with a model backend (a local OpenAI-compatible server)', () => {
    let server: OpenAIServer;
    const answers: string[] = [];
    before(async () => {
      server = await startOpenAIServer({ reply: () => answers.shift() });
    });
    after(() => server.close());

    const valid = (id: string) => JSON.stringify({
      kind: 'scenario', id, profile: 'margaret-chen', split: 'standard',
      memory: ['My name is Margaret Chen.'], unknown: ['The copay for the refill.'],
      targets: [
        { id: 'copay', description: 'Find out the copay for the refill.', priority: 'primary', reveal: 'upfront', done_when: 'The agent states the copay as an amount.' },
        { id: 'pickup', description: 'Find out when the refill will be ready for pickup.', priority: 'primary', reveal: 'when_asked' },
        { id: 'generic', description: 'Ask whether the cheaper generic version is in stock.', priority: 'secondary', reveal: 'when_asked' },
      ],
      termination: { max_turns: 10 },
    });
    /** Broken three ways: an unknown key, a reveal outside the enum, an unknown profile. */
    const broken = (id: string) => valid(id).replace('"reveal":"upfront"', '"reveal":"sometimes"').replace('"profile":"margaret-chen"', '"profile":"margret-chen"').replace('"termination":{', '"mood":"calm","termination":{');

    it('feeds the problems back and returns the repaired draft', async () => {
      answers.push(`Here is the draft:\n\`\`\`json\n${broken('pharmacy-llm')}\n\`\`\``, valid('pharmacy-llm'));
      const before = server.requests.length;
      const progress: string[] = [];
      const client = createChatClient({ id: 'drafter', type: 'openai-compatible', base_url: server.url, model: 'plain', max_retries: 0 }, undefined, { limiter: null });
      const sop = readFileSync(join(SOPS, 'pharmacy-refill.md'), 'utf8');
      const [d] = await draftScenarios({ sop, root: ws.root, client, onProgress: (m) => progress.push(m), outFile: join(ws.root, 'scenarios', 'llm.scenario.yaml') });
      assert.equal(d.attempts, 2);
      assert.equal(d.scenario.id, 'pharmacy-llm');
      assert.deepEqual(d.problems.filter((p) => p.severity === 'error'), []);
      const second = server.requests.slice(before).filter((r) => r.path.endsWith('/chat/completions'))[1];
      const feedback = second.body.messages[second.body.messages.length - 1].content as string;
      assert.match(feedback, /does not validate/);
      assert.match(feedback, /sometimes/);
      assert.match(feedback, /mood/);
      assert.match(feedback, /margret-chen/);
      assert.match(second.body.messages[0].content, /"\$id":"https:\/\/userlm\.dev\/schemas\/scenario\.schema\.json"/);
      assert.ok(progress.some((m) => /attempt 1: \d+ errors?, asking for a repair/.test(m)), progress.join('\n'));
      assert.ok(progress.some((m) => /attempt 2: valid/.test(m)));
    });

    it('gives up after the bounded repairs and says why; the CLI writes nothing', async () => {
      answers.push('not json at all', broken('x1'), broken('x2'));
      const client = createChatClient({ id: 'drafter', type: 'openai-compatible', base_url: server.url, model: 'plain', max_retries: 0 }, undefined, { limiter: null });
      await assert.rejects(
        draftScenarios({ sop: 'Quote the copay for the refill. Tell the caller when the refill is ready.', root: ws.root, client, maxRepairs: 2 }),
        (e: unknown) => e instanceof DraftError && /still does not validate after 2 repairs/.test(e.message) && e.problems.length > 0,
      );
      // The same through the CLI, with the backend from userlm.yaml.
      ws.write('userlm.yaml', `kind: workspace\nbackends:\n  - { id: drafter, type: openai-compatible, base_url: "${server.url}", model: plain, max_retries: 0 }\n`);
      answers.push(broken('cli-1'), valid('pharmacy-cli'));
      const out = join(ws.root, 'scenarios', 'cli-llm.scenario.yaml');
      const ok = await cliAsync(['draft', join(SOPS, 'pharmacy-refill.md'), '--backend', 'drafter', '--out', out], ws.root);
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.match(ok.stderr, /attempt 1: \d+ errors?, asking for a repair/);
      assert.match(ok.stdout, /scenario pharmacy-cli, 3 targets, 2 model answers; validates with 0 errors/);
      answers.push(broken('cli-2'), broken('cli-3'));
      const out2 = join(ws.root, 'scenarios', 'cli-llm-2.scenario.yaml');
      const fail = await cliAsync(['draft', join(SOPS, 'pharmacy-refill.md'), '--backend', 'drafter', '--repairs', '1', '--out', out2], ws.root);
      assert.equal(fail.code, 1);
      assert.match(fail.stderr, /still does not validate after 1 repair\n[\s\S]*sometimes/);
      assert.ok(!existsSync(out2));
    });
  });
});
