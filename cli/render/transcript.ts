// A readable transcript: each turn as it arrives, the user's rationale inline, state changes and
// targets met; then the reward table (components x user turns, session components, total and
// the paper metrics, "no judge" where no judge scored them).
import type { RewardSpec, State, Transcript, Turn } from '../../core/generated/schema-types';
import { METRICS, METRIC_OF, metricOf, normalizeComponents } from '../../core/rewards';
import { STATE_KEYS } from '../../core/files';
import type { Style } from './style';
import { fmt, table } from './table';


export function renderHeader(t: Pick<Transcript, 'scenario_id' | 'profile_id' | 'simulator' | 'agent' | 'seed'>, profileName: string | undefined, s: Style): string {
  return s.bold(`== ${t.scenario_id} · ${profileName ? `${profileName} (${t.profile_id})` : t.profile_id} · ${t.simulator} simulator vs ${t.agent} agent · seed ${t.seed}`) + '\n';
}

function indent(text: string, pad: string): string {
  return text.split('\n').map((l) => pad + l).join('\n');
}

/** "trust 0.60 -> 0.40, patience 0.70 -> 0.65" for the values that changed. */
export function stateChanges(before: State | undefined, after: State | undefined, s: Style): string | undefined {
  if (!after) return undefined;
  const parts: string[] = [];
  for (const k of STATE_KEYS) {
    const b = before?.[k];
    const a = after[k];
    if (b === undefined) { parts.push(`${k} ${a.toFixed(2)}`); continue; }
    if (Math.abs(a - b) < 0.005) continue;
    const arrow = a > b ? s.green('↑') : s.red('↓');
    parts.push(`${k} ${b.toFixed(2)} -> ${a.toFixed(2)} ${arrow}`);
  }
  return parts.length ? parts.join(', ') : 'unchanged';
}

export function renderTurn(turn: Turn, prevState: State | undefined, s: Style): string {
  const lines: string[] = [];
  const tag = `[${turn.index}]`;
  if (turn.speaker === 'agent') {
    lines.push(`${s.dim(tag)} ${s.cyan(s.bold('AGENT'))}  ${turn.text}${turn.tactic ? '  ' + s.yellow(`(tactic: ${turn.tactic})`) : ''}`);
    return lines.join('\n') + '\n';
  }
  lines.push(`${s.dim(tag)} ${s.magenta(s.bold('USER'))}`);
  const r = turn.rationale;
  if (r?.raw.trim()) lines.push(s.dim(indent(r.raw.trim(), '      │ ')));
  if (r?.missing.length) lines.push(s.yellow(`      missing: ${r.missing.join(', ')}`));
  lines.push(`      » ${turn.text}`);
  const changes = stateChanges(prevState, turn.state, s);
  if (changes) lines.push(s.dim(`      state: ${changes}`));
  if (turn.targets_met?.length) lines.push(s.green(`      targets met: ${turn.targets_met.join(', ')}`));
  if (turn.policies?.length) lines.push(s.dim(`      policies: ${turn.policies.join(', ')}`));
  return lines.join('\n') + '\n';
}

export function renderEnd(t: Transcript, s: Style): string {
  const why = t.end.detail ? ` — ${t.end.detail}` : '';
  const text = `ended: ${t.end.reason} at turn ${t.end.at_turn}${why}`;
  const lines = [t.end.reason === 'error' || t.end.reason === 'cancelled' ? s.red(text) : s.bold(text)];
  if (t.error) lines.push(s.red(`error: ${t.error}`));
  const met = (t.targets ?? []).map((x) => `${x.id} ${x.met_at === null ? s.red('unmet') : s.green(`met at ${x.met_at}`)}`);
  if (met.length) lines.push(`targets: ${met.join(', ')}`);
  return lines.join('\n') + '\n';
}

/** Components x user turns, then session components, the total and the paper metrics. */
export function renderRewardTable(t: Transcript, spec: RewardSpec, s: Style): string {
  const comps = normalizeComponents(spec);
  const users = t.turns.filter((u) => u.speaker === 'user');
  const out: string[] = [s.bold('Rewards') + '\n'];
  const header = ['component', ...users.map((u) => `t${u.index}`), 'mean'];
  const rows: string[][] = [];
  for (const c of comps.filter((x) => x.level === 'turn')) {
    const mean = t.rewards.turn_mean[c.name];
    if (mean === undefined && c.kind === 'judge') { rows.push([`${c.name} (w ${c.weight})`, ...users.map(() => ''), s.dim('no judge')]); continue; }
    rows.push([`${c.name} (w ${c.weight})`, ...users.map((u) => fmt(u.rewards?.[c.name], 2)), fmt(mean)]);
  }
  rows.push([s.bold('turn score'), ...users.map((u) => fmt(u.score, 2)), '']);
  out.push(table(header, rows));
  const session = comps.filter((x) => x.level === 'session');
  if (session.length) {
    out.push('\n' + table(['session component', 'value'], session.map((c) => [`${c.name} (w ${c.weight})`, c.name in t.rewards.session ? fmt(t.rewards.session[c.name]) : s.dim(c.kind === 'judge' ? 'no judge' : '-')])));
  }
  const agg = spec.aggregate ?? {};
  out.push(`\n${s.bold('total')} ${t.rewards.total === undefined ? s.dim(`none (${t.end.reason})`) : fmt(t.rewards.total)}  ${s.dim(`(turn part weight ${agg.turn_weight ?? 1}${agg.discount !== undefined ? `, discount ${agg.discount}` : ''})`)}\n`);
  const metrics = METRICS.map((m) => {
    const { value: v, source } = metricOf(t, m);
    const comp = Object.entries(METRIC_OF).find(([, x]) => x === m)?.[0];
    return `${m} ${v === null ? s.dim(comps.some((c) => c.name === comp) ? 'no judge' : 'not in spec') : `${fmt(v)} ${s.dim(source ?? '')}`}`;
  });
  out.push(`metrics: ${metrics.join(' · ')}\n`);
  return out.join('');
}
