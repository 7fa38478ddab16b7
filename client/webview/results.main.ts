// The results panel (browser side): a run's table per scenario and split (dialogues, pass/fail,
// mean total, metrics labelled rule or judge), its reward components with their definitions, a
// histogram of totals, the dialogues with the cause of each failure (open one in the preview
// panel); or two runs side by side with deltas. Names of components and metrics show their
// one-line definition on hover.
import type { FromResults, ResultsRenderedState, RunResults, ToResults } from '../protocol';
import type { Comparison, Delta, GroupComparison } from '../../core/runs/compare';
import { LOWER_IS_BETTER } from '../protocol';
import { defined, definitionsShown, fmt, h, histogram, layoutState, metricHeading, metricSourcesShown, metricValue, scroller } from './dom';

declare function acquireVsCodeApi(): { postMessage(m: FromResults): void; getState(): unknown; setState(s: unknown): void };
const vscode = acquireVsCodeApi();
const post = (m: FromResults) => vscode.postMessage(m);
const app = document.getElementById('app')!;

type Shown = Extract<ToResults, { type: 'show' }>;
let shown = vscode.getState() as Shown | undefined;

const pct = (r: RunResults['rows'][number]) => `${r.passed} (${(r.dialogues ? (r.passed / r.dialogues) * 100 : 0).toFixed(0)}%)`;

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
      r.simulator ? h('span', null, 'simulator ', h('code', null, r.simulator)) : null,
      h('span', null, 'agent ', h('code', null, r.agent ?? 'scenario default')),
      h('span', null, 'judge ', h('code', null, r.judge ?? 'none')),
      r.seed !== undefined ? h('span', null, 'seed ', h('code', null, r.seed)) : null,
      r.startedAt ? h('span', null, r.startedAt.replace('T', ' ').slice(0, 19)) : null,
      h('span', null, 'thresholds ', h('code', null, Object.entries(r.thresholds).map(([k, v]) => `${k} ${k === LOWER_IS_BETTER ? '≤' : '≥'} ${v}`).join(', ') || 'none'))));
}

function single(r: RunResults): HTMLElement {
  const defs = r.rewards?.definitions;
  // every metric has a column (with its definition on hover); those nothing measured say "no judge"
  const metricCols = r.rewards?.metrics ?? [];
  const table = h('table', { class: 'results' },
    h('tr', null, h('th', null, 'scenario'), h('th', null, 'split'), h('th', null, 'dialogues'), h('th', null, 'passed'), h('th', null, 'errors'), h('th', null, 'mean total'),
      metricCols.map((m) => h('th', null, metricHeading(m, defs))), metricCols.length ? null : h('th', null, 'metrics')),
    r.rows.map((row) => h('tr', null,
      h('td', null, row.scenarioId), h('td', null, row.split), h('td', null, row.dialogues),
      h('td', { class: row.passed === row.dialogues ? 'pass' : 'fail' }, pct(row)),
      h('td', null, row.errors), h('td', null, fmt(row.meanTotal)),
      metricCols.map((m) => h('td', null, metricValue(m, row.metrics[m]))), metricCols.length ? null : h('td', { class: 'dim' }, 'no judge'))));
  const components = r.components?.length ? h('table', { class: 'components' },
    h('tr', null, h('th', null, 'component'), h('th', null, 'level'), h('th', null, 'weight'), h('th', null, 'mean'), h('th', { class: 'left' }, 'what it measures')),
    r.components.map((c) => h('tr', null, h('td', null, defined(c.name, defs)), h('td', null, c.level), h('td', null, c.weight === null ? '—' : `×${c.weight}`), h('td', null, fmt(c.mean)), h('td', { class: 'wrap dim' }, defs?.[c.name] ?? '')))) : null;
  const totals = r.dialogues.map((d) => d.total).filter((x): x is number => x !== null);
  const noTotal = r.dialogues.length - totals.length;
  const dialogues = h('table', { class: 'dialogues' },
    h('tr', null, h('th', null, 'dialogue'), h('th', null, 'scenario'), h('th', null, 'profile'), h('th', null, 'seed'), h('th', null, 'end'), h('th', null, 'total'), h('th', null, 'result'), h('th', { class: 'left' }, 'cause')),
    r.dialogues.map((d) => h('tr', null,
      h('td', null, h('a', { href: '#', class: 'open-dialogue', onclick: (e: Event) => { e.preventDefault(); post({ type: 'openDialogue', runDir: r.runDir, dialogueId: d.dialogueId }); } }, d.dialogueId)),
      h('td', null, d.scenarioId), h('td', null, d.profileId), h('td', null, d.seed), h('td', null, d.end),
      d.total === null ? h('td', { class: 'dim no-total', title: `a ${d.end === 'error' ? 'dialogue that ended with an error' : 'cancelled dialogue'} has no total` }, 'no total') : h('td', null, fmt(d.total)),
      h('td', { class: d.passed ? 'pass' : 'fail' }, d.passed ? 'pass' : 'fail'),
      h('td', { class: 'wrap cause' }, d.cause ?? ''))));
  return h('div', null, runHeader(r),
    h('h2', null, 'By scenario and split'), scroller(table),
    components ? [h('h2', null, 'Reward components'), scroller(components)] : null,
    h('h2', null, 'Totals', noTotal ? h('span', { class: 'dim' }, ` — ${noTotal} dialogue${noTotal > 1 ? 's' : ''} without a total (cancelled or errored)`) : null), histogram(totals),
    h('h2', null, 'Dialogues'), scroller(dialogues));
}

function deltaCell(d: Delta | undefined, lowerIsBetter: boolean): HTMLElement {
  if (!d || d.delta === null) return h('td', { class: 'dim' }, d && (d.a !== null || d.b !== null) ? `${fmt(d.a)} → ${fmt(d.b)}` : '—');
  const better = lowerIsBetter ? d.delta < 0 : d.delta > 0;
  return h('td', { class: `delta ${Math.abs(d.delta) < 1e-9 ? '' : better ? 'up' : 'down'}`, title: `${fmt(d.a)} → ${fmt(d.b)}` },
    `${fmt(d.a)} → ${fmt(d.b)} `, h('b', null, `(${d.delta >= 0 ? '+' : ''}${d.delta.toFixed(2)})`));
}

/** A metric heading in a comparison: its name (definition on hover) and where A's and B's values come from. */
function compareHeading(k: string, a: RunResults, b: RunResults, defs: Record<string, string>): (HTMLElement | string)[] {
  const sa = a.metrics?.[k]?.source;
  const sb = b.metrics?.[k]?.source;
  if (!sa && !sb) return [defined(k, defs, k.replace(/_/g, ' '))];
  const src = sa === sb ? sa! : `A ${sa ?? '—'} · B ${sb ?? '—'}`;
  return [metricHeading(k, defs), ' ', h('span', { class: `src src-${sa === sb ? sa : 'mixed'}`, 'data-metric': k, 'data-source': src }, src)];
}

/** One table of a comparison: a row per group (scenario, split or overall), a column per value. */
function comparisonTable(title: string, groups: Record<string, GroupComparison>, keys: string[], heading: (k: string) => (HTMLElement | string)[]): HTMLElement {
  return h('div', null, h('h2', null, title),
    scroller(h('table', { class: 'compare-table' },
      h('tr', null, h('th', null, title.split(' ').pop()), h('th', null, 'dialogues'), keys.map((k) => h('th', null, ...heading(k)))),
      Object.entries(groups).map(([name, g]) => h('tr', null, h('td', null, name), h('td', null, `${g.dialogues.a} → ${g.dialogues.b}`), keys.map((k) => deltaCell(g.values[k], k === LOWER_IS_BETTER)))))));
}

function compare(a: RunResults, b: RunResults, c: Comparison): HTMLElement {
  const defs = { ...(b.rewards?.definitions ?? {}), ...(a.rewards?.definitions ?? {}) };
  const metrics = [...new Set([...(a.rewards?.metrics ?? []), ...(b.rewards?.metrics ?? [])])];
  const all = [c.overall, ...Object.values(c.by_scenario), ...Object.values(c.by_split)];
  const has = (k: string) => all.some((g) => g.values[k] && (g.values[k].a !== null || g.values[k].b !== null));
  const keys = ['total', 'pass_rate', ...metrics.filter(has)];
  const components = Object.keys(c.overall.values).filter((k) => !keys.includes(k) && !metrics.includes(k));
  const heading = (k: string) => (metrics.includes(k) ? compareHeading(k, a, b, defs) : [k.replace(/_/g, ' ')]);
  const levels = { ...(b.rewards?.levels ?? {}), ...(a.rewards?.levels ?? {}) };
  return h('div', null,
    h('header', null, h('h1', null, `Compare ${a.runId} → ${b.runId}`),
      h('div', { class: 'meta' }, h('span', null, 'A ', h('code', null, [a.suiteId ?? a.runId, a.simulator].filter(Boolean).join(' · '))), h('span', null, 'B ', h('code', null, [b.suiteId ?? b.runId, b.simulator].filter(Boolean).join(' · '))),
        metrics.some(has) ? null : h('span', { class: 'dim' }, 'metrics: no judge'))),
    comparisonTable('By scenario', c.by_scenario, keys, heading),
    comparisonTable('By split', c.by_split, keys, heading),
    comparisonTable('Overall', { overall: c.overall }, keys, heading),
    components.length ? h('div', null, h('h2', null, 'Reward components overall'),
      scroller(h('table', { class: 'compare-components' },
        h('tr', null, h('th', null, 'component'), h('th', null, 'level'), h('th', null, 'A → B'), h('th', { class: 'left' }, 'what it measures')),
        components.map((k) => h('tr', null, h('td', null, defined(k, defs)), h('td', null, levels[k] ?? ''), deltaCell(c.overall.values[k], false), h('td', { class: 'wrap dim' }, defs[k] ?? '')))))) : null,
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
    definitions: definitionsShown(app),
    metricSources: metricSourcesShown(app),
    noTotal: document.querySelectorAll('td.no-total').length,
    causes: Array.from(document.querySelectorAll('td.cause')).map((td) => td.textContent ?? '').filter(Boolean),
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
