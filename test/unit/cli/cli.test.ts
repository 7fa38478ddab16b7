// The CLI end to end, as a user runs it: `node dist/cli.js run|eval|compare|report` in child
// processes against a copy of the samples and a local OpenAI-compatible server. Includes
// kill-and-resume of an eval with SIGKILL and a check that the API key is written nowhere.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { cli, cliAsync, cliEnv } from './helpers';
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Transcript } from '../../../core/generated/schema-types';
import { startOpenAIServer, type OpenAIServer } from '../../support/openai-server';
import { CLI, filesContaining, localWorkspaceYaml, sampleWorkspace, type TempWorkspace } from '../runs/fixtures';

const KEY = 'sk-cli-test-KEY-5566778899';

const runDirFrom = (stdout: string, cwd: string) => {
  const m = /run directory: (.+)/.exec(stdout);
  assert.ok(m, `no run directory in:\n${stdout}`);
  return m![1].startsWith('/') ? m![1].trim() : join(cwd, m![1].trim());
};

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);


/** Waits until the run under `outDir` has written `n` dialogues; returns its transcripts.jsonl. */
async function waitForDialogues(outDir: string, n: number): Promise<string> {
  const deadline = Date.now() + 60000;
  for (;;) {
    await new Promise((r) => setTimeout(r, 25));
    const dirs = existsSync(outDir) ? readdirSync(outDir) : [];
    const file = dirs.length ? join(outDir, dirs[0], 'transcripts.jsonl') : '';
    if (file && existsSync(file) && lines(file).length >= n) return file;
    assert.ok(Date.now() < deadline, `the eval never wrote ${n} dialogues`);
  }
}

describe('cli: run, eval, compare, report (end to end)', function () {
  this.timeout(120000);
  let ws: TempWorkspace;
  before(() => {
    assert.ok(existsSync(CLI), `${CLI} is missing: run \`npm run build\` first`);
    ws = sampleWorkspace();
  });
  after(() => ws.dispose());

  it('run prints the transcript with rationales inline, state changes and a reward table', () => {
    const r = cli(['run', 'scenarios/telecom-upgrade.scenario.yaml', '--seed', '3'], ws.root);
    assert.equal(r.code, 0, r.stderr);
    for (const s of ['AGENT', 'USER', '│ Agent intent:', '│ Plan:', '» ', 'state: ', 'Rewards', 'format (w 1)', 'turn score', 'total', 'no judge', 'ended: ']) {
      assert.ok(r.stdout.includes(s), `missing '${s}' in:\n${r.stdout}`);
    }
  });

  it('run --json prints exactly one transcript object and nothing else', () => {
    const r = cli(['run', 'scenarios/telecom-bundle-pressure.scenario.yaml', '--json', '--agent', 'adversarial', '--turns', '4'], ws.root);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 1);
    const t = JSON.parse(r.stdout) as Transcript;
    assert.equal(t.scenario_id, 'telecom-bundle-pressure');
    assert.equal(t.agent, 'adversarial');
    assert.ok(t.turns.filter((u) => u.speaker === 'user').length <= 4);
    assert.ok(t.turns.some((u) => u.rewards && typeof u.score === 'number'));
    assert.equal(typeof t.rewards.total, 'number');
  });

  it('run --agent human reads the agent lines from the terminal', () => {
    const r = spawnSync(process.execPath, [CLI, 'run', 'scenarios/refund-damaged-blender.scenario.yaml', '--agent', 'human', '--turns', '3', '--json'],
      { cwd: ws.root, encoding: 'utf8', input: 'Hello, how can I help you today?\nI can refund the blender in full.\n', env: cliEnv() });
    assert.equal(r.status, 0, r.stderr);
    const t = JSON.parse(r.stdout) as Transcript;
    const agentLines = t.turns.filter((u) => u.speaker === 'agent').map((u) => u.text);
    assert.deepEqual(agentLines, ['Hello, how can I help you today?', 'I can refund the blender in full.']);
    assert.match(r.stderr, /agent> /);
  });

  it('run refuses a file with errors, printing file:line:col', () => {
    ws.write('scenarios/broken.scenario.yaml', 'kind: scenario\nid: broken\nprofile: margaret-chen\ntargets:\n  - id: x\n    descripton: typo\n');
    const r = cli(['run', 'scenarios/broken.scenario.yaml'], ws.root);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /broken\.scenario\.yaml:\d+:\d+: /);
    assert.equal(r.stdout, '');
  });

  let passDir = '';
  it('eval prints progress on stderr, a summary and the run directory; exit 0 when thresholds hold', () => {
    const r = cli(['eval', 'suites/standard.suite.yaml', '--concurrency', '3'], ws.root);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stderr, /10\/10 done, 0 failed/);
    assert.match(r.stdout, /PASS/);
    passDir = runDirFrom(r.stdout, ws.root);
    assert.equal(lines(join(passDir, 'transcripts.jsonl')).length, 10);
    assert.ok(existsSync(join(passDir, 'summary.json')) && existsSync(join(passDir, 'run.json')));
  });

  let failDir = '';
  it('eval exits 1 when a threshold fails', () => {
    ws.write('suites/strict.suite.yaml', 'kind: suite\nid: strict\nscenarios: [telecom-upgrade]\nsamples: 2\nthresholds: {total: 0.5, Goal: 0.5}\n');
    const r = cli(['eval', 'suites/strict.suite.yaml', '--out', 'other-runs'], ws.root);
    assert.equal(r.code, 1, r.stderr + r.stdout);
    assert.match(r.stdout, /FAIL/);
    assert.match(r.stdout, /Goal \(no value\)/);
    failDir = runDirFrom(r.stdout, ws.root);
    assert.ok(failDir.includes('other-runs'));
  });

  it('compare prints B - A per metric, split and scenario', () => {
    const r = cli(['compare', passDir, failDir], ws.root);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /B - A/);
    assert.match(r.stdout, /telecom-upgrade total/);
    const j = cli(['compare', passDir, failDir, '--json'], ws.root);
    assert.equal(JSON.parse(j.stdout).overall.dialogues.b, 2);
  });

  it('report prints the summary, or writes a self-contained HTML page', () => {
    const r = cli(['report', passDir], ws.root);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /telecom-upgrade/);
    const h = cli(['report', passDir, '--html', 'report.html'], ws.root);
    assert.equal(h.code, 0, h.stderr);
    const html = readFileSync(join(ws.root, 'report.html'), 'utf8');
    assert.ok(html.includes('<svg') && !/<script/i.test(html));
    const bad = cli(['report', join(ws.root, 'nowhere')], ws.root);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not a run directory/);
  });
});

describe('cli: eval kill-and-resume with SIGKILL against a local server', function () {
  this.timeout(120000);
  let server: OpenAIServer;
  let ws: TempWorkspace;
  before(async () => {
    server = await startOpenAIServer({ latencyMs: 60, requireKey: KEY });
    ws = sampleWorkspace();
    ws.write('userlm.yaml', localWorkspaceYaml(server.url));
    ws.write('suites/llm.suite.yaml', 'kind: suite\nid: llm\nscenarios: [telecom-upgrade, refund-damaged-blender, insurance-renewal-review]\nsamples: 6\nsimulator: sim\nagent: scripted\nconcurrency: 3\n');
  });
  after(async () => { await server.close(); ws.dispose(); });

  it('loses only dialogues in flight, repairs a torn line, resumes without loss or duplicates, and writes no key', async () => {
    const env = cliEnv({ USERLM_TEST_KEY: KEY, USERLM_TRUST: '1' });
    const child = spawn(process.execPath, [CLI, 'eval', 'suites/llm.suite.yaml', '--out', 'kill-runs'], { cwd: ws.root, env, stdio: 'ignore' });
    const file = await waitForDialogues(join(ws.root, 'kill-runs'), 3);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const kept = lines(file);
    assert.ok(kept.length >= 3 && kept.length < 18, `kept ${kept.length}`);
    for (const l of kept) JSON.parse(l); // every line complete
    appendFileSync(file, '{"run_id":"llm-torn","dialogue_id":"telecom-up'); // what a kill mid-write would leave
    const runDir = join(file, '..');

    const r = await cliAsync(['eval', 'suites/llm.suite.yaml', '--resume', runDir], ws.root, { USERLM_TEST_KEY: KEY, USERLM_TRUST: '1' });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stderr, new RegExp(`18 dialogues \\(${kept.length} already finished\\)`));
    const after = lines(file).map((l) => JSON.parse(l) as Transcript);
    assert.equal(after.length, 18, 'no loss');
    assert.equal(new Set(after.map((t) => t.dialogue_id)).size, 18, 'no duplicate');
    assert.deepEqual(after.slice(0, kept.length).map((t) => JSON.stringify(t)), kept, 'finished dialogues untouched');
    assert.ok(after.every((t) => t.end.reason !== 'error'));
    assert.ok(server.requests.length > 0 && server.requests.every((q) => q.headers.authorization === `Bearer ${KEY}`));
    assert.deepEqual(filesContaining(ws.root, KEY), [], 'the key is written nowhere');
  });

  it('Ctrl-C (SIGINT) stops cleanly: exit 130, finished dialogues kept, run marked cancelled, resume hint', async () => {
    const env = cliEnv({ USERLM_TEST_KEY: KEY, USERLM_TRUST: '1' });
    const child = spawn(process.execPath, [CLI, 'eval', 'suites/llm.suite.yaml', '--out', 'int-runs'], { cwd: ws.root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const file = await waitForDialogues(join(ws.root, 'int-runs'), 2);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.once('close', r));
    assert.equal(code, 130, stderr);
    assert.match(stderr, /stopping/);
    assert.match(stderr, /resume with: userlm eval suites\/llm\.suite\.yaml --resume /);
    const kept = lines(file).map((l) => JSON.parse(l) as Transcript);
    assert.ok(kept.length >= 2 && kept.length < 18, `kept ${kept.length}`);
    assert.ok(kept.every((t) => t.end.reason !== 'cancelled' && t.end.reason !== 'error'));
    const run = JSON.parse(readFileSync(join(file, '..', 'run.json'), 'utf8')) as { status: string };
    assert.equal(run.status, 'cancelled');
    assert.match(stdout, /run directory: /);
  });
});
