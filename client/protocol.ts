// The one home of the message protocols between the extension and its webviews (the preview,
// results and training metrics panels) and its eval worker thread. Imported by both sides: the
// extension (Node) and the webview scripts (browser bundles), so it holds types and pure helpers only.
// (client/training/protocol.ts re-exports the metrics panel's types for the training feature.)
import type { Transcript, Turn } from '../core/generated/schema-types';
import type { Comparison } from '../core/runs/compare';
import type { Progress } from '../core/runs/runner';
import type { Summary } from '../core/runs/summary';
import type { ProgressPoint } from '../core/training/submit';

export type { ProgressPoint, Transcript, Turn };

/** A place in a YAML file that an id in the panel links to. */
export interface IdLink { kind: 'target' | 'policy' | 'tactic'; line: number; file: string }

/** A metric's value and where it comes from (`rule`, `judge`, or null: nothing measured it, "no judge"). */
export interface MetricCell { value: number | null; source: 'rule' | 'judge' | null }

/** What the panels show about a reward spec (client/rewardsInfo.ts). */
export interface RewardInfo {
  /** Weight of each component by name (the bars' ×w). */
  weights: Record<string, number>;
  /** `turn` or `session`, by component name. */
  levels: Record<string, string>;
  /** One-line definition of every component and metric (core/rewards `componentDefinition`). */
  definitions: Record<string, string>;
  /** The metrics, in the order reports show them (core/rewards `METRICS`). */
  metrics: string[];
}

/** What the preview panel shows about the run it streams. */
export interface PreviewInfo {
  scenarioId: string;
  title?: string;
  split?: string;
  /** Scenario file (fs path); used to re-run and to open links. */
  file: string;
  simulator: string;
  agent: string;
  judge?: string;
  seed: number;
  /** The reward spec the dialogue is scored with: weights, levels, definitions, metrics. */
  rewards: RewardInfo;
  /** Target, policy and tactic ids mentioned in the dialogue, with where they are defined. */
  links: Record<string, IdLink>;
  /** Where the transcript comes from when it is not a live preview (a run's dialogue). */
  source?: string;
}

export type PreviewStatus = 'running' | 'done' | 'stopped' | 'error';

/** The whole state of the preview panel: enough to re-render it from scratch (restore, reload). */
export interface PreviewModel {
  info: PreviewInfo;
  status: PreviewStatus;
  turns: Turn[];
  /** The turn being streamed, before it is complete. */
  streaming?: { speaker: string; text: string };
  /** The finished transcript (totals, metrics, targets, policies). */
  transcript?: Transcript;
  error?: string;
  /** How the total was computed, with the actual numbers (core/rewards `explainTotal`). */
  explain?: string[];
  /** The agent line the author is asked to type ("Play the agent"). */
  ask?: { id: number; prompt: string };
}

/** How a panel's page fits its width (answered with every probe; checked at half and full width). */
export interface LayoutState {
  /** `light`, `dark`, `high-contrast` or `high-contrast-light` (the body class VS Code sets). */
  theme: string;
  /** The panel's width in CSS pixels. */
  width: number;
  /** The page itself scrolls sideways (something is wider than the panel and not in a scroller). */
  pageOverflowX: boolean;
  /** Table cells whose text wraps onto a second line (e.g. "2 (100%)"). */
  wrappedCells: number;
  /** The text of the first few wrapped cells (to say which). */
  wrappedSamples: string[];
  /** Charts that stick out past the panel's right edge. */
  clippedCharts: number;
  /** Tables whose scroller scrolls sideways (they are wider than the panel). */
  scrollingTables: number;
  /** Tables whose first column stays in view when scrolled (sticky). */
  stickyTables: number;
}

/** What the panel rendered, as counted in its DOM (answered to a `probe`). */
export interface RenderedState {
  /** Random per page load of the webview: tells a reloaded panel from the same one. */
  instance: string;
  status: string;
  turns: number;
  userTurns: number;
  rationales: number;
  sections: number;
  missingFlags: number;
  rewardBars: number;
  links: number;
  chartLines: number;
  totalsText: string;
  metricsText: string;
  askVisible: boolean;
  /** The agent-line input is on screen, and has the keyboard. */
  askInView: boolean;
  askFocused: boolean;
  /** The totals are on screen (a finished dialogue scrolls to them). */
  totalsInView: boolean;
  /** Distinct seed numbers in the header (one: the run's own). */
  seedsShown: number;
  /** State chart points drawn (one per user turn and state variable). */
  chartDots: number;
  /** Hover text of every reward component and metric name in the panel, by name. */
  definitions: Record<string, string>;
  /** The reward components listed in the totals. */
  totalsComponents: string[];
  /** The lines of "how this total is computed". */
  explainLines: string[];
  /** The source label shown with each metric value (`rule` / `judge`), by metric. */
  metricSources: Record<string, string>;
  /** The totals say "no judge" (no paper metrics measured). */
  noJudge: boolean;
  renderMs: number;
  layout: LayoutState;
}

export type ToPreview =
  /** The whole model; `scroll: 'totals'` when it is a live run that has ended (its page was not there to see the end). */
  | { type: 'reset'; model: PreviewModel; scroll?: 'totals' }
  | { type: 'turn'; turn: Turn }
  | { type: 'delta'; speaker: string; text: string }
  | { type: 'rewards'; turnIndex: number; rewards: Record<string, number>; score: number }
  /** The dialogue ended: its scored transcript, how its total was computed, the spec's info for what it scored. */
  | { type: 'end'; transcript: Transcript; explain?: string[]; rewards?: RewardInfo }
  | { type: 'status'; status: PreviewStatus; error?: string }
  | { type: 'ask'; id: number; prompt: string }
  | { type: 'probe'; id: number }
  | { type: 'scroll'; to: 'top' | 'end' }
  /** Clicks the first element matching `selector`, as a user would (integration tests). */
  | { type: 'click'; selector: string };

export type FromPreview =
  | { type: 'ready' }
  | { type: 'rerun'; seed: number; human: boolean }
  | { type: 'stop' }
  | { type: 'open'; id: string }
  | { type: 'human'; id: number; text: string }
  | { type: 'probe'; id: number; state: RenderedState }
  | { type: 'rendered'; ms: number; turns: number };

/** Per-scenario (and split) figures of a run, as the results panel shows them. */
export interface ResultsRow {
  scenarioId: string;
  split: string;
  dialogues: number;
  passed: number;
  errors: number;
  /** null: no dialogue of the group has a total. */
  meanTotal: number | null;
  metrics: Record<string, MetricCell>;
}

export interface ResultsDialogue {
  dialogueId: string; scenarioId: string; profileId: string; seed: number;
  /** null: a cancelled or errored dialogue has no total. */
  total: number | null;
  passed: boolean; end: string;
  /** Why it failed, in one line (an error's cause, or the thresholds it missed). */
  cause?: string;
}

/** A reward component's mean over a run's dialogues. */
export interface ResultsComponent { name: string; level: string; weight: number | null; mean: number | null }

export interface RunResults {
  runId: string;
  runDir: string;
  suiteId?: string;
  startedAt?: string;
  status?: string;
  simulator?: string;
  agent?: string | null;
  judge?: string | null;
  seed?: number;
  thresholds: Record<string, number>;
  rows: ResultsRow[];
  /** Every metric over the whole run, with its source. */
  metrics: Record<string, MetricCell>;
  components: ResultsComponent[];
  rewards: RewardInfo;
  dialogues: ResultsDialogue[];
}

export type ToResults =
  | { type: 'show'; mode: 'single'; a: RunResults }
  | { type: 'show'; mode: 'compare'; a: RunResults; b: RunResults; comparison: Comparison }
  | { type: 'probe'; id: number };

export interface ResultsRenderedState {
  mode: string; tables: number; rows: number; histogramBars: number; deltas: number; text: string; layout: LayoutState;
  /** Hover text of every name that carries a definition (components, metrics), by name. */
  definitions: Record<string, string>;
  /** The source label shown with each metric value (`rule` / `judge`), by metric. */
  metricSources: Record<string, string>;
  /** Dialogues shown without a total (cancelled or errored). */
  noTotal: number;
  /** The causes shown for failed dialogues. */
  causes: string[];
}

export type FromResults =
  | { type: 'ready' }
  | { type: 'openDialogue'; runDir: string; dialogueId: string }
  | { type: 'probe'; id: number; state: ResultsRenderedState };

/** The metric whose lower values are better (robotic tone). */
export const LOWER_IS_BETTER = 'Rob';

/** The five rationale sections, in order, with their labels. */
export const RATIONALE_SECTIONS = [
  ['agent_intent', 'Agent intent'],
  ['concerns', 'Concerns'],
  ['plan', 'Plan'],
  ['state', 'State'],
  ['tone', 'Tone'],
] as const;

export { STATE_KEYS, isBuiltInRole } from '../core/ids';

/** Eval runs go to a worker thread (client/eval-worker.ts) so the extension host never blocks. */
export interface EvalWorkerData {
  root: string;
  suiteFile: string;
  concurrency?: number;
  resumeDir?: string;
  /** API keys by reference, in memory only (never written anywhere). */
  secrets: Record<string, string>;
  /** Int32 flag set to 1 to cancel: read by the run loop even while it does not yield. */
  cancelFlag: SharedArrayBuffer;
}

export type FromEvalWorker =
  | { type: 'progress'; progress: Progress }
  | { type: 'done'; runDir: string; summary: Summary }
  | { type: 'error'; message: string };

export type ToEvalWorker = { type: 'cancel' };

// ---------- training metrics panel (client/training/metrics.ts ↔ client/webview/metrics.main.ts) ----------

/** Everything the metrics panel shows: enough to re-render it from scratch (restore, reload). */
export interface MetricsModel {
  backendId: string;
  jobId: string;
  status: string;
  terminal: boolean;
  points: ProgressPoint[];
  error?: string;
}

export type ToMetrics = { type: 'show'; model: MetricsModel } | { type: 'probe'; id: number };
export type FromMetrics = { type: 'ready' } | { type: 'probe'; id: number; state: MetricsRenderedState };

/** What the metrics panel rendered, counted in its DOM. */
export interface MetricsRenderedState {
  jobId: string;
  status: string;
  /** One chart per series, by series name: how many points its line has. */
  series: Record<string, number>;
  charts: number;
  text: string;
}
