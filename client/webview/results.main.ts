// The results panel (browser side): a run's table per scenario and split (dialogues, pass/fail,
// mean total, paper metrics), a histogram of totals, the dialogues (open one in the preview
// panel); or two runs side by side with deltas.
import type { FromResults, ResultsRenderedState, RunResults, ToResults } from '../protocol';
import type { Comparison, Delta, GroupComparison } from '../../core/runs/compare';
import { PAPER_METRICS } from '../protocol';
import { fmt, h, histogram, layoutState, scroller } from './dom';

declare function acquireVsCodeApi(): { postMessage(m: FromResults): void; getState(): unknown; setState(s: unknown): void };
const vscode = acquireVsCodeApi();
const post = (m: FromResults) => vscode.postMessage(m);
const app = document.getElementById('app')!;

type Shown = Extract<ToResults, { type: 'show' }>;
let shown = vscode.getState() as Shown | undefined;

const rate = (r: RunResults['rows'][number]) => (r.dialogues ? r.passed / r.dialogues : 0);

function render(): void {
  app.replaceChildren();
  if (!shown) { app.append(h('p', { class: 'empty' }, 'Run an eval suite to see results here.')); return; }
  if (shown.mode === 'single') app.append(single(shown.a));
  else app.append(compare(shown.a, shown.b, shown.comparison));
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
    r.rows.map((row) => h('tr', null,
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
    h('h2', null, 'By scenario and split'), scroller(table),
    h('h2', null, 'Totals'), histogram(r.dialogues.map((d) => d.total).filter((x): x is number => x !== null)),
    h('h2', null, 'Dialogues'), scroller(dialogues));
}

function deltaCell(d: Delta | undefined, lowerIsBetter: boolean): HTMLElement {
  if (!d || d.delta === null) return h('td', { class: 'dim' }, d && (d.a !== null || d.b !== null) ? `${fmt(d.a)} → ${fmt(d.b)}` : '—');
  const better = lowerIsBetter ? d.delta < 0 : d.delta > 0;
  return h('td', { class: `delta ${Math.abs(d.delta) < 1e-9 ? '' : better ? 'up' : 'down'}`, title: `${fmt(d.a)} → ${fmt(d.b)}` },
    `${fmt(d.a)} → ${fmt(d.b)} `, h('b', null, `(${d.delta >= 0 ? '+' : ''}${d.delta.toFixed(2)})`));
}

/** One table of a comparison: a row per group (scenario, split or overall), a column per value. */
function comparisonTable(title: string, groups: Record<string, GroupComparison>, keys: string[]): HTMLElement {
  return h('div', null, h('h2', null, title),
    scroller(h('table', { class: 'compare-table' },
      h('tr', null, h('th', null, title.split(' ').pop()), h('th', null, 'dialogues'), keys.map((k) => h('th', null, k === 'Rob' ? 'Rob ↓' : k.replace(/_/g, ' ')))),
      Object.entries(groups).map(([name, g]) => h('tr', null, h('td', null, name), h('td', null, `${g.dialogues.a} → ${g.dialogues.b}`), keys.map((k) => deltaCell(g.values[k], k === 'Rob')))))));
}

function compare(a: RunResults, b: RunResults, c: Comparison): HTMLElement {
  const all = [c.overall, ...Object.values(c.by_scenario), ...Object.values(c.by_split)];
  const has = (k: string) => all.some((g) => g.values[k] && (g.values[k].a !== null || g.values[k].b !== null));
  const keys = ['total', 'pass_rate', ...PAPER_METRICS.filter(has)];
  const components = Object.keys(c.overall.values).filter((k) => !keys.includes(k) && !(PAPER_METRICS as readonly string[]).includes(k));
  return h('div', null,
    h('header', null, h('h1', null, `Compare ${a.runId} → ${b.runId}`),
      h('div', { class: 'meta' }, h('span', null, 'A ', h('code', null, a.suiteId ?? a.runId)), h('span', null, 'B ', h('code', null, b.suiteId ?? b.runId)),
        PAPER_METRICS.some(has) ? null : h('span', { class: 'dim' }, 'paper metrics: no judge'))),
    comparisonTable('By scenario', c.by_scenario, keys),
    comparisonTable('By split', c.by_split, keys),
    comparisonTable('Overall', { overall: c.overall }, keys),
    components.length ? comparisonTable('Components overall', { overall: c.overall }, components) : null,
    h('div', { class: 'compare' },
      h('div', null, h('h2', null, `A: ${a.runId}`), histogram(a.dialogues.map((d) => d.total).filter((x): x is number => x !== null))),
      h('div', null, h('h2', null, `B: ${b.runId}`), histogram(b.dialogues.map((d) => d.total).filter((x): x is number => x !== null)))));
}

function probe(): ResultsRenderedState {
  return {
    mode: shown?.mode ?? 'none',
    tables: document.querySelectorAll('table').length,
    rows: document.querySelectorAll('table.results tr, table.compare-table tr').length - document.querySelectorAll('table.results, table.compare-table').length,
    histogramBars: document.querySelectorAll('svg.histogram rect').length,
    deltas: document.querySelectorAll('td.delta').length,
    text: app.textContent ?? '',
    layout: layoutState(),
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
