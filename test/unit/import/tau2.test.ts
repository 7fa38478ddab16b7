// `userlm import tau2`: the τ²-bench fixtures (mock domain, plain-string instructions; 20 retail
// tasks, structured instructions) become workspaces that validate with 0 errors and run with no key.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scenario } from '../../../core/generated/schema-types';
import { importTau2, readTau2Tasks, Tau2FormatError } from '../../../core/import/tau2';
import { youToI } from '../../../core/import/text';
import { loadWorkspace, resolveProfile } from '../../../core/model/load';
import { runAgenda } from '../engine/helpers';
import { CLI, REPO } from '../runs/fixtures';

export const TAU2 = join(REPO, 'test', 'fixtures', 'tau2-bench');

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('import: τ²-bench tasks', function () {
  this.timeout(120000);
  let tmp: string;
  before(() => {
    assert.ok(existsSync(CLI), `${CLI} is missing: run \`node scripts/bundle.mjs\` first`);
    tmp = mkdtempSync(join(tmpdir(), 'userlm-tau2-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  for (const [domain, count, shape] of [['retail', 20, 'object'], ['mock', 10, 'string']] as const) {
    it(`imports all ${count} ${domain} tasks (instructions as ${shape === 'object' ? 'an object' : 'a plain string'}); the workspace validates with 0 errors`, async () => {
      const tasks = JSON.parse(readFileSync(join(TAU2, domain, 'tasks.json'), 'utf8')) as { user_scenario: { instructions: unknown } }[];
      assert.ok(tasks.every((t) => (shape === 'string') === (typeof t.user_scenario.instructions === 'string')));
      const out = join(tmp, domain);
      const r = cli(['import', 'tau2', join(TAU2, domain, 'tasks.json'), '--out', out], tmp);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`imported ${count} tasks`));
      assert.match(r.stdout, /validated: 0 errors/);
      assert.equal(readdirSync(join(out, 'scenarios')).length, count);
      for (const f of ['userlm.yaml', `suites/tau2-${domain}.suite.yaml`, `profiles/tau2-${domain}.profile.yaml`, 'TAU2-BENCH-LICENSE']) assert.ok(existsSync(join(out, f)), f);
      assert.match(readFileSync(join(out, 'scenarios', readdirSync(join(out, 'scenarios'))[0]), 'utf8'), /Sierra Research/);
      const v = cli(['validate', out], tmp);
      assert.equal(v.code, 0, v.stdout + v.stderr);
      assert.match(v.stdout, /0 errors/);
    });

    it(`runs every imported ${domain} scenario with no key (agenda vs scripted and adversarial)`, async () => {
      const ws = await loadWorkspace(join(tmp, domain));
      assert.equal(ws.scenarios.size, count);
      for (const { value } of ws.scenarios.values()) {
        const profile = resolveProfile(ws, value);
        for (const agent of ['scripted', 'adversarial']) {
          const t = await runAgenda(value, profile, 1, agent, { config: ws.config?.value });
          assert.notEqual(t.end.reason, 'error', `${value.id} ${agent}: ${t.error}`);
          assert.ok(t.turns.some((x) => x.speaker === 'user' && x.text.length > 3), value.id);
        }
      }
    });
  }

  it('maps the fields: known_info → memory, unknown_info → unknown, conditions → policies, hidden facts → `never` targets, evaluation', () => {
    const tasks = readTau2Tasks(JSON.parse(readFileSync(join(TAU2, 'retail', 'tasks.json'), 'utf8')));
    const r = importTau2(tasks, { policy: readFileSync(join(TAU2, 'retail', 'policy.md'), 'utf8'), domain: 'retail' });
    const sc = (id: string) => r.files.find((f) => f.path === `scenarios/tau2-retail-${id}.scenario.yaml`)!.value as unknown as Scenario;
    const t0 = sc('0');
    assert.deepEqual(t0.memory?.slice(0, 2), ['I am Yusuf Rossi in zip code 19122.', 'I received my order #W2378156.']);
    assert.deepEqual(t0.unknown, ['My email address (I do not remember it).']);
    assert.match(t0.targets[0].description, /^Exchange the mechanical keyboard/);
    assert.equal(t0.targets[0].reveal, 'upfront');
    assert.ok(t0.decision_policy?.some((p) => p.when === 'there is no keyboard that is clicky, RGB backlight, full size' && p.then === "I'd go for no backlight."));
    assert.match(t0.agent?.sop ?? '', /authenticate the user identity/);
    assert.doesNotMatch(t0.agent?.sop ?? '', /\*\*/);
    // task_instructions that describe the person go to the profile.
    const profiles = (r.files.find((f) => f.path.startsWith('profiles/'))!.value as { profiles: { id: string; name: string; background?: string; expression?: { verbosity?: string } }[] }).profiles;
    const yusuf = profiles.find((p) => p.id === t0.profile)!;
    assert.equal(yusuf.name, 'Yusuf Rossi');
    assert.match(yusuf.background ?? '', /^Detail-oriented/);
    const t12 = sc('12');
    assert.ok(t12.targets.some((t) => t.reveal === 'never' && /keyboard and a mouse/.test(t.description)));
    assert.ok(t12.decision_policy?.some((p) => p.action === 'escalate'));
    const t16 = sc('16');
    assert.deepEqual(t16.targets.map((t) => t.id), ['cancel-pending-orders', 'return-watch-have-received', 'know-total-amount-get']);
    assert.deepEqual(t16.evaluation?.communicate, ['8276.23']);
    assert.deepEqual(t16.evaluation?.assertions, ['Agent should tell the user the total refund amount is $8,276.23.']);
    assert.equal(t16.targets[2].done_when, 'Agent should tell the user the total refund amount is $8,276.23.');
    assert.ok((t16.evaluation?.actions ?? []).some((a) => a.name === 'cancel_pending_order'));
    const terse = profiles.find((p) => p.id === t16.profile)!;
    assert.equal(terse.expression?.verbosity, 'terse'); // "a private person that does not want to reveal much"
  });

  it('reads plain-string instructions and personas (mock domain)', () => {
    const tasks = readTau2Tasks(JSON.parse(readFileSync(join(TAU2, 'mock', 'tasks.json'), 'utf8')));
    const r = importTau2(tasks, { domain: 'mock' });
    const nl = r.files.find((f) => f.path === 'scenarios/tau2-mock-create-task-1-nl-eval.scenario.yaml')!.value as unknown as Scenario;
    assert.ok(nl.targets.some((t) => /compliment/.test(t.description)), JSON.stringify(nl.targets));
    assert.deepEqual(nl.evaluation?.assertions, ['The task is created successfully', 'The user is complimented']);
    const profiles = (r.files.find((f) => f.path.startsWith('profiles/'))!.value as { profiles: { id: string; expression?: { formality?: string; verbosity?: string } }[] }).profiles;
    assert.equal(profiles.find((p) => p.id === nl.profile)!.expression?.formality, 'formal'); // "Professional and direct communicator"
    // The same persona is one profile.
    assert.ok(profiles.length < tasks.length, `${profiles.length} profiles for ${tasks.length} tasks`);
  });

  it('speaks the instructions in the first person', () => {
    assert.equal(youToI('You received your order and wish to exchange it.'), 'I received my order and wish to exchange it.');
    assert.equal(youToI('If the agent asks you for confirmation, you say no.'), 'If the agent asks me for confirmation, I say no.');
    assert.equal(youToI("You're sure whatever saves you money is fine."), "I'm sure whatever saves me money is fine.");
  });

  it('bad input: a clear error that says where, and nothing written over existing files', () => {
    assert.throws(() => readTau2Tasks({}), Tau2FormatError);
    assert.throws(() => readTau2Tasks([{ id: 1, user_scenario: {} }]), /task 0 \(id 1\): `user_scenario.instructions` must be a string or an object/);
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, '[{"id": 1,');
    const r = cli(['import', 'tau2', bad, '--out', join(tmp, 'bad-out')], tmp);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.json is not valid JSON/);
    assert.ok(!existsSync(join(tmp, 'bad-out')));
    // A hand-edited scenario is never replaced without --force.
    const out = join(tmp, 'retail');
    const file = join(out, 'scenarios', 'tau2-retail-0.scenario.yaml');
    const edited = readFileSync(file, 'utf8').replace('Yusuf Rossi in zip code 19122', 'Yusuf Rossi in zip code 19122, edited by hand');
    writeFileSync(file, edited);
    const again = cli(['import', 'tau2', join(TAU2, 'retail', 'tasks.json'), '--out', out], tmp);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /exist and differ; nothing was written[\s\S]*tau2-retail-0\.scenario\.yaml/);
    assert.equal(readFileSync(file, 'utf8'), edited);
    const forced = cli(['import', 'tau2', join(TAU2, 'retail', 'tasks.json'), '--out', out, '--force'], tmp);
    assert.equal(forced.code, 0, forced.stderr);
    assert.doesNotMatch(readFileSync(file, 'utf8'), /edited by hand/);
  });
});
