// Workspace trust in the CLI, end to end: a real OpenAI-compatible server on 127.0.0.1 records
// every request, so "no request arrived" proves that no key left an untrusted run.
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOpenAIServer, type OpenAIServer } from '../../support/openai-server';
import { localWorkspaceYaml, sampleWorkspace, type TempWorkspace } from '../runs/fixtures';
import { cli, cliAsync } from './helpers';
import { backendSettingsHash, trustState, trustWorkspace, untrustWorkspace } from '../../../core/trust';
import type { Workspace } from '../../../core/generated/schema-types';

const KEY = 'sk-trust-test-KEY-0102030405';
const SCENARIO = 'scenarios/telecom-upgrade.scenario.yaml';

describe('cli: workspace trust (keys go only to trusted workspaces)', function () {
  this.timeout(120000);
  let server: OpenAIServer;
  let ws: TempWorkspace;
  let config: string;
  let env: Record<string, string>;
  before(async () => {
    server = await startOpenAIServer({ requireKey: KEY });
    ws = sampleWorkspace();
    ws.write('userlm.yaml', localWorkspaceYaml(server.url));
    ws.write('suites/llm.suite.yaml', 'kind: suite\nid: llm\nscenarios: [telecom-upgrade]\nsamples: 2\nsimulator: sim\nagent: scripted\n');
    config = mkdtempSync(join(tmpdir(), 'userlm-trust-config-'));
    env = { USERLM_TEST_KEY: KEY, XDG_CONFIG_HOME: config };
  });
  after(async () => {
    await server.close();
    ws.dispose();
    rmSync(config, { recursive: true, force: true });
  });

  it('an untrusted run that needs a key stops before any request, prints nothing else, and says how to trust', async () => {
    const r = await cliAsync(['run', SCENARIO, '--simulator', 'sim'], ws.root, env);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /refusing to send the key 'env:USERLM_TEST_KEY'.*is not a trusted workspace/);
    assert.ok(r.stderr.includes(`sim: ${server.url} (env:USERLM_TEST_KEY)`), r.stderr);
    assert.match(r.stderr, /userlm trust /);
    assert.match(r.stderr, /--trust; in CI: USERLM_TRUST=1/);
    assert.equal(r.stdout, '', 'no header, no partial output');
    assert.equal(server.requests.length, 0, 'no request reached the server');
  });

  it('an untrusted eval stops before any request and leaves no run directory', async () => {
    const r = await cliAsync(['eval', 'suites/llm.suite.yaml', '--out', 'untrusted-runs'], ws.root, env);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /not a trusted workspace/);
    assert.equal(server.requests.length, 0);
    assert.ok(!existsSync(join(ws.root, 'untrusted-runs')) || readdirSync(join(ws.root, 'untrusted-runs')).length === 0);
  });

  it('a backend with no key still works untrusted', async () => {
    const open = await startOpenAIServer();
    const other = sampleWorkspace();
    try {
      other.write('userlm.yaml', `kind: workspace\nbackends:\n  - id: sim\n    type: openai-compatible\n    base_url: ${open.url}\n    model: sim-think\n    max_retries: 0\n`);
      const r = await cliAsync(['run', SCENARIO, '--simulator', 'sim', '--turns', '2'], other.root, { XDG_CONFIG_HOME: config });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(open.requests.length > 0);
      assert.ok(open.requests.every((q) => q.headers.authorization === undefined), 'no key was sent');
    } finally {
      await open.close();
      other.dispose();
    }
  });

  it('userlm trust records the folder and its backends; then the key is sent', async () => {
    mkdirSync(join(ws.root, 'scenarios', 'sub'), { recursive: true });
    const t = cli(['trust', join(ws.root, 'scenarios', 'sub')], ws.root, env); // a folder inside the workspace
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /^trusted \//);
    assert.ok(t.stdout.includes(`sim: ${server.url} (env:USERLM_TEST_KEY)`), t.stdout);
    const file = JSON.parse(readFileSync(join(config, 'userlm', 'trust.json'), 'utf8')) as { folders: { folder: string; backends_sha256: string }[] };
    assert.equal(file.folders.length, 1);
    assert.ok(!file.folders[0].folder.endsWith('sub'), 'the workspace root is trusted, not the subfolder');
    assert.match(file.folders[0].backends_sha256, /^[0-9a-f]{64}$/);
    assert.ok(!readFileSync(join(config, 'userlm', 'trust.json'), 'utf8').includes(KEY));

    const r = await cliAsync(['run', SCENARIO, '--simulator', 'sim', '--turns', '2'], ws.root, env);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(server.requests.length > 0);
    assert.ok(server.requests.every((q) => q.headers.authorization === `Bearer ${KEY}`));
    const list = cli(['trust', '--list'], ws.root, env);
    assert.equal(list.code, 0);
    assert.match(list.stdout, /  trusted \(trusted /);
  });

  it('a changed backend asks again; --trust and USERLM_TRUST=1 pass one run without recording it', async () => {
    ws.write('userlm.yaml', localWorkspaceYaml(server.url).replace('model: sim-think', 'model: sim-think-2'));
    const before = server.requests.length;
    const r = await cliAsync(['run', SCENARIO, '--simulator', 'sim', '--turns', '2'], ws.root, env);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /the backends in .*userlm\.yaml changed since you trusted this folder/);
    assert.equal(server.requests.length, before, 'no request after the change');
    assert.match(cli(['trust', '--list'], ws.root, env).stdout, /backends changed since: asks again/);

    const once = await cliAsync(['run', SCENARIO, '--simulator', 'sim', '--turns', '2', '--trust'], ws.root, env);
    assert.equal(once.code, 0, once.stderr);
    const ci = await cliAsync(['eval', 'suites/llm.suite.yaml', '--out', 'ci-runs'], ws.root, { ...env, USERLM_TRUST: '1' });
    assert.equal(ci.code, 0, ci.stderr + ci.stdout);
    assert.ok(server.requests.length > before);
    assert.match(cli(['trust', '--list'], ws.root, env).stdout, /backends changed since: asks again/, 'one-off trust is not recorded');
  });

  it('userlm untrust forgets the folder: runs that need a key stop again', async () => {
    assert.equal(cli(['trust'], ws.root, env).code, 0); // the changed backends, trusted again
    assert.equal((await cliAsync(['run', SCENARIO, '--simulator', 'sim', '--turns', '1'], ws.root, env)).code, 0);
    const u = cli(['untrust', ws.root], ws.root, env);
    assert.equal(u.code, 0, u.stderr);
    assert.match(u.stdout, /^untrusted \//);
    assert.match(cli(['untrust', ws.root], ws.root, env).stdout, /was not trusted; nothing to do/);
    const before = server.requests.length;
    const r = await cliAsync(['run', SCENARIO, '--simulator', 'sim', '--turns', '1'], ws.root, env);
    assert.equal(r.code, 3);
    assert.equal(server.requests.length, before);
    assert.match(cli(['trust', '--list'], ws.root, env).stdout, /no trusted workspaces/);
  });

  it('trust refuses what is not a workspace', () => {
    const empty = mkdtempSync(join(tmpdir(), 'userlm-not-ws-'));
    try {
      const r = cli(['trust', empty], empty, env);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /no userlm\.yaml in .* or above: there is no workspace to trust/);
      assert.match(cli(['trust', join(empty, 'missing')], empty, env).stderr, /folder '.*missing' does not exist/);
      assert.match(cli(['trust', ws.root, empty], empty, env).stderr, /give one folder, got 2/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('core/trust: the backend settings hash and the trust list', () => {
  const base: Workspace = { kind: 'workspace', backends: [{ id: 'a', type: 'openai-compatible', base_url: 'https://x.example/v1', model: 'm', api_key: 'env:K' }] };
  let env: NodeJS.ProcessEnv;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'userlm-trust-unit-'));
    env = { XDG_CONFIG_HOME: join(dir, 'config') };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the hash ignores key order and changes with any backend field', () => {
    const reordered = { kind: 'workspace', backends: [{ model: 'm', api_key: 'env:K', base_url: 'https://x.example/v1', type: 'openai-compatible', id: 'a' }] } as Workspace;
    assert.equal(backendSettingsHash(reordered), backendSettingsHash(base));
    const moved = { ...base, backends: [{ ...base.backends![0], base_url: 'https://evil.example/v1' }] };
    assert.notEqual(backendSettingsHash(moved), backendSettingsHash(base));
    const training = { ...base, training: [{ id: 'r', type: 'ray' as const, address: 'http://127.0.0.1:8265', token: 'env:T' }] };
    assert.notEqual(backendSettingsHash(training), backendSettingsHash(base));
    assert.equal(backendSettingsHash({ ...base, tactics: [] } as Workspace), backendSettingsHash(base), 'only backend settings count');
  });

  it('never trusted, trusted, changed, forgotten; no keys needs no trust', () => {
    assert.deepEqual(trustState(dir, base, { env }), { trusted: false, reason: 'never' });
    trustWorkspace(dir, base, env);
    assert.deepEqual(trustState(dir, base, { env }), { trusted: true, how: 'recorded' });
    const changed = { ...base, backends: [{ ...base.backends![0], model: 'other' }] };
    assert.equal((trustState(dir, changed, { env }) as { reason?: string }).reason, 'changed');
    assert.deepEqual(trustState(dir, changed, { env: { ...env, USERLM_TRUST: '1' } }), { trusted: true, how: 'env' });
    assert.deepEqual(trustState(dir, changed, { env, flag: true }), { trusted: true, how: 'flag' });
    assert.equal(untrustWorkspace(dir, env), true);
    assert.equal(untrustWorkspace(dir, env), false);
    assert.deepEqual(trustState(dir, { kind: 'workspace' }, { env }), { trusted: true, how: 'no-keys' });
  });

  it('a damaged trust list is an error that names the file, never "trusted"', () => {
    trustWorkspace(dir, base, env);
    const file = join(dir, 'config', 'userlm', 'trust.json');
    writeFileSync(file, '{ not json');
    assert.throws(() => trustState(dir, base, { env }), /trust list .*trust\.json is not valid JSON/);
  });
});
