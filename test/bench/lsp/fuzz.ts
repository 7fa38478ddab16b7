// `npm run bench:fuzz`: 20,000+ hostile documents through the real server (mutated samples, the
// issue's repro, alias bombs, deep nesting, huge lines, binary, new files, 200,000-line
// collections), each followed by random requests at random and absurd positions. Prints the
// latency distribution, the slowest requests on files under 100 KB and the server's peak RSS;
// exits 1 on a crash, an unanswered request or a request over 1 s on a file under 100 KB.
// FUZZ_DOCS, FUZZ_SEED, FUZZ_HUGE scale it.
import { fuzzServer, percentile, type Sample } from '../../unit/fuzz/server-fuzz';

const DOCS = Number(process.env.FUZZ_DOCS ?? 20000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const HUGE = Number(process.env.FUZZ_HUGE ?? 4);
const SMALL = 100 * 1024;
const fmt = (ms: number) => `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;

async function main(): Promise<void> {
  const started = Date.now();
  console.log(`fuzz benchmark: ${DOCS} documents (${HUGE} of them 200,000-line collections), 3 requests each, seed ${SEED}`);
  const report = await fuzzServer({
    seed: SEED, documents: DOCS, requestsPerDocument: 3, hugeFiles: HUGE, diagnosticsEvery: 25, answerLimitMs: 30000,
    progress: (n, r) => { if (n % 1000 === 0) console.log(`  ${n} documents, ${r.requests} requests, ${r.crashes} crashes, ${r.unanswered} unanswered, ${((Date.now() - started) / 1000).toFixed(0)} s`); },
  });
  const all = report.samples.map((s) => s.ms);
  const small = report.samples.filter((s) => s.size < SMALL);
  const smallMs = small.map((s) => s.ms);
  const overSecond = small.filter((s) => s.ms > 1000);
  const line = (label: string, xs: number[]) => console.log(`${label.padEnd(34)} n=${String(xs.length).padStart(6)}  median ${fmt(percentile(xs, 50)).padStart(8)}  p99 ${fmt(percentile(xs, 99)).padStart(8)}  max ${fmt(Math.max(0, ...xs)).padStart(8)}`);
  console.log('');
  line('all requests', all);
  line('requests on files under 100 KB', smallMs);
  const kinds = Object.keys(report.byKind).sort();
  for (const k of kinds) line(`  ${k} (${report.byKind[k]} docs)`, report.samples.filter((s) => s.kind === k).map((s) => s.ms));
  const slowest = [...small].sort((a, b) => b.ms - a.ms).slice(0, 5);
  console.log(`\nslowest on files under 100 KB: ${slowest.map((s: Sample) => `${s.method} ${fmt(s.ms)} (${s.kind}, ${(s.size / 1024).toFixed(0)} KB, doc ${s.doc})`).join('; ')}`);
  console.log(`documents ${report.documents}, requests ${report.requests}, diagnostics awaited ${report.diagnosticsAwaited}`);
  console.log(`crashes ${report.crashes}, unanswered ${report.unanswered}, error answers ${report.errors}, over 1 s on files under 100 KB: ${overSecond.length}`);
  console.log(`server peak RSS ${report.peakRssMb.toFixed(0)} MB; wall time ${((Date.now() - started) / 1000).toFixed(0)} s`);
  for (const n of report.notes) console.log(`  note: ${n}`);
  console.log('\n' + JSON.stringify({ documents: report.documents, requests: report.requests, crashes: report.crashes, unanswered: report.unanswered, errors: report.errors, medianMs: percentile(all, 50), p99Ms: percentile(all, 99), maxMs: Math.max(0, ...all), maxSmallMs: Math.max(0, ...smallMs), overSecondSmall: overSecond.length, peakRssMb: Math.round(report.peakRssMb), byKind: report.byKind }));
  if (report.crashes || report.unanswered || overSecond.length) process.exit(1);
}

if (require.main === module) main().catch((e) => { console.error(e); process.exit(1); });
