// The preview panel (browser side): streams a dialogue, shows each user turn's rationale
// (five labelled sections, collapsible, missing ones flagged), the state chart, per-turn reward
// bars with weights, totals and paper metrics; ids link to their YAML line. Its whole state is
// a PreviewModel, kept with setState so the panel restores after being hidden or reloaded.
import type { FromPreview, MetricCell, PreviewModel, RenderedState, RewardInfo, ToPreview, Transcript, Turn } from '../protocol';
import { RATIONALE_SECTIONS, STATE_KEYS } from '../protocol';
import { bar, defined, definitionsShown, fmt, h, layoutState, linkify, metricHeading, metricSourcesShown, metricValue, s, scroller } from './dom';

declare function acquireVsCodeApi(): { postMessage(m: FromPreview): void; getState(): unknown; setState(s: unknown): void };
const vscode = acquireVsCodeApi();
const post = (m: FromPreview) => vscode.postMessage(m);

let model: PreviewModel | undefined = vscode.getState() as PreviewModel | undefined;
let lastRenderMs = 0;
const instance = Math.random().toString(36).slice(2);
const app = document.getElementById('app')!;

// ---------- rendering ----------

function render(opts: { keepScroll?: boolean } = {}): void {
  const t0 = performance.now();
  const y = window.scrollY;
  app.replaceChildren();
  if (!model) {
    app.append(h('p', { class: 'empty' }, 'Open a scenario and run ▶ Preview.'));
    return;
  }
  app.append(header(model), chartSection(model), h('div', { id: 'turns' }, model.turns.map(turnView)));
  if (model.streaming) app.append(streamingView(model.streaming));
  if (model.ask) app.append(askBox(model.ask));
  if (model.error) app.append(h('div', { class: 'error', role: 'alert' }, model.error));
  if (model.transcript) app.append(totalsView(model.transcript));
  if (opts.keepScroll) window.scrollTo({ top: y });
  lastRenderMs = performance.now() - t0;
}

/** Brings the totals into view, just below the sticky header (when a dialogue ends). */
function scrollToTotals(): void {
  const totals = document.getElementById('totals');
  if (!totals) return;
  const head = document.querySelector('header')?.getBoundingClientRect().height ?? 0;
  window.scrollTo({ top: Math.max(0, window.scrollY + totals.getBoundingClientRect().top - head - 8) });
}

/** Brings the agent-line input into view and gives it the keyboard ("Play the agent"). */
function focusAsk(): void {
  const input = document.getElementById('human-input') as HTMLTextAreaElement | null;
  if (!input) return;
  document.getElementById('ask')?.scrollIntoView({ block: 'end' });
  input.focus({ preventScroll: true });
}

function header(m: PreviewModel): HTMLElement {
  const i = m.info;
  // one seed: the run's own, in the input; Re-run uses what the input says, Next seed adds one
  const seed = h('input', { type: 'number', id: 'seed', value: i.seed, title: 'the seed of this run; change it and Re-run', 'aria-label': 'seed' });
  const rerun = (next: boolean) => { const v = Number((seed as HTMLInputElement).value) || 0; post({ type: 'rerun', seed: next ? v + 1 : v, human: (human as HTMLInputElement).checked }); };
  const human = h('input', { type: 'checkbox', id: 'human', checked: i.agent === 'human' });
  const running = m.status === 'running';
  return h('header', null,
    h('div', { class: 'title' },
      h('h1', null, i.title ?? i.scenarioId),
      h('span', { class: `status status-${m.status}`, id: 'status' }, m.status)),
    h('div', { class: 'meta' },
      h('span', null, 'scenario ', h('code', null, i.scenarioId)),
      i.split ? h('span', { class: `split split-${i.split}` }, i.split) : null,
      h('span', null, 'simulator ', h('code', null, i.simulator)),
      h('span', null, 'agent ', h('code', null, i.agent)),
      h('span', null, 'judge ', h('code', null, i.judge ?? 'none')),
      i.source ? h('span', { class: 'source' }, i.source) : null),
    h('div', { class: 'actions' },
      running
        ? h('button', { id: 'stop', onclick: () => post({ type: 'stop' }) }, '■ Stop')
        : [h('button', { id: 'rerun', title: 'run again with this seed (after editing the scenario, say)', onclick: () => rerun(false) }, '↻ Re-run'),
          h('button', { id: 'next-seed', class: 'secondary', title: 'run again with the next seed', onclick: () => rerun(true) }, 'Next seed')],
      h('label', null, 'seed ', seed),
      h('label', { title: 'You type the agent\'s lines' }, human, ' Play the agent')));
}

/** Up to this many user turns the chart marks each one with a dot (long dialogues: lines only). */
const MAX_DOTS = 40;
const STATE_COLORS: Record<string, string> = { trust: 'c1', emotion: 'c2', patience: 'c3', engagement: 'c4' };

function chartSection(m: PreviewModel): HTMLElement {
  const points = m.turns.filter((t) => t.state).map((t) => ({ i: t.index, st: t.state! }));
  const w = 520, ht = 110, pad = 4;
  const svg = s('svg', { class: 'chart', width: w, height: ht, viewBox: `0 0 ${w} ${ht}`, role: 'img', 'aria-label': 'state across turns' });
  for (const y of [0, 0.5, 1]) {
    const yy = pad + (1 - y) * (ht - 2 * pad);
    svg.append(s('line', { class: 'grid', x1: 22, x2: w, y1: yy, y2: yy }), s('text', { class: 'axis', x: 0, y: yy + 4 }, y.toFixed(1)));
  }
  if (points.length) {
    const x0 = 26;
    const x = (k: number) => (points.length === 1 ? (w + x0) / 2 : x0 + (k / (points.length - 1)) * (w - x0 - pad));
    const y = (v: number) => pad + (1 - Math.max(0, Math.min(1, v))) * (ht - 2 * pad);
    for (const key of STATE_KEYS) {
      const pts = points.map((p, k) => `${x(k).toFixed(1)},${y(p.st[key]).toFixed(1)}`).join(' ');
      svg.append(s('polyline', { class: `series ${STATE_COLORS[key]}`, points: pts, 'data-key': key }, s('title', null, `${key}: ${points.map((p) => p.st[key].toFixed(2)).join(' → ')}`)));
      // a dot per user turn: the chart shows from the first answer on, even before there is a line
      if (points.length <= MAX_DOTS) for (const [k, p] of points.entries()) svg.append(s('circle', { class: `dot ${STATE_COLORS[key]}`, cx: x(k).toFixed(1), cy: y(p.st[key]).toFixed(1), r: 2.5 }));
    }
  }
  const legend = h('div', { class: 'legend' }, STATE_KEYS.map((k) => {
    const last = points.length ? points[points.length - 1].st[k] : undefined;
    return h('span', { class: `key ${STATE_COLORS[k]}` }, `${k} ${fmt(last)}`);
  }));
  return h('section', { class: 'state' }, h('h2', null, 'State across turns'), svg, legend);
}

function ids(): string[] { return model ? Object.keys(model.info.links) : []; }
function kindOf(id: string): string { return model?.info.links[id]?.kind ?? 'id'; }
function openId(id: string): void { post({ type: 'open', id }); }
function linked(text: string): (Node | string)[] { return linkify(text, ids(), openId, kindOf); }

function turnView(t: Turn): HTMLElement {
  const user = t.speaker === 'user';
  return h('article', { class: `turn ${t.speaker}`, 'data-index': t.index },
    h('div', { class: 'who' }, user ? 'User' : 'Agent', h('span', { class: 'idx' }, `#${t.index}`),
      t.tactic ? h('span', { class: 'tactic' }, 'tactic ', ...linked(t.tactic)) : null,
      t.targets_met?.length ? h('span', { class: 'met' }, 'met ', ...t.targets_met.flatMap((id) => [...linked(id), ' '])) : null,
      t.policies?.length ? h('span', { class: 'policy' }, 'policy ', ...t.policies.flatMap((id) => [...linked(id), ' '])) : null),
    h('div', { class: 'text' }, ...linked(t.text)),
    user ? rationaleView(t) : null,
    user && t.rewards ? rewardsView(t.rewards, t.score) : null);
}

function rationaleView(t: Turn): HTMLElement {
  const r = t.rationale;
  const missing = new Set<string>(r?.missing ?? []);
  const details = h('details', { class: 'rationale', open: true },
    h('summary', null, 'Rationale', missing.size ? h('span', { class: 'missing-count' }, ` · ${missing.size} missing`) : null));
  if (!r) { details.append(h('p', { class: 'flag missing' }, 'no rationale')); return details; }
  for (const [key, label] of RATIONALE_SECTIONS) {
    const text = r.sections[key];
    const absent = !text || missing.has(key);
    details.append(h('div', { class: `sec${absent ? ' absent' : ''}`, 'data-sec': key },
      h('span', { class: 'label' }, label),
      absent ? h('span', { class: 'flag missing', title: `the rationale has no "${label}" section` }, 'missing') : h('span', { class: 'body' }, ...linked(text))));
  }
  for (const tag of ['think_tags', 'answer_tags'] as const) if (missing.has(tag)) details.append(h('div', { class: 'flag missing' }, `no ${tag.replace('_tags', '')} tags`));
  return details;
}

const NO_REWARDS: RewardInfo = { weights: {}, levels: {}, definitions: {}, metrics: [] };
/** The reward spec's weights, levels and definitions (a panel restored from an older state may have none). */
function rewardInfo(): RewardInfo { return model?.info.rewards ?? NO_REWARDS; }

/** One component's row: name (definition on hover), weight, bar, value; "n/a" when it does not apply. */
function rewardRow(name: string, v: number | undefined, r: RewardInfo): HTMLElement {
  return h('div', { class: 'reward', 'data-name': name },
    h('span', { class: 'rname' }, defined(name, r.definitions)), h('span', { class: 'weight', title: 'weight' }, r.weights[name] !== undefined ? `×${r.weights[name]}` : ''),
    v === undefined ? h('span', { class: 'dim', title: 'not applicable: no value, left out of the means' }, 'n/a') : bar(v), h('span', { class: 'rval' }, v === undefined ? '' : fmt(v)));
}

function rewardsView(rewards: Record<string, number>, score?: number): HTMLElement {
  const r = rewardInfo();
  return h('div', { class: 'rewards' },
    Object.entries(rewards).map(([name, v]) => rewardRow(name, v, r)),
    score !== undefined ? h('div', { class: 'score' }, 'turn score ', h('b', null, fmt(score))) : null);
}

function streamingView(st: { speaker: string; text: string }): HTMLElement {
  return h('article', { class: `turn ${st.speaker} streaming`, id: 'streaming' }, h('div', { class: 'who' }, st.speaker === 'user' ? 'User' : 'Agent', ' …'), h('div', { class: 'text' }, st.text));
}

function askBox(ask: { id: number; prompt: string }): HTMLElement {
  const input = h('textarea', { id: 'human-input', rows: 2, placeholder: 'Type the agent\'s line; Enter sends, Shift+Enter starts a new line', 'aria-label': 'agent line' }) as HTMLTextAreaElement;
  const send = () => { if (!input.value.trim()) return; post({ type: 'human', id: ask.id, text: input.value }); if (model) model.ask = undefined; save(); render({ keepScroll: true }); };
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); send(); } });
  return h('section', { class: 'ask', id: 'ask' }, h('label', { for: 'human-input' }, ask.prompt || 'Your line as the agent:'), input,
    h('div', { class: 'row' }, h('button', { id: 'send', onclick: send }, 'Send'), h('button', { class: 'secondary', onclick: () => post({ type: 'stop' }) }, '■ Stop')));
}

function totalsView(t: Transcript): HTMLElement {
  const r = rewardInfo();
  const total = t.end.reason === 'cancelled' || t.end.reason === 'error' ? undefined : t.rewards.total;
  const metrics = r.metrics.length ? r.metrics : Object.keys(t.metrics ?? {});
  const cell = (k: string) => (t.metrics as Record<string, MetricCell | number | null | undefined>)[k];
  const noJudge = metrics.every((k) => { const c = cell(k); return c === null || c === undefined || (typeof c === 'object' && c.value === null); });
  // spec components with no value here do not apply (e.g. rationale components for a simulator without one)
  const turnNames = [...new Set([...Object.keys(t.rewards.turn_mean), ...Object.entries(r.levels).filter(([, l]) => l === 'turn').map(([n]) => n)])];
  const sessionNames = [...new Set([...Object.keys(t.rewards.session), ...Object.entries(r.levels).filter(([, l]) => l === 'session').map(([n]) => n)])];
  return h('section', { class: 'totals', id: 'totals' },
    h('h2', null, 'Dialogue totals'),
    h('p', { class: 'end' }, `ended: ${t.end.reason} at turn ${t.end.at_turn}`, t.end.detail ? ` — ${t.end.detail}` : ''),
    total === undefined
      ? h('div', { class: 'total' }, 'total reward ', h('b', { id: 'total', class: 'no-total' }, 'none'), h('span', { class: 'dim' }, ` — a ${t.end.reason === 'error' ? 'dialogue that ended with an error' : 'cancelled dialogue'} has no total`))
      : h('div', { class: 'total' }, 'total reward ', h('b', { id: 'total' }, fmt(total)), bar(total, 'big')),
    model?.explain?.length ? h('details', { class: 'explain', id: 'explain' }, h('summary', null, 'How this total is computed'), h('pre', null, model.explain.join('\n'))) : null,
    h('div', { class: 'cols' },
      h('div', null, h('h3', null, 'Turn components (mean over user turns)'), turnNames.map((k) => rewardRow(k, t.rewards.turn_mean[k], r))),
      h('div', null, h('h3', null, 'Session components'), sessionNames.length ? sessionNames.map((k) => rewardRow(k, t.rewards.session[k], r)) : h('p', { class: 'dim' }, 'none'))),
    h('h3', null, 'Metrics', noJudge ? h('span', { class: 'nojudge' }, ' — no judge') : h('span', { class: 'metrics-legend dim' }, ' — rule: decided by rules; judge: scored by the judge')),
    scroller(h('table', { class: 'metrics', id: 'metrics' },
      h('tr', null, metrics.map((k) => h('th', null, metricHeading(k, r.definitions)))),
      h('tr', null, metrics.map((k) => h('td', null, metricValue(k, cell(k))))))),
    t.targets?.length ? h('div', { class: 'targets' }, h('h3', null, 'Targets'), t.targets.map((x) => h('div', null, ...linked(x.id), x.met_at === null ? h('span', { class: 'flag missing' }, 'not met') : h('span', { class: 'ok' }, ` met at turn ${x.met_at}`)))) : null,
    t.policies?.length ? h('div', { class: 'policies' }, h('h3', null, 'Decision policies'), t.policies.map((p) => h('div', null, ...linked(p.id), ` fired at turn${p.turns.length > 1 ? 's' : ''} ${p.turns.join(', ')}`))) : null);
}

// ---------- state and messages ----------

let saveTimer: ReturnType<typeof setTimeout> | undefined;
function save(): void {
  if (saveTimer) return;
  saveTimer = setTimeout(() => { saveTimer = undefined; vscode.setState(model); }, 150);
}

let renderQueued = false;
function renderSoon(): void {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => { renderQueued = false; render(); });
}

function appendTurn(turn: Turn): void {
  if (!model) return;
  const at = model.turns.findIndex((t) => t.index === turn.index);
  if (at >= 0) model.turns[at] = turn; else model.turns.push(turn);
  model.streaming = undefined;
  const list = document.getElementById('turns');
  // append in place while streaming (cheap); the chart is redrawn with the next full render
  if (list && at < 0) {
    document.getElementById('streaming')?.remove();
    list.append(turnView(turn));
    const chart = document.querySelector('section.state');
    if (chart && turn.state) chart.replaceWith(chartSection(model));
    turn.speaker === 'user' && list.lastElementChild?.scrollIntoView({ block: 'nearest' });
  } else renderSoon();
}

/** The element's top is inside the viewport (a user sees it without scrolling). */
function inView(el: HTMLElement | null): boolean {
  if (!el) return false;
  const r = el.getBoundingClientRect();
  const head = el.closest('header') ? 0 : document.querySelector('header')?.getBoundingClientRect().bottom ?? 0;
  return r.height > 0 && r.top >= head - 1 && r.top < window.innerHeight;
}

/** The distinct seed numbers the header shows (text and inputs). */
function seedsShown(): number {
  const head = document.querySelector('header');
  if (!head) return 0;
  const seeds = new Set<string>();
  for (const m of (head.textContent ?? '').matchAll(/seed\s+(\d+)/g)) seeds.add(m[1]);
  for (const el of Array.from(head.querySelectorAll<HTMLInputElement>('input[type=number]'))) seeds.add(el.value);
  return seeds.size;
}

function probe(): RenderedState {
  const q = (sel: string) => document.querySelectorAll(sel).length;
  return {
    instance,
    status: document.getElementById('status')?.textContent ?? '',
    turns: q('#turns article.turn'),
    userTurns: q('#turns article.turn.user'),
    rationales: q('#turns details.rationale'),
    sections: q('#turns details.rationale .sec'),
    missingFlags: q('#turns .flag.missing'),
    rewardBars: q('#turns .rewards .reward .bar'),
    links: q('a.ref'),
    chartLines: q('svg.chart polyline'),
    totalsText: document.getElementById('total')?.textContent ?? '',
    metricsText: document.getElementById('metrics')?.textContent ?? '',
    askVisible: !!document.getElementById('ask'),
    askInView: inView(document.getElementById('ask')),
    askFocused: document.activeElement?.id === 'human-input',
    totalsInView: inView(document.getElementById('totals')),
    seedsShown: seedsShown(),
    chartDots: q('svg.chart circle.dot'),
    noJudge: !!document.querySelector('#totals .nojudge'),
    renderMs: lastRenderMs,
    layout: layoutState(),
    definitions: definitionsShown(app),
    totalsComponents: Array.from(document.querySelectorAll<HTMLElement>('#totals .reward')).map((e) => e.dataset.name ?? ''),
    explainLines: (document.querySelector('#explain pre')?.textContent ?? '').split('\n').filter(Boolean),
    metricSources: metricSourcesShown(document.getElementById('metrics') ?? app),
  };
}

window.addEventListener('message', (ev: MessageEvent<ToPreview>) => {
  const m = ev.data;
  switch (m.type) {
    case 'reset':
      model = m.model;
      render();
      if (model.ask) focusAsk();
      else if (m.scroll === 'totals') scrollToTotals();
      post({ type: 'rendered', ms: lastRenderMs, turns: model.turns.length });
      break;
    case 'turn': appendTurn(m.turn); break;
    case 'delta':
      if (!model) break;
      model.streaming = { speaker: m.speaker, text: (model.streaming?.speaker === m.speaker ? model.streaming.text : '') + m.text };
      { const el = document.querySelector('#streaming .text'); if (el) el.textContent = model.streaming.text; else document.getElementById('turns')?.after(streamingView(model.streaming)); }
      break;
    case 'rewards': {
      const t = model?.turns.find((x) => x.index === m.turnIndex);
      if (t) { t.rewards = m.rewards; t.score = m.score; document.querySelector(`article.turn[data-index="${m.turnIndex}"]`)?.replaceWith(turnView(t)); }
      break;
    }
    case 'end':
      if (model) {
        model.transcript = m.transcript; model.turns = m.transcript.turns; model.streaming = undefined; model.ask = undefined;
        model.explain = m.explain;
        if (m.rewards) model.info.rewards = m.rewards;
      }
      render();
      scrollToTotals();
      break;
    case 'status':
      if (model) { model.status = m.status; model.error = m.error; if (m.status !== 'running') model.ask = undefined; }
      render({ keepScroll: true });
      if (m.status !== 'running' && model?.transcript) scrollToTotals();
      break;
    case 'ask':
      if (model) { model.ask = { id: m.id, prompt: m.prompt }; }
      render();
      focusAsk();
      break;
    case 'probe':
      post({ type: 'probe', id: m.id, state: probe() });
      return;
    case 'click':
      (document.querySelector(m.selector) as HTMLElement | null)?.click();
      return;
    case 'scroll':
      if (m.to === 'top') window.scrollTo({ top: 0 }); else scrollToTotals();
      return;
  }
  save();
});

render();
post({ type: 'ready' });
