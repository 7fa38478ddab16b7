// DOM helpers shared by the webview scripts (browser side). All text goes in as text nodes:
// nothing from a transcript is ever parsed as HTML.
import type { LayoutState, MetricCell } from '../protocol';

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
export function s(tag: string, attrs?: Attrs | null, ...children: (Child | Child[])[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el: Element, attrs?: Attrs | null): void {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v as EventListener);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(el: Element, children: (Child | Child[])[]): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'object' ? c : String(c));
  }
}

/** A horizontal bar for a 0..1 value (width set through CSSOM, allowed by the strict CSP). */
export function bar(value: number, cls = ''): HTMLElement {
  const fill = h('span', { class: 'fill' });
  fill.style.width = `${Math.max(0, Math.min(1, value)) * 100}%`;
  return h('span', { class: `bar ${cls}`.trim() }, fill);
}

export function fmt(v: number | null | undefined, digits = 2): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—';
}

/** Splits `text` into text nodes and clickable spans for the given ids (whole words only). */
export function linkify(text: string, ids: string[], onClick: (id: string) => void, kindOf: (id: string) => string): (Node | string)[] {
  if (!ids.length || !text) return [text];
  const re = idPattern(ids);
  re.lastIndex = 0;
  const out: (Node | string)[] = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    const i = m.index ?? 0;
    if (i > last) out.push(text.slice(last, i));
    const id = m[1];
    out.push(h('a', { class: `ref ref-${kindOf(id)}`, href: '#', title: `Go to ${kindOf(id)} '${id}' in the YAML`, 'data-id': id, onclick: (e: Event) => { e.preventDefault(); onClick(id); } }, id));
    last = i + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

let cached: { key: string; re: RegExp } | undefined;
/** One regular expression for a set of ids (compiled once per set, not once per text). */
function idPattern(ids: string[]): RegExp {
  const key = ids.join('\u0000');
  if (cached?.key !== key) cached = { key, re: new RegExp(`(?<![\\w-])(${ids.map(escapeRe).sort((a, b) => b.length - a.length).join('|')})(?![\\w-])`, 'g') };
  return cached.re;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A table in a horizontal scroller whose first column stays in view (panels of any width). */
export function scroller(table: HTMLTableElement): HTMLElement {
  return h('div', { class: 'table-wrap', tabindex: 0 }, table);
}

/** A bar histogram (inline SVG) of values in 0..1, in `bins` buckets; it scales to its container. */
export function histogram(values: number[], bins = 10, width = 320, height = 90): SVGElement {
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.max(0, Math.floor(v * bins)))]++;
  const max = Math.max(1, ...counts);
  const bw = width / bins;
  const svg = s('svg', { class: 'histogram', viewBox: `0 0 ${width} ${height + 16}`, preserveAspectRatio: 'xMinYMin meet', role: 'img', 'aria-label': 'histogram of dialogue totals' });
  counts.forEach((c, i) => {
    const bh = (c / max) * height;
    svg.append(s('rect', { class: 'hbar', x: i * bw + 1, y: height - bh, width: bw - 2, height: bh, 'data-count': c }, s('title', null, `${(i / bins).toFixed(1)}–${((i + 1) / bins).toFixed(1)}: ${c}`)));
  });
  for (const t of [0, 0.5, 1]) svg.append(s('text', { class: 'axis', x: t * width, y: height + 13, 'text-anchor': t === 0 ? 'start' : t === 1 ? 'end' : 'middle' }, t.toFixed(1)));
  return svg;
}

/** How the page fits the panel's width, measured in its DOM (see LayoutState). */
export function layoutState(): LayoutState {
  const cls = document.body.classList;
  const theme = cls.contains('vscode-high-contrast-light') ? 'high-contrast-light' : cls.contains('vscode-high-contrast') ? 'high-contrast' : cls.contains('vscode-light') ? 'light' : cls.contains('vscode-dark') ? 'dark' : 'unknown';
  const width = document.documentElement.clientWidth;
  let wrappedCells = 0;
  const wrappedSamples: string[] = [];
  for (const cell of Array.from(document.querySelectorAll<HTMLElement>('td:not(.wrap), th'))) {
    if (!cell.textContent?.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(cell);
    // wrapped: its content is taller than one line (smaller inline labels do not count)
    const style = getComputedStyle(cell);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.45;
    if (range.getBoundingClientRect().height > line * 1.5) { wrappedCells++; if (wrappedSamples.length < 5) wrappedSamples.push((cell.textContent ?? '').trim().slice(0, 40)); }
  }
  let clippedCharts = 0;
  for (const svg of Array.from(document.querySelectorAll('svg'))) {
    if (svg.closest('.table-wrap')) continue;
    const r = svg.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 1) clippedCharts++;
  }
  const wraps = Array.from(document.querySelectorAll<HTMLElement>('.table-wrap'));
  return {
    theme, width,
    pageOverflowX: document.documentElement.scrollWidth > width + 1,
    wrappedCells, wrappedSamples, clippedCharts,
    scrollingTables: wraps.filter((w) => w.scrollWidth > w.clientWidth + 1).length,
    stickyTables: wraps.filter((w) => { const c = w.querySelector('td, th'); return !!c && getComputedStyle(c).position === 'sticky'; }).length,
  };
}

/** A component or metric name that shows its one-line definition on hover (`data-def` names it for the probes). */
export function defined(name: string, definitions: Record<string, string> | undefined, label: string = name): HTMLElement {
  const def = definitions?.[name];
  return h('span', { class: def ? 'defined' : undefined, title: def, 'data-def': name }, label);
}

/** A metric's column heading: its name ("Rob ↓": lower is better) with its definition on hover. */
export function metricHeading(name: string, definitions: Record<string, string> | undefined): HTMLElement {
  return defined(name, definitions, name === 'Rob' ? 'Rob ↓' : name);
}

/** A metric's value with where it comes from (rule / judge); "no judge" when nothing measured it. */
export function metricValue(name: string, cell: MetricCell | number | null | undefined): HTMLElement {
  const c: MetricCell = typeof cell === 'number' ? { value: cell, source: 'judge' } : cell ?? { value: null, source: null };
  if (c.value === null) return h('span', { class: 'dim', 'data-metric': name, 'data-source': 'none' }, 'no judge');
  return h('span', { 'data-metric': name, 'data-source': c.source ?? '' }, fmt(c.value), ' ', h('span', { class: `src src-${c.source ?? 'none'}`, title: c.source === 'rule' ? 'decided by rules (no judge needed)' : 'scored by the judge' }, c.source ?? ''));
}

/** What the probes report about definitions and metric sources in the page. */
export function definitionsShown(root: ParentNode = document): Record<string, string> {
  const out: Record<string, string> = {};
  for (const el of Array.from(root.querySelectorAll<HTMLElement>('[data-def]'))) if (el.title) out[el.dataset.def!] = el.title;
  return out;
}

export function metricSourcesShown(root: ParentNode = document): Record<string, string> {
  const out: Record<string, string> = {};
  for (const el of Array.from(root.querySelectorAll<HTMLElement>('[data-metric]'))) out[el.dataset.metric!] = el.dataset.source ?? '';
  return out;
}
