// Benchmark: the eval runner against the local OpenAI-compatible server (run in its own process,
// so this process's CPU time is the runner's own) with a fixed 50 ms per call.
// 400 dialogues at concurrency 32 must finish within 10% of the ideal time
// (dialogues / concurrency x calls per dialogue x 50 ms), and the runner's CPU time per turn
// must stay under 1 ms. Run: npm run bench:eval
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { runSuite, readTranscripts } from '../../core/runs';
import { createChatClient } from '../../core/backends/chat';
import { localWorkspaceYaml, REPO, sampleWorkspace } from '../unit/runs/fixtures';

const DIALOGUES = 400;
const CONCURRENCY = 32;
const LATENCY_MS = 50;

async function startServerProcess(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, [join(REPO, 'out/test/support/openai-server-main.js'), '--latency-ms', String(LATENCY_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (line) => { const m = /^listening (\S+)/.exec(line); if (m) resolve(m[1]); else reject(new Error(`unexpected: ${line}`)); });
    child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

async function main(): Promise<void> {
  const server = await startServerProcess();
  const ws = sampleWorkspace();
  try {
    // The backend streams (SSE), as configured by default; `--no-stream` measures one JSON body per call.
    const stream = !process.argv.includes('--no-stream');
    ws.write('userlm.yaml', localWorkspaceYaml(server.url).replace('    max_retries: 0', `    max_retries: 0\n    stream: ${stream}`));
    const scenarios = ['telecom-upgrade', 'refund-damaged-blender', 'insurance-renewal-review', 'recruiting-screening-call', 'debt-collection-hardship'];
    ws.write('suites/bench.suite.yaml', `kind: suite\nid: bench\nscenarios: [${scenarios.join(', ')}]\nsamples: ${DIALOGUES / scenarios.length}\nsimulator: sim\nagent: scripted\nconcurrency: ${CONCURRENCY}\n`);
    process.env.USERLM_TEST_KEY = 'bench-key';
    const secret = (ref: string) => (ref.startsWith('env:') ? process.env[ref.slice(4)] : undefined);
    // Warm-up (JIT, connection setup) on a small run, then the measured run.
    ws.write('suites/warm.suite.yaml', 'kind: suite\nid: warm\nscenarios: [telecom-upgrade]\nsamples: 8\nsimulator: sim\nagent: scripted\nconcurrency: 8\n');
    await runSuite({ root: ws.root, suiteFile: join(ws.root, 'suites/warm.suite.yaml'), secret });

    // Baseline in the same run: the engine's chat client alone (the `openai` SDK over HTTP), the same
    // number of calls with the same concurrency and latency, no dialogue loop, no scoring, no files.
    const client = createChatClient({ id: 'baseline', type: 'openai-compatible', base_url: server.url, model: 'sim-think', concurrency: 64, max_retries: 0, stream }, 'bench-key');
    const messages = [{ role: 'system' as const, content: 'You are playing a user in a phone call.' }, { role: 'user' as const, content: 'Hello, this is Sam from Northwind Mobile.' }];
    const calls = DIALOGUES * 4;
    const b0 = process.cpuUsage();
    const bt0 = performance.now();
    let nextCall = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (nextCall++ < calls) await client.complete({ messages }); }));
    const baseWall = performance.now() - bt0;
    const bc = process.cpuUsage(b0);
    const baseIdeal = (calls / CONCURRENCY) * LATENCY_MS;
    const baseCpuPerCall = (bc.user + bc.system) / 1000 / calls;
    console.log(`baseline, the chat client alone: ${calls} calls at concurrency ${CONCURRENCY}: wall ${baseWall.toFixed(0)} ms, ideal ${baseIdeal.toFixed(0)} ms, measured/ideal ${(baseWall / baseIdeal).toFixed(3)}; CPU ${baseCpuPerCall.toFixed(3)} ms per call`);

    // Measured from the first dialogue to the written summary (suite loading excluded).
    let cpu0 = process.cpuUsage();
    let t0 = performance.now();
    const { runDir, summary } = await runSuite({
      root: ws.root, suiteFile: join(ws.root, 'suites/bench.suite.yaml'), secret,
      onStart: () => { cpu0 = process.cpuUsage(); t0 = performance.now(); },
    });
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const ts = readTranscripts(runDir);
    const userTurns = ts.reduce((n, t) => n + t.turns.filter((u) => u.speaker === 'user').length, 0);
    const allTurns = ts.reduce((n, t) => n + t.turns.length, 0);
    const callsPerDialogue = userTurns / ts.length; // the llm simulator makes one call per user turn; the scripted agent none
    const idealMs = (ts.length / CONCURRENCY) * callsPerDialogue * LATENCY_MS;
    const ratio = wallMs / idealMs;
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const cpuPerTurn = cpuMs / allTurns;
    console.log(`eval runner: ${ts.length} dialogues (${summary.errors} errors), concurrency ${CONCURRENCY}, ${LATENCY_MS} ms per call, ${callsPerDialogue.toFixed(2)} calls per dialogue, ${stream ? 'streamed (SSE)' : 'not streamed'}`);
    console.log(`  wall ${wallMs.toFixed(0)} ms, ideal ${idealMs.toFixed(0)} ms, measured/ideal ${ratio.toFixed(3)} (target <= 1.10)`);
    console.log(`  runner CPU ${cpuMs.toFixed(0)} ms for ${allTurns} turns (${userTurns} user turns): ${cpuPerTurn.toFixed(3)} ms per turn, ${(cpuMs / userTurns).toFixed(3)} ms per user turn (target < 1 ms per turn)`);
    console.log(`  against the baseline: eval wall / chat-client-alone wall = ${(wallMs / baseWall).toFixed(3)}; the chat client alone accounts for ~${((baseCpuPerCall * userTurns) / allTurns).toFixed(3)} ms of CPU per turn`);
    // The engine's own CPU (dialogue loop, scoring, storage) without any HTTP or SDK work: the same
    // 400 dialogues with the built-in agenda simulator against the scripted agent.
    ws.write('suites/local.suite.yaml', `kind: suite\nid: local\nscenarios: [${scenarios.join(', ')}]\nsamples: ${DIALOGUES / scenarios.length}\nsimulator: agenda\nagent: scripted\nconcurrency: ${CONCURRENCY}\n`);
    let lc0 = process.cpuUsage();
    const local = await runSuite({ root: ws.root, suiteFile: join(ws.root, 'suites/local.suite.yaml'), secret, onStart: () => { lc0 = process.cpuUsage(); } });
    const lc = process.cpuUsage(lc0);
    const localTurns = readTranscripts(local.runDir).reduce((n, t) => n + t.turns.length, 0);
    const localPerTurn = (lc.user + lc.system) / 1000 / localTurns;
    console.log(`  engine alone (agenda simulator, no HTTP): ${((lc.user + lc.system) / 1000).toFixed(0)} ms for ${localTurns} turns: ${localPerTurn.toFixed(3)} ms per turn (target < 1 ms per turn)`);
    const ok = ts.length === DIALOGUES && summary.errors === 0 && ratio <= 1.1 && cpuPerTurn < 1 && localPerTurn < 1;
    console.log(ok ? 'OK' : 'FAILED');
    process.exitCode = ok ? 0 : 1;
  } finally {
    server.stop();
    ws.dispose();
  }
}

void main();
