// A self-contained HTML report of a run: inline CSS and inline SVG charts, no scripts, no remote
// content. Tables: overall, per scenario, per split, failures, dialogues.
import { join, resolve } from 'node:path';
import type { Transcript } from '../generated/schema-types';
import { METRICS } from '../rewards';
import { failureLines } from '../backends/chat/errors';
import { loadSummary } from './compare';
import { readJson, readTranscripts, RUN_JSON } from './storage';
import { missedThresholds, type GroupSummary } from './summary';
import type { RunJson } from './runner';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const num = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? '<span class="na">no value</span>' : v.toFixed(digits));

/** Horizontal bars for values in 0..1 (null values drawn as "no judge"). */
export function barChart(title: string, rows: { label: string; value: number | null }[], noValue = 'no judge'): string {
  const rowH = 22;
  const labelW = 190;
  const barW = 360;
  const h = rows.length * rowH + 30;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(title)}" width="${labelW + barW + 70}" height="${h}" viewBox="0 0 ${labelW + barW + 70} ${h}">`,
    `<text x="0" y="14" class="ct">${escapeHtml(title)}</text>`];
  rows.forEach((r, i) => {
    const y = 24 + i * rowH;
    parts.push(`<text x="${labelW - 6}" y="${y + 14}" text-anchor="end" class="cl">${escapeHtml(r.label)}</text>`);
    parts.push(`<rect x="${labelW}" y="${y + 3}" width="${barW}" height="${rowH - 8}" class="bg"/>`);
    if (r.value === null) parts.push(`<text x="${labelW + 6}" y="${y + 14}" class="cn">${escapeHtml(noValue)}</text>`);
    else {
      const w = Math.max(0, Math.min(1, r.value)) * barW;
      parts.push(`<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 8}" class="bar"/>`);
      parts.push(`<text x="${labelW + barW + 6}" y="${y + 14}" class="cv">${r.value.toFixed(3)}</text>`);
    }
  });
  parts.push('</svg>');
  return parts.join('');
}

/** A histogram of dialogue totals in 10 bins over 0..1. */
export function histogram(title: string, values: number[]): string {
  const bins = new Array(10).fill(0) as number[];
  for (const v of values) bins[Math.min(9, Math.max(0, Math.floor(v * 10)))]++;
  const max = Math.max(1, ...bins);
  const w = 40;
  const h = 140;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(title)}" width="${w * 10 + 20}" height="${h + 40}" viewBox="0 0 ${w * 10 + 20} ${h + 40}">`,
    `<text x="0" y="14" class="ct">${escapeHtml(title)}</text>`];
  bins.forEach((n, i) => {
    const bh = (n / max) * (h - 30);
    parts.push(`<rect x="${10 + i * w}" y="${(h - bh).toFixed(1)}" width="${w - 4}" height="${bh.toFixed(1)}" class="bar"><title>${(i / 10).toFixed(1)}–${((i + 1) / 10).toFixed(1)}: ${n}</title></rect>`);
    if (n) parts.push(`<text x="${10 + i * w + (w - 4) / 2}" y="${(h - bh - 4).toFixed(1)}" text-anchor="middle" class="cv">${n}</text>`);
    parts.push(`<text x="${10 + i * w + (w - 4) / 2}" y="${h + 16}" text-anchor="middle" class="cl">${(i / 10).toFixed(1)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

function groupTable(title: string, groups: Record<string, GroupSummary>): string {
  const head = ['', 'dialogues', 'errors', 'passed', 'total', ...METRICS];
  const rows = Object.entries(groups).map(([k, g]) => `<tr><th>${escapeHtml(k)}</th><td>${g.dialogues}</td><td>${g.errors}</td><td>${g.passed}</td><td>${num(g.total)}</td>${METRICS.map((m) => `<td>${g.metrics[m].value === null ? '<span class="na">no judge</span>' : `${num(g.metrics[m].value)} <span class="na">${g.metrics[m].source}</span>`}</td>`).join('')}</tr>`);
  return `<h2>${escapeHtml(title)}</h2><table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#1d2330;padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.8em;border-bottom:1px solid #d8dce5;padding-bottom:.2em}
table{border-collapse:collapse;margin:.6em 0;font-size:13px}th,td{border:1px solid #d8dce5;padding:.25em .6em;text-align:right}
th:first-child,td:first-child{text-align:left}thead th{background:#f2f4f8}.na{color:#8a93a6;font-style:italic}
.pass{color:#137333;font-weight:600}.fail{color:#b3261e;font-weight:600}.meta{color:#4a5468}
.charts{display:flex;flex-wrap:wrap;gap:2em}.ct{font-weight:600;font-size:13px;fill:#1d2330}.cl,.cv,.cn{font-size:12px;fill:#4a5468}
.cn{font-style:italic}.bg{fill:#eef1f6}.bar{fill:#3b6fd8}`;

export function renderReportHtml(runDir: string): string {
  const dir = resolve(runDir);
  const run = readJson<RunJson>(join(dir, RUN_JSON));
  const s = loadSummary(dir);
  const ts: Transcript[] = readTranscripts(dir);
  const thresholds = run.suite.thresholds ?? {};
  const verdict = s.pass ? '<span class="pass">PASS</span>' : '<span class="fail">FAIL</span>';
  const metricRows = METRICS.map((m) => ({ label: `${m === 'Rob' ? 'Rob (lower is better)' : m}${s.metrics[m].source ? ` (${s.metrics[m].source})` : ''}`, value: s.metrics[m].value }));
  const componentRows: { label: string; value: number | null }[] = Object.entries(s.components).map(([k, v]) => ({ label: k, value: v }));
  for (const c of s.no_judge) componentRows.push({ label: c, value: null });
  const scenarioRows = Object.entries(s.by_scenario).map(([k, g]) => ({ label: k, value: g.total }));
  const dialogueRows = ts.map((t) => {
    const missed = missedThresholds(t, thresholds);
    return `<tr><td>${escapeHtml(t.dialogue_id)}</td><td>${escapeHtml(t.split ?? 'standard')}</td><td>${t.seed}</td><td>${escapeHtml(t.end.reason)}</td><td>${t.turns.filter((u) => u.speaker === 'user').length}</td><td>${num(t.rewards.total)}</td><td>${missed.length ? `<span class="fail">${escapeHtml(missed.join('; '))}</span>` : '<span class="pass">pass</span>'}</td></tr>`;
  });
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>UserLM run ${escapeHtml(s.run_id)}</title><style>${CSS}</style></head><body>
<h1>Run ${escapeHtml(s.run_id)} ${verdict}</h1>
<p class="meta">suite <b>${escapeHtml(s.suite_id)}</b> · status ${escapeHtml(run.status)} · started ${escapeHtml(run.started_at)}${run.ended_at ? ` · ended ${escapeHtml(run.ended_at)}` : ''}<br>
simulator ${escapeHtml(run.simulator)} · agent ${escapeHtml(run.agent ?? 'per scenario')} · judge ${escapeHtml(run.judge ?? 'none')} · rewards ${escapeHtml(run.rewards_source)} · userlm ${escapeHtml(run.versions.userlm)}, node ${escapeHtml(run.versions.node)}</p>
<table><thead><tr><th></th><th>dialogues</th><th>errors</th><th>passed</th><th>failed thresholds</th><th>pass rate</th><th>mean total</th><th>mean user turns</th></tr></thead>
<tbody><tr><th>all</th><td>${s.dialogues}</td><td>${s.errors}</td><td>${s.passed}</td><td>${s.failed_thresholds}</td><td>${num(s.pass_rate)}</td><td>${num(s.total)}</td><td>${num(s.user_turns, 1)}</td></tr></tbody></table>
${Object.keys(thresholds).length ? `<p>Thresholds: ${Object.entries(thresholds).map(([k, v]) => `${escapeHtml(k)} ${k === 'Rob' ? '≤' : '≥'} ${v}`).join(', ')}</p>` : '<p class="na">No thresholds.</p>'}
<div class="charts">${barChart('Paper metrics', metricRows)}${barChart('Reward components (mean)', componentRows)}${barChart('Mean total by scenario', scenarioRows, 'no value')}${histogram('Dialogue totals', ts.map((t) => t.rewards.total).filter((x): x is number => typeof x === 'number'))}</div>
${groupTable('By scenario', s.by_scenario)}
${groupTable('By split', s.by_split)}
${failureLines(ts, 100).length ? `<h2>Failed dialogues</h2><ul>${failureLines(ts, 100).map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>` : ''}
<h2>Dialogues</h2><table><thead><tr><th>dialogue</th><th>split</th><th>seed</th><th>end</th><th>user turns</th><th>total</th><th>thresholds</th></tr></thead><tbody>${dialogueRows.join('')}</tbody></table>
</body></html>
`;
}
