// The training metrics panel (browser side): one inline-SVG line chart per series (loss, reward,
// each reward/<component>) over training steps, redrawn as the job's log grows.
import type { FromMetrics, MetricsModel, MetricsRenderedState, ProgressPoint, ToMetrics } from '../protocol';
import { chartSeries, stepCount } from '../training/protocol';
import { fmt, h, s } from './dom';

declare function acquireVsCodeApi(): { postMessage(m: FromMetrics): void; getState(): unknown; setState(s: unknown): void };
const vscode = acquireVsCodeApi();
const post = (m: FromMetrics) => vscode.postMessage(m);
const app = document.getElementById('app')!;
let model = vscode.getState() as MetricsModel | undefined;

const W = 420;
const H = 150;
const PAD = { left: 44, right: 10, top: 10, bottom: 22 };
const COLORS = ['--vscode-charts-blue', '--vscode-charts-green', '--vscode-charts-orange', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'];

/** A line chart of one series over steps, with min/max and first/last step labels. */
function chart(name: string, points: ProgressPoint[], color: string): HTMLElement {
  const pts = points.filter((p) => typeof p[name] === 'number').map((p) => [p.step, p[name] as number] as const);
  const steps = pts.map(([x]) => x);
  const values = pts.map(([, y]) => y);
  const [x0, x1] = [Math.min(...steps), Math.max(...steps)];
  let [y0, y1] = [Math.min(...values), Math.max(...values)];
  if (y0 === y1) { y0 -= 0.5; y1 += 0.5; }
  const px = (x: number) => PAD.left + (x1 === x0 ? 0.5 : (x - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const py = (y: number) => PAD.top + (1 - (y - y0) / (y1 - y0)) * (H - PAD.top - PAD.bottom);
  const svg = s('svg', { class: 'metric-chart', width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${name} over steps`, 'data-series': name });
  const axis = s('path', { class: 'axis-line', d: `M${PAD.left} ${PAD.top}V${H - PAD.bottom}H${W - PAD.right}`, fill: 'none' });
  axis.style.stroke = 'var(--vscode-editorWidget-border, #888)';
  const line = s('polyline', { class: 'series', points: pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' '), fill: 'none', 'stroke-width': 2 });
  line.style.stroke = `var(${color})`;
  svg.append(axis, line);
  for (const [x, y] of pts) {
    const dot = s('circle', { class: 'point', cx: px(x).toFixed(1), cy: py(y).toFixed(1), r: 2.5 }, s('title', null, `step ${x}: ${fmt(y, 4)}`));
    dot.style.fill = `var(${color})`;
    svg.append(dot);
  }
  const label = (x: number, y: number, text: string, anchor: string) => {
    const t = s('text', { class: 'axis', x, y, 'text-anchor': anchor }, text);
    t.style.fill = 'var(--vscode-descriptionForeground)';
    t.style.fontSize = '10px';
    return t;
  };
  svg.append(label(PAD.left - 4, PAD.top + 8, fmt(y1, 3), 'end'), label(PAD.left - 4, H - PAD.bottom, fmt(y0, 3), 'end'),
    label(PAD.left, H - 6, `step ${x0}`, 'start'), label(W - PAD.right, H - 6, `step ${x1}`, 'end'));
  const last = values[values.length - 1];
  return h('section', { class: 'metric' }, h('h2', null, name, ' ', h('span', { class: 'dim' }, `last ${fmt(last, 4)} · ${pts.length} point${pts.length === 1 ? '' : 's'}`)), svg);
}

function render(): void {
  app.replaceChildren();
  if (!model) { app.append(h('p', { class: 'empty' }, 'Open a training job\'s metrics from the Jobs view.')); return; }
  const series = chartSeries(model.points);
  app.append(h('header', null,
    h('div', { class: 'title' }, h('h1', null, `Training job ${model.jobId}`), h('span', { class: `status ${model.status === 'SUCCEEDED' || model.status === 'succeeded' ? 'pass' : model.terminal ? 'fail' : ''}`.trim() }, model.status)),
    h('div', { class: 'meta' }, h('span', null, 'backend ', h('code', null, model.backendId)), h('span', null, `${stepCount(model.points)} step${stepCount(model.points) === 1 ? '' : 's'} logged`), model.terminal ? null : h('span', { class: 'dim' }, 'live'))));
  if (model.error) app.append(h('p', { class: 'fail' }, model.error));
  if (!series.length) { app.append(h('p', { class: 'empty' }, model.terminal ? 'The job logged no progress lines.' : 'Waiting for the first logging step…')); return; }
  const charts = h('div', { class: 'charts' }, series.map((name, i) => chart(name, model!.points, COLORS[i % COLORS.length])));
  Object.assign(charts.style, { display: 'flex', flexWrap: 'wrap', gap: '8px 24px' }); // CSSOM: allowed by the strict CSP
  app.append(charts);
}

function probe(): MetricsRenderedState {
  const series: Record<string, number> = {};
  for (const svg of Array.from(document.querySelectorAll('svg.metric-chart'))) series[svg.getAttribute('data-series') ?? ''] = svg.querySelectorAll('circle.point').length;
  return { jobId: model?.jobId ?? '', status: model?.status ?? '', series, charts: Object.keys(series).length, text: app.textContent ?? '' };
}

window.addEventListener('message', (ev: MessageEvent<ToMetrics>) => {
  const m = ev.data;
  if (m.type === 'probe') { post({ type: 'probe', id: m.id, state: probe() }); return; }
  model = m.model;
  vscode.setState(model);
  render();
});

render();
post({ type: 'ready' });
