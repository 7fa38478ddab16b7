// Summary and comparison tables for `eval`, `report` and `compare`.
import { METRICS } from '../../core/rewards';
import type { Comparison, GroupSummary, Summary } from '../../core/runs';
import type { Style } from './style';
import { fmt, signed, table } from './table';

function groupRow(name: string, g: GroupSummary): string[] {
  return [name, String(g.dialogues), String(g.errors), String(g.passed), fmt(g.pass_rate, 2), fmt(g.total), ...METRICS.map((m) => (g.metrics[m].value === null ? '-' : `${fmt(g.metrics[m].value, 2)} ${g.metrics[m].source}`))];
}

export function renderSummary(sm: Summary, s: Style): string {
  const header = ['', 'dialogues', 'errors', 'passed', 'pass rate', 'total', ...METRICS];
  const rows: string[][] = [groupRow(s.bold('all'), sm)];
  for (const [k, g] of Object.entries(sm.by_split)) rows.push(groupRow(`split ${k}`, g));
  for (const [k, g] of Object.entries(sm.by_scenario)) rows.push(groupRow(k, g));
  const out = [table(header, rows)];
  if (METRICS.every((m) => sm.metrics[m].value === null)) out.push(s.dim('paper metrics: no judge (set `judge:` in the suite to score them)\n'));
  else {
    out.push(s.dim('metric sources: rule = decided by rules, judge = scored by the judge, - = no judge\n'));
    if (sm.no_judge.length) out.push(s.dim(`no judge value for: ${sm.no_judge.join(', ')}\n`));
  }
  const comps = Object.entries(sm.components);
  if (comps.length) out.push('\n' + table(['component', 'mean'], comps.map(([k, v]) => [k, fmt(v)])));
  const th = Object.entries(sm.thresholds);
  if (th.length) out.push(`\nthresholds: ${th.map(([k, v]) => `${k} ${k === 'Rob' ? '<=' : '>='} ${v}`).join(', ')}\n`);
  for (const f of sm.failures.slice(0, 10)) out.push(s.red(`  fail ${f.dialogue_id}: ${f.failed.join('; ')}\n`));
  if (sm.failures.length > 10) out.push(s.red(`  ... and ${sm.failures.length - 10} more (see summary.json)\n`));
  out.push(sm.pass ? s.green(s.bold('PASS')) + '\n' : s.red(s.bold(`FAIL: ${sm.failed_thresholds} below thresholds, ${sm.errors} errors`)) + '\n');
  return out.join('');
}

export function renderComparison(c: Comparison, s: Style): string {
  const out = [s.bold(`A = ${c.a.run_id} (${c.a.suite_id}), B = ${c.b.run_id} (${c.b.suite_id})`) + '\n\n'];
  const rowsOf = (values: Comparison['overall']['values']) => Object.entries(values).map(([k, d]) => {
    const delta = signed(d.delta);
    const better = k === 'Rob' ? (d.delta ?? 0) < 0 : (d.delta ?? 0) > 0;
    return [k, fmt(d.a), fmt(d.b), d.delta === null || d.delta === 0 ? delta : better ? s.green(delta) : s.red(delta)];
  });
  out.push(table(['overall', 'A', 'B', 'B - A'], [['dialogues', String(c.overall.dialogues.a), String(c.overall.dialogues.b), ''], ...rowsOf(c.overall.values)]));
  for (const [title, groups] of [['split', c.by_split], ['scenario', c.by_scenario]] as const) {
    const rows: string[][] = [];
    for (const [k, g] of Object.entries(groups)) {
      for (const key of ['total', 'pass_rate']) {
        const d = g.values[key];
        if (d) rows.push([`${k} ${key}`, fmt(d.a), fmt(d.b), signed(d.delta)]);
      }
    }
    if (rows.length) out.push('\n' + table([`by ${title}`, 'A', 'B', 'B - A'], rows));
  }
  return out.join('');
}
