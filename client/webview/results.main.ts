// The results panel (browser side): a run's table per scenario and split (dialogues, pass/fail,
// mean total, paper metrics), a histogram of totals, the dialogues (open one in the preview
// panel); or two runs side by side with deltas.
import type { FromResults, ResultsRenderedState, ResultsRow, RunResults, ToResults } from '../protocol';
import { PAPER_METRICS } from '../protocol';
import { fmt, h, histogram } from './dom';

declare function acquireVsCodeApi(): { postMessage(m: FromResults): void; getState(): unknown; setState(s: unknown): void };
const vscode = acquireVsCodeApi();
const post = (m: FromResults) => vscode.postMessage(m);
const app = document.getElementById('app')!;

type Shown = Extract<ToResults, { type: 'show' }>;
let shown = vscode.getState() as Shown | undefined;

const key = (r: ResultsRow) => `${r.scenarioId}\u0000${r.split}`;
const rate = (r: ResultsRow) => (r.dialogues ? r.passed / r.dialogues : 0);

function render(): void {
  app.replaceChildren();
  if (!shown) { app.append(h('p', { class: 'empty' }, 'Run an eval suite to see results here.')); return; }
  if (shown.mode === 'single') app.append(single(shown.a));
  else app.append(compare(shown.a, shown.b));
}

function runHeader(r: RunResults): HTMLElement {
  const passed = r.dialogues.filter((d) => d.passed).length;
  return h('header', null,
    h('div', { class: 'title' }, h('h1', null, `Run ${r.runId}`), h('span', { class: `status ${passed === r.dialogues.length ? 'pass' : 'fail'}` }, `${passed}/${r.dialogues.length} passed`)),
    h('div', { class: 'meta' },
      r.suiteId ? h('span', null, 'suite ', h('code', null, r.suiteId)) : null,
      r.startedAt ? h('span', null, r.startedAt) : null,
      h('span', null, 'thresholds ', h('code', null, Object.entries(r.thresholds).map(([k, v]) => `${k} ≥ ${v}`).join(', ') || 'none'))));
}

function single(r: RunResults): HTMLElement {
  const metricCols = PAPER_METRICS.filter((m) => r.rows.some((row) => typeof row.metrics[m] === 'number'));
  const noJudge = metricCols.length === 0;
  const table = h('table', { class: 'results' },
    h('tr', null, h('th', null, 'scenario'), h('th', null, 'split'), h('th', null, 'dialogues'), h('th', null, 'passed'), h('th', null, 'errors'), h('th', null, 'mean total'), metricCols.map((m) => h('th', null, m === 'Rob' ? 'Rob ↓' : m)), noJudge ? h('th', null, 'paper metrics') : null),
    r.rows.map((row) => h('tr', { class: row.passed === row.dialogues ? 'pass' : 'fail' },
      h('td', null, row.scenarioId), h('td', null, row.split), h('td', null, row.dialogues),
      h('td', { class: row.passed === row.dialogues ? 'pass' : 'fail' }, `${row.passed} (${(rate(row) * 100).toFixed(0)}%)`),
      h('td', null, row.errors), h('td', null, fmt(row.meanTotal)),
      metricCols.map((m) => h('td', null, fmt(row.metrics[m]))), noJudge ? h('td', { class: 'dim' }, 'no judge') : null)));
  const dialogues = h('table', { class: 'dialogues' },
    h('tr', null, h('th', null, 'dialogue'), h('th', null, 'scenario'), h('th', null, 'profile'), h('th', null, 'seed'), h('th', null, 'end'), h('th', null, 'total'), h('th', null, 'result')),
    r.dialogues.map((d) => h('tr', null,
      h('td', null, h('a', { href: '#', class: 'open-dialogue', onclick: (e: Event) => { e.preventDefault(); post({ type: 'openDialogue', runDir: r.runDir, dialogueId: d.dialogueId }); } }, d.dialogueId)),
      h('td', null, d.scenarioId), h('td', null, d.profileId), h('td', null, d.seed), h('td', null, d.end), h('td', null, fmt(d.total)),
      h('td', { class: d.passed ? 'pass' : 'fail' }, d.passed ? 'pass' : 'fail'))));
  return h('div', null, runHeader(r),
    h('h2', null, 'By scenario and split'), table,
    h('h2', null, 'Totals'), histogram(r.dialogues.map((d) => d.total)),
    h('h2', null, 'Dialogues'), dialogues);
}

function delta(a: number | null | undefined, b: number | null | undefined, lowerIsBetter = false): HTMLElement {
  if (typeof a !== 'number' || typeof b !== 'number') return h('td', { class: 'dim' }, '—');
  const d = b - a;
  const better = lowerIsBetter ? d < 0 : d > 0;
  return h('td', { class: `delta ${Math.abs(d) < 1e-9 ? '' : better ? 'up' : 'down'}` }, `${d >= 0 ? '+' : ''}${d.toFixed(2)}`);
}

function compare(a: RunResults, b: RunResults): HTMLElement {
  const rowsB = new Map(b.rows.map((r) => [key(r), r]));
  const rowsA = new Map(a.rows.map((r) => [key(r), r]));
  const keys = [...new Set([...rowsA.keys(), ...rowsB.keys()])];
  const metricCols = PAPER_METRICS.filter((m) => [...a.rows, ...b.rows].some((row) => typeof row.metrics[m] === 'number'));
  const table = h('table', { class: 'compare-table' },
    h('tr', null, h('th', null, 'scenario'), h('th', null, 'split'), h('th', null, 'pass A'), h('th', null, 'pass B'), h('th', null, 'Δ pass'), h('th', null, 'total A'), h('th', null, 'total B'), h('th', null, 'Δ total'), metricCols.map((m) => h('th', null, `Δ ${m}`))),
    keys.map((k) => {
      const ra = rowsA.get(k), rb = rowsB.get(k);
      const any = (ra ?? rb)!;
      return h('tr', null, h('td', null, any.scenarioId), h('td', null, any.split),
        h('td', null, ra ? `${ra.passed}/${ra.dialogues}` : '—'), h('td', null, rb ? `${rb.passed}/${rb.dialogues}` : '—'),
        delta(ra && rate(ra), rb && rate(rb)),
        h('td', null, fmt(ra?.meanTotal)), h('td', null, fmt(rb?.meanTotal)), delta(ra?.meanTotal, rb?.meanTotal),
        metricCols.map((m) => delta(ra?.metrics[m], rb?.metrics[m], m === 'Rob')));
    }));
  return h('div', null,
    h('h1', null, `Compare ${a.runId} → ${b.runId}`),
    table,
    h('div', { class: 'compare' },
      h('div', null, runHeader(a), histogram(a.dialogues.map((d) => d.total))),
      h('div', null, runHeader(b), histogram(b.dialogues.map((d) => d.total)))));
}

function probe(): ResultsRenderedState {
  return {
    mode: shown?.mode ?? 'none',
    tables: document.querySelectorAll('table').length,
    rows: document.querySelectorAll('table.results tr, table.compare-table tr').length - document.querySelectorAll('table.results, table.compare-table').length,
    histogramBars: document.querySelectorAll('svg.histogram rect').length,
    deltas: document.querySelectorAll('td.delta').length,
    text: app.textContent ?? '',
  };
}

window.addEventListener('message', (ev: MessageEvent<ToResults>) => {
  const m = ev.data;
  if (m.type === 'probe') { post({ type: 'probe', id: m.id, state: probe() }); return; }
  shown = m;
  vscode.setState(shown);
  render();
});

render();
post({ type: 'ready' });
