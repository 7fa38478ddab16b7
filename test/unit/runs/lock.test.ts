// Run locking: one process at a time per run directory. Real processes race for the lock (with
// and without a stale lock left by a dead process); two `userlm eval --resume` of one directory
// at once: one runs, the other refuses, and transcripts.jsonl never gets a duplicate line.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { lockRunDir, isRunLockedError, LOCK_FILE, runSuite, type LockInfo } from '../../../core/runs';
import type { Transcript } from '../../../core/generated/schema-types';
import { startOpenAIServer, type OpenAIServer } from '../../support/openai-server';
import { REPO, sampleWorkspace, type TempWorkspace } from './fixtures';
import { cliAsync, startCli } from '../cli/helpers';

const LOCK_JS = join(REPO, 'out', 'core', 'runs', 'lock.js');

/** A pid that existed and is gone: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

function writeLock(dir: string, info: Partial<LockInfo>): void {
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, host: hostname(), nonce: 'n0', command: 'test', since: new Date().toISOString(), ...info }));
}

describe('runs: the run directory lock', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'userlm-lock-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('one holder at a time, in one process too; released, it can be taken again', () => {
    const a = lockRunDir(dir, 'userlm eval --resume');
    assert.equal(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid, process.pid);
    assert.throws(() => lockRunDir(dir, 'second'), (e: Error) => isRunLockedError(e)
      && e.message.includes(`is in use by userlm eval --resume (pid ${process.pid} on ${hostname()}`) && e.message.includes('Wait for it to finish'));
    a.release();
    a.release();
    assert.ok(!existsSync(join(dir, LOCK_FILE)));
    lockRunDir(dir).release();
  });

  it('a stale lock (its process is gone) is taken over; a live, remote or damaged one is not', async () => {
    writeLock(dir, { pid: await deadPid(), nonce: 'stale' });
    const l = lockRunDir(dir, 'me');
    assert.equal(l.info.pid, process.pid);
    l.release();
    writeLock(dir, { pid: process.pid === 1 ? 2 : 1, nonce: 'live' }); // pid 1 always exists
    assert.throws(() => lockRunDir(dir), /is in use by test \(pid/);
    writeLock(dir, { pid: await deadPid(), host: 'another-host.example' });
    assert.throws(() => lockRunDir(dir), /on another-host\.example.*It runs on another host; if it is gone, delete .*run\.lock/);
    writeFileSync(join(dir, LOCK_FILE), '{"pid": ');
    assert.throws(() => lockRunDir(dir), /is in use by another process/);
  });

  it('real processes racing for one directory: exactly one wins, every round (fresh and stale locks)', async function () {
    this.timeout(120000);
    const script = `const { lockRunDir } = require(${JSON.stringify(LOCK_JS)});
process.stdout.write('ready\\n');
process.stdin.once('data', () => {
  let r;
  try { lockRunDir(${JSON.stringify(dir)}, 'racer ' + process.pid); r = 'won'; } catch (e) { r = e.code === 'USERLM_RUN_LOCKED' ? 'refused' : 'error ' + e.message; }
  process.stdout.write(r + '\\n');
  process.stdin.on('end', () => process.exit(0)); // the winner exits holding the lock: the next round finds it stale
});`;
    for (let round = 0; round < 8; round++) {
      if (round % 2 === 0) rmSync(join(dir, LOCK_FILE), { force: true });
      else assert.ok(existsSync(join(dir, LOCK_FILE)), 'the last winner left a stale lock');
      const children: ChildProcess[] = Array.from({ length: 4 }, () => spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] }));
      const lines = children.map((c) => { const rl = createInterface({ input: c.stdout! }); const it = rl[Symbol.asyncIterator](); return () => it.next().then((x) => String(x.value)); });
      assert.deepEqual(await Promise.all(lines.map((next) => next())), ['ready', 'ready', 'ready', 'ready']);
      for (const c of children) c.stdin!.write('go\n');
      const results = await Promise.all(lines.map((next) => next()));
      assert.equal(results.filter((r) => r === 'won').length, 1, `round ${round}: ${results.join(', ')}`);
      assert.equal(results.filter((r) => r === 'refused').length, 3, `round ${round}: ${results.join(', ')}`);
      await Promise.all(children.map((c) => { const exited = new Promise((r) => c.once('exit', r)); c.stdin!.end(); return exited; }));
    }
  });
});

/** An HTTP proxy in front of the test server that holds every request until `open()`. */
async function gate(target: string): Promise<{ url: string; open(): void; held(): Promise<void>; close(): Promise<void> }> {
  let open!: () => void;
  const opened = new Promise<void>((r) => { open = r; });
  let firstHeld!: () => void;
  const someHeld = new Promise<void>((r) => { firstHeld = r; });
  const t = new URL(target);
  const server: Server = createServer((req, res) => {
    firstHeld();
    const body: Buffer[] = [];
    req.on('data', (d: Buffer) => body.push(d));
    req.on('end', () => void opened.then(() => {
      const up = request({ host: t.hostname, port: t.port, path: req.url, method: req.method, headers: req.headers }, (r) => { res.writeHead(r.statusCode ?? 502, r.headers); r.pipe(res); });
      up.on('error', () => res.destroy());
      up.end(Buffer.concat(body));
    }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    open,
    held: () => someHeld,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

const workspaceYaml = (url: string) => `kind: workspace
backends:
  - id: sim
    type: openai-compatible
    base_url: ${url}
    model: sim-think
    max_retries: 0
    timeout_ms: 600000
`;

describe('runs: one process per run directory (eval --resume, the editor\'s Resume)', function () {
  this.timeout(180000);
  let server: OpenAIServer;
  let ws: TempWorkspace;
  before(async () => {
    server = await startOpenAIServer();
    ws = sampleWorkspace();
    ws.write('suites/llm.suite.yaml', 'kind: suite\nid: llm\nscenarios: [telecom-upgrade, refund-damaged-blender]\nsamples: 2\nsimulator: sim\nagent: scripted\nconcurrency: 2\n');
  });
  after(async () => { await server.close(); ws.dispose(); });

  it('the core runner (what the editor\'s Resume calls) refuses a directory in use, before touching it', async () => {
    ws.write('userlm.yaml', workspaceYaml(server.url));
    const suiteFile = join(ws.root, 'suites/llm.suite.yaml');
    const first = await runSuite({ root: ws.root, suiteFile, outDir: join(ws.root, 'core-runs'), select: { limit: 1 }, secret: () => undefined });
    const before = readFileSync(join(first.runDir, 'transcripts.jsonl'), 'utf8');
    const held = lockRunDir(first.runDir, 'userlm eval --resume');
    try {
      await assert.rejects(runSuite({ root: ws.root, suiteFile, resumeDir: first.runDir, secret: () => undefined }),
        (e: Error) => isRunLockedError(e) && /is in use by userlm eval --resume/.test(e.message));
    } finally {
      held.release();
    }
    assert.equal(readFileSync(join(first.runDir, 'transcripts.jsonl'), 'utf8'), before, 'nothing written by the refused resume');
    // Two resumes at once in one process (a double click): the winner's requests are held until
    // the other has settled, so the other always meets the lock.
    const g = await gate(server.url);
    ws.write('userlm.yaml', workspaceYaml(g.url));
    try {
      const both = [1, 2].map(() => runSuite({ root: ws.root, suiteFile, resumeDir: first.runDir, secret: () => undefined, owner: 'the editor' }));
      const loser = await Promise.race(both.map((p) => p.then(() => 'ran', (e: Error) => e)));
      assert.ok(isRunLockedError(loser), String(loser));
      assert.match((loser as Error).message, /is in use by the editor/);
      g.open();
      const settled = await Promise.allSettled(both);
      assert.equal(settled.filter((r) => r.status === 'fulfilled').length, 1);
    } finally {
      await g.close();
    }
    const ids = readFileSync(join(first.runDir, 'transcripts.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as Transcript).dialogue_id);
    assert.equal(ids.length, 4);
    assert.equal(new Set(ids).size, 4, 'no duplicates');
    assert.ok(!existsSync(join(first.runDir, LOCK_FILE)), 'released at the end');
  });

  it('two `userlm eval --resume` processes on one directory: one runs, the other refuses (exit 3); no duplicate lines', async () => {
    for (let round = 0; round < 2; round++) {
      const g = await gate(server.url);
      try {
        ws.write('userlm.yaml', workspaceYaml(g.url));
        g.open(); // the first dialogue runs freely
        const first = await cliAsync(['eval', 'suites/llm.suite.yaml', '--out', `race-runs-${round}`, '--limit', '1'], ws.root);
        assert.equal(first.code, 0, first.stderr + first.stdout);
        const runDir = join(ws.root, /run directory: (.+)/.exec(first.stdout)![1].trim());
        const again = await gate(server.url);
        ws.write('userlm.yaml', workspaceYaml(again.url));
        try {
          // Both start at once. The winner's requests are held until the loser has exited, so the
          // loser always meets a live lock however slow the machine is.
          const a = startCli(['eval', 'suites/llm.suite.yaml', '--resume', runDir], ws.root);
          const b = startCli(['eval', 'suites/llm.suite.yaml', '--resume', runDir], ws.root);
          const loser = await Promise.race([a.done.then((r) => ({ r, other: b })), b.done.then((r) => ({ r, other: a }))]);
          assert.equal(loser.r.code, 3, loser.r.stderr + loser.r.stdout);
          assert.match(loser.r.stderr, /userlm eval: .* is in use by userlm eval --resume \(.*llm\.suite\.yaml\) \(pid \d+ on .*\): one process at a time writes a run/);
          again.open();
          const winner = await loser.other.done;
          assert.equal(winner.code, 0, winner.stderr + winner.stdout);
          assert.match(winner.stderr, /4 dialogues \(1 already finished\)/);
        } finally {
          await again.close();
        }
        const lines = readFileSync(join(runDir, 'transcripts.jsonl'), 'utf8').split('\n').filter(Boolean);
        const ids = lines.map((l) => (JSON.parse(l) as Transcript).dialogue_id);
        assert.equal(ids.length, 4, lines.join('\n'));
        assert.equal(new Set(ids).size, 4, 'no duplicate lines');
        assert.ok(!existsSync(join(runDir, LOCK_FILE)));
      } finally {
        await g.close();
      }
    }
  });
});
