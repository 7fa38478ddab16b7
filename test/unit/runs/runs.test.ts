// Eval runs in-process: suite resolution, a full eval of the samples, storage repair, summaries
// and thresholds, failed dialogues, resume after an abort, comparison, the HTML report, and
// secrets never written.
import { strict as assert } from 'node:assert';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Transcript } from '../../../core/generated/schema-types';
import { round6 } from '../../../core/rewards';
import {
  compareRuns, dialogueSeed, escapeHtml, listRuns, previewDialogue, type PreviewEvent, missedThresholds, readTranscriptLines, renderReportHtml, repairTornTail, resolveSuite, runSuite,
  type RunJson, type Summary,
} from '../../../core/runs';
import { startOpenAIServer, type OpenAIServer } from '../../support/openai-server';
import { filesContaining, localWorkspaceYaml, sampleWorkspace, SAMPLES, type TempWorkspace } from './fixtures';
import { startJudgeServer } from '../rewards/judge-server';

const noSecret = () => undefined;

describe('runs: suite resolution', () => {
  let ws: TempWorkspace;
  before(() => { ws = sampleWorkspace(); });
  after(() => ws.dispose());

  it('expands scenario ids x own profile x samples with seeds derived from the suite seed and dialogue id', async () => {
    const r = await resolveSuite(SAMPLES, join(SAMPLES, 'suites/standard.suite.yaml'));
    assert.equal(r.dialogues.length, 5 * 2);
    assert.equal(r.dialogues[0].id, 'telecom-upgrade:margaret-chen:0');
    assert.equal(r.dialogues[0].seed, dialogueSeed(7, 'telecom-upgrade:margaret-chen:0'));
    assert.equal(new Set(r.dialogues.map((d) => d.seed)).size, 10, 'every dialogue has its own seed');
    assert.equal(new Set(r.dialogues.map((d) => d.id)).size, 10);
    const again = await resolveSuite(SAMPLES, join(SAMPLES, 'suites/standard.suite.yaml'));
    assert.deepEqual(again.dialogues.map((d) => d.seed), r.dialogues.map((d) => d.seed));
    assert.equal(r.spec.id, 'default');
  });

  it('takes globs, profile lists, profile globs and seeded profile samples; max_turns overrides', async () => {
    const f = ws.write('suites/mix.suite.yaml', `kind: suite\nid: mix\nscenarios: ['scenarios/telecom-*.scenario.yaml']\nprofiles: [margaret-chen, tom-becker]\nsamples: 3\nmax_turns: 5\n`);
    const r = await resolveSuite(ws.root, f);
    assert.deepEqual([...new Set(r.dialogues.map((d) => d.scenario.id))], ['telecom-bundle-pressure', 'telecom-upgrade']);
    assert.equal(r.dialogues.length, 2 * 2 * 3);
    assert.ok(r.dialogues.every((d) => d.scenario.termination?.max_turns === 5));
    const g = ws.write('suites/glob.suite.yaml', `kind: suite\nid: g\nscenarios: [telecom-upgrade]\nprofiles: 'profiles/call-center-panel.profile.yaml'\n`);
    const rg = await resolveSuite(ws.root, g);
    assert.ok(rg.dialogues.length >= 2, 'every profile of the collection file');
    const s = ws.write('suites/sample.suite.yaml', `kind: suite\nid: s\nscenarios: [telecom-upgrade]\nprofiles: {sample: 3}\nseed: 5\n`);
    const a = (await resolveSuite(ws.root, s)).dialogues.map((d) => d.profile.id);
    const b = (await resolveSuite(ws.root, s)).dialogues.map((d) => d.profile.id);
    assert.equal(a.length, 3);
    assert.deepEqual(a, b, 'seeded draw');
  });

  it('says which scenario is unknown', async () => {
    const f = ws.write('suites/bad.suite.yaml', `kind: suite\nid: bad\nscenarios: [telecom-upgrad]\n`);
    await assert.rejects(resolveSuite(ws.root, f), /scenario 'telecom-upgrad' is not in the workspace/);
  });
});

describe('runs: storage', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'userlm-store-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('cuts a torn last line back to the last newline, and leaves a clean file alone', () => {
    const f = join(dir, 'transcripts.jsonl');
    writeFileSync(f, '{"a":1}\n{"b":2}\n{"c":');
    assert.equal(repairTornTail(f), 5);
    assert.equal(readFileSync(f, 'utf8'), '{"a":1}\n{"b":2}\n');
    assert.equal(repairTornTail(f), 0);
    writeFileSync(f, 'no newline at all');
    repairTornTail(f);
    assert.equal(readFileSync(f, 'utf8'), '');
    assert.equal(repairTornTail(join(dir, 'missing.jsonl')), 0);
  });
});

describe('runs: thresholds', () => {
  const t = (over: Partial<Transcript>): Transcript => ({
    run_id: 'r', dialogue_id: 'd', scenario_id: 's', profile_id: 'p', seed: 1, simulator: 'agenda', agent: 'scripted', turns: [],
    end: { reason: 'stop', at_turn: 1 }, rewards: { turn_mean: { format: 1 }, session: { termination: 0 }, total: 0.8 },
    metrics: { Goal: { value: 0.6, source: 'rule' }, Rob: { value: 0.4, source: 'judge' } }, ...over,
  });
  it('checks total, components, metrics (Rob as an upper bound) and treats a missing value as a miss', () => {
    assert.deepEqual(missedThresholds(t({}), { total: 0.7, format: 1, Goal: 0.5, Rob: 0.5 }), []);
    assert.deepEqual(missedThresholds(t({}), { total: 0.9 }), ['total 0.8 < 0.9']);
    assert.deepEqual(missedThresholds(t({}), { Rob: 0.3, termination: 0.5, CoT: 0.1 }), ['Rob 0.4 > 0.3', 'termination 0 < 0.5', 'CoT (no value)']);
    assert.deepEqual(missedThresholds(t({ end: { reason: 'error', at_turn: 0 } }), {}), ['error']);
  });
});

describe('runs: eval of the samples, in process', function () {
  this.timeout(60000);
  let ws: TempWorkspace;
  let out: string;
  before(() => { ws = sampleWorkspace(); out = join(ws.root, 'runs-out'); });
  after(() => ws.dispose());

  let runDir: string;
  let summary: Summary;
  it('runs every dialogue of the standard suite, writes run.json, transcripts.jsonl and summary.json', async () => {
    const progress: number[] = [];
    ({ runDir, summary } = await runSuite({ root: ws.root, suiteFile: join(ws.root, 'suites/standard.suite.yaml'), outDir: out, secret: noSecret, onProgress: (p) => progress.push(p.done) }));
    const { transcripts, bad } = readTranscriptLines(runDir);
    assert.equal(bad, 0);
    assert.equal(transcripts.length, 10);
    assert.equal(new Set(transcripts.map((t) => t.dialogue_id)).size, 10);
    assert.ok(transcripts.every((t) => t.turns.some((u) => u.speaker === 'user' && u.rewards && u.score !== undefined)));
    assert.ok(transcripts.every((t) => (['Int', 'Rob', 'CoT', 'Stra', 'Pers'] as const).every((m) => t.metrics[m]?.value === null && t.metrics[m]?.source === null)), 'no judge: judge-only metrics have no value');
    assert.ok(transcripts.every((t) => (['Goal', 'Role'] as const).every((m) => typeof t.metrics[m]?.value === 'number' && t.metrics[m]?.source === 'rule')), 'Goal and Role decided by rules');
    assert.equal(summary.metrics.Goal.source, 'rule');
    assert.equal(progress[progress.length - 1], 10);
    const run = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as RunJson;
    assert.equal(run.status, 'completed');
    assert.equal(run.dialogues, 10);
    assert.ok(run.ended_at && run.versions.node);
    assert.equal(summary.dialogues, 10);
    assert.deepEqual(Object.keys(summary.by_scenario).length, 5);
    assert.deepEqual(Object.keys(summary.by_split), ['standard']);
    assert.deepEqual([...summary.no_judge].sort(), ['goal_progress', 'interaction', 'persona_consistency', 'reasoning_quality', 'robotic_tone', 'role_authenticity', 'strategy', 'thought_response_alignment']);
    assert.deepEqual(JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')), JSON.parse(JSON.stringify(summary)));
  });

  it('yields to the event loop between dialogues, so timers and cancels run during a built-in run', async () => {
    // A heartbeat on the event loop's check phase: it only beats when the runner gives the loop back.
    let ticks = 0;
    let beating = true;
    const beat = () => { ticks++; if (beating) setImmediate(beat); };
    setImmediate(beat);
    const started = ticks;
    try {
      await runSuite({ root: ws.root, suiteFile: join(ws.root, 'suites/standard.suite.yaml'), outDir: join(ws.root, 'runs-yield'), concurrency: 1, secret: noSecret });
    } finally {
      beating = false;
    }
    assert.ok(ticks - started >= 10, `the event loop turned ${ticks - started} times during 10 dialogues`);
  });

  it('is deterministic: the same suite gives the same transcripts', async () => {
    const second = await runSuite({ root: ws.root, suiteFile: join(ws.root, 'suites/standard.suite.yaml'), outDir: out, secret: noSecret });
    const strip = (ts: Transcript[]) => ts.map((t) => JSON.stringify({ ...t, run_id: '', started_at: '', turns: t.turns.map((u) => ({ ...u, latency_ms: 0 })) })).sort();
    assert.deepEqual(strip(readTranscriptLines(second.runDir).transcripts), strip(readTranscriptLines(runDir).transcripts));
  });

  it('compares two runs and lists them', async () => {
    const adv = await runSuite({ root: ws.root, suiteFile: join(ws.root, 'suites/adversarial.suite.yaml'), outDir: out, secret: noSecret });
    const c = compareRuns(runDir, adv.runDir);
    assert.equal(c.overall.dialogues.a, 10);
    assert.equal(c.overall.dialogues.b, 8);
    const d = c.overall.values.total;
    assert.equal(d.delta, Math.round((d.b! - d.a!) * 1e6) / 1e6);
    assert.ok(c.by_split.adversarial.values.total.a === null && c.by_split.adversarial.values.total.b !== null);
    const runs = listRuns(ws.root, 'runs-out');
    assert.equal(runs.length, 3);
    assert.ok(runs.every((r) => r.status === 'completed'));
  });

  it('renders a self-contained HTML report', () => {
    const html = renderReportHtml(runDir);
    assert.match(html, /^<!DOCTYPE html>/);
    assert.ok(html.includes('<svg') && html.includes('<table'));
    assert.ok(!/<script|\bsrc=|href=|url\(|https?:\/\//i.test(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')), 'no scripts and no remote content');
    assert.ok(html.includes('telecom-upgrade') && html.includes('no judge'));
  });
});

describe('runs: backends, failures, resume and secrets', function () {
  this.timeout(60000);
  const KEY = 'sk-test-0123456789-SECRET';
  let server: OpenAIServer;
  let ws: TempWorkspace;
  before(async () => {
    server = await startOpenAIServer({ requireKey: KEY, latencyMs: 20 });
    ws = sampleWorkspace();
    ws.write('userlm.yaml', localWorkspaceYaml(server.url));
    ws.write('suites/llm.suite.yaml', 'kind: suite\nid: llm\nscenarios: [telecom-upgrade, refund-damaged-blender]\nsamples: 3\nsimulator: sim\nagent: scripted\njudge: sim\nconcurrency: 3\n');
  });
  after(async () => { await server.close(); ws.dispose(); });
  const secret = (ref: string) => (ref === 'env:USERLM_TEST_KEY' ? KEY : undefined);

  it('records a backend failure as a failed dialogue (end.reason error), never losing it', async () => {
    server.faults.push('500');
    const r = await runSuite({ root: ws.root, suiteFile: join(ws.root, 'suites/llm.suite.yaml'), concurrency: 1, secret });
    const ts = readTranscriptLines(r.runDir).transcripts;
    assert.equal(ts.length, 6);
    const failed = ts.filter((t) => t.end.reason === 'error');
    assert.equal(failed.length, 1);
    assert.match(failed[0].error!, /sim/);
    assert.equal(r.summary.errors, 1);
    assert.equal(r.summary.pass, false);
    assert.ok(!failed[0].error!.includes(KEY));
  });

  it('stops on abort keeping finished dialogues, and a resume finishes the rest without duplicates', async () => {
    const ctrl = new AbortController();
    let started = '';
    const first = await runSuite({
      root: ws.root, suiteFile: join(ws.root, 'suites/llm.suite.yaml'), concurrency: 2, secret, signal: ctrl.signal,
      onStart: (i) => { started = i.runDir; },
      onProgress: (p) => { if (p.done >= 2) ctrl.abort(); },
    });
    assert.equal(first.runDir, started);
    const kept = readTranscriptLines(first.runDir).transcripts;
    assert.ok(kept.length >= 2 && kept.length < 6, `kept ${kept.length}`);
    assert.ok(kept.every((t) => t.end.reason !== 'cancelled'), 'dialogues in flight are not recorded');
    assert.equal((JSON.parse(readFileSync(join(first.runDir, 'run.json'), 'utf8')) as RunJson).status, 'cancelled');
    appendFileSync(join(first.runDir, 'transcripts.jsonl'), '{"run_id": "torn'); // a write cut by a kill
    const second = await runSuite({ root: ws.root, suiteFile: join(ws.root, 'suites/llm.suite.yaml'), resumeDir: first.runDir, secret });
    const { transcripts, bad } = readTranscriptLines(second.runDir);
    assert.equal(bad, 0, 'the torn line was repaired');
    assert.equal(transcripts.length, 6);
    assert.equal(new Set(transcripts.map((t) => t.dialogue_id)).size, 6, 'no duplicates');
    for (const t of kept) assert.deepEqual(transcripts.find((x) => x.dialogue_id === t.dialogue_id), t, 'finished dialogues kept as they were');
    const run = JSON.parse(readFileSync(join(second.runDir, 'run.json'), 'utf8')) as RunJson;
    assert.equal(run.status, 'completed');
    assert.equal(run.resumes.length, 1);
    await assert.rejects(runSuite({ root: ws.root, suiteFile: join(ws.root, 'suites/standard.suite.yaml'), resumeDir: first.runDir, secret }), /this run is of suite 'llm', not 'standard'/);
  });

  it('fails before creating a run directory when the key is not set', async () => {
    const out = join(ws.root, 'nokey-runs');
    await assert.rejects(runSuite({ root: ws.root, suiteFile: join(ws.root, 'suites/llm.suite.yaml'), outDir: out, secret: noSecret }), /backend 'sim': the API key 'env:USERLM_TEST_KEY' is not set/);
    assert.equal(existsSync(out), false);
  });

  it('never writes the API key: run files, judge cache and workspace are clean', () => {
    assert.ok(server.requests.some((r) => r.headers.authorization === `Bearer ${KEY}`), 'the key was used');
    assert.deepEqual(filesContaining(ws.root, KEY), []);
  });
});

describe('runs: limits and judges in an eval', function () {
  this.timeout(60000);
  let server: OpenAIServer;
  let judge: Awaited<ReturnType<typeof startJudgeServer>>;
  let ws: TempWorkspace;
  const secret = (ref: string) => (ref === 'env:USERLM_TEST_KEY' ? 'k' : undefined);
  before(async () => {
    server = await startOpenAIServer({ latencyMs: 30 });
    judge = await startJudgeServer();
    ws = sampleWorkspace();
  });
  after(async () => { await server.close(); await judge.close(); ws.dispose(); });

  it('keeps to the backend concurrency even when the suite allows more', async () => {
    ws.write('userlm.yaml', localWorkspaceYaml(server.url).replace('concurrency: 64', 'concurrency: 2'));
    ws.write('suites/c.suite.yaml', 'kind: suite\nid: c\nscenarios: [telecom-upgrade]\nsamples: 6\nsimulator: sim\nconcurrency: 8\n');
    server.stats.maxInFlight = 0;
    await runSuite({ root: ws.root, suiteFile: join(ws.root, 'suites/c.suite.yaml'), secret });
    assert.equal(server.stats.maxInFlight, 2);
    ws.write('userlm.yaml', localWorkspaceYaml(server.url));
    server.stats.maxInFlight = 0;
    await runSuite({ root: ws.root, suiteFile: join(ws.root, 'suites/c.suite.yaml'), concurrency: 3, secret });
    assert.equal(server.stats.maxInFlight, 3, 'the --concurrency limit');
  });

  it('spaces requests by the backend requests_per_minute', async () => {
    ws.write('userlm.yaml', localWorkspaceYaml(server.url).replace('concurrency: 64', 'concurrency: 64\n    requests_per_minute: 600'));
    ws.write('suites/r.suite.yaml', 'kind: suite\nid: r\nscenarios: [telecom-upgrade]\nsamples: 2\nsimulator: sim\nconcurrency: 2\n');
    const before = server.requests.length;
    const t0 = Date.now();
    await runSuite({ root: ws.root, suiteFile: join(ws.root, 'suites/r.suite.yaml'), secret });
    const calls = server.requests.length - before;
    assert.equal(calls, 8);
    assert.ok(Date.now() - t0 >= (calls - 1) * 100 - 20, `8 calls at 600/min took ${Date.now() - t0} ms`);
  });

  it('scores judge components and paper metrics with the suite judge, and thresholds on metrics', async () => {
    ws.write('userlm.yaml', `kind: workspace\nbackends:\n  - id: judge\n    type: openai-compatible\n    base_url: ${judge.url}\n    model: judge-model\n    max_retries: 0\n`);
    ws.write('suites/j.suite.yaml', 'kind: suite\nid: j\nscenarios: [telecom-upgrade]\nsamples: 2\njudge: judge\nrewards: ../rewards/default.rewards.yaml\nthresholds: {Pers: 0.7, Rob: 0.3, Goal: 0.5}\n');
    const { runDir, summary } = await runSuite({ root: ws.root, suiteFile: join(ws.root, 'suites/j.suite.yaml'), secret: noSecret });
    assert.deepEqual(summary.metrics.Pers, { value: round6(7 / 9), source: 'judge' });
    assert.deepEqual(summary.metrics.Rob, { value: round6(2 / 9), source: 'judge' });
    assert.deepEqual(summary.metrics.Role, { value: 1, source: 'judge' });
    assert.equal(summary.metrics.Goal.source, 'rule', 'the judge never gives Goal a score: the rule value stands in');
    assert.equal(typeof summary.metrics.Goal.value, 'number');
    assert.deepEqual(summary.no_judge, ['goal_progress']);
    assert.ok(summary.failures.every((f) => !f.failed.some((x) => x.startsWith('Goal (no value)'))), JSON.stringify(summary.failures));
    const html = renderReportHtml(runDir);
    assert.ok(html.includes('0.778') && html.includes('Rob (lower is better)'));
    assert.ok(existsSync(join(ws.root, '.userlm', 'judge-cache')), 'judge replies cached in the workspace');
  });

  it('escapes everything it puts in HTML', () => {
    assert.equal(escapeHtml(`<script>alert("x") & 'y'</script>`), '&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;');
  });
});

describe('runs: previews', () => {
  it('streams turns and each user turn\'s rule rewards, then returns the scored transcript', async () => {
    const events: PreviewEvent[] = [];
    const t = await previewDialogue({
      root: SAMPLES, scenarioFile: join(SAMPLES, 'scenarios/telecom-bundle-pressure.scenario.yaml'), agent: 'adversarial', seed: 4,
      secret: noSecret, onEvent: (e) => events.push(e),
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(t.run_id, 'preview');
    assert.equal(t.agent, 'adversarial');
    const turnEvents = events.filter((e) => e.type === 'turn');
    assert.equal(turnEvents.length, t.turns.length);
    const rewardEvents = events.filter((e): e is Extract<PreviewEvent, { type: 'rewards' }> => e.type === 'rewards');
    const users = t.turns.filter((u) => u.speaker === 'user');
    assert.equal(rewardEvents.length, users.length);
    for (const e of rewardEvents) {
      const u = users.find((x) => x.index === e.turnIndex)!;
      assert.deepEqual(e.rewards, u.rewards, `turn ${e.turnIndex}: streamed rewards equal the final ones`);
      assert.equal(e.score, u.score);
    }
    assert.equal(events[events.length - 1].type === 'end' || events.some((e) => e.type === 'end'), true);
    assert.ok('termination' in t.rewards.session);
  });

  it('is deterministic for a seed and varies across seeds', async () => {
    const run = (seed: number) => previewDialogue({ root: SAMPLES, scenarioFile: join(SAMPLES, 'scenarios/telecom-upgrade.scenario.yaml'), seed, secret: noSecret });
    const strip = (t: Transcript) => JSON.stringify(t.turns.map((u) => u.text));
    const [a, b, c] = await Promise.all([run(1), run(1), run(2)]);
    assert.equal(strip(a), strip(b));
    assert.deepEqual(a.rewards, b.rewards);
    assert.notEqual(strip(a), strip(c));
  });
});
