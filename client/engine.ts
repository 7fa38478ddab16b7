// The one place the extension calls the engine's run API (core/runs): previews, suites, runs.
export {
  previewDialogue, runSuite, resolveSuite, defaultSpec, readTranscripts, summarizeGroup, missedThresholds, listRuns, compareRuns, renderReportHtml, loadSummary,
  RUN_JSON, SUMMARY_JSON,
  type Progress, type RunJson, type PreviewEvent, type ResolvedSuite, type Summary, type GroupSummary, type Comparison, type GroupComparison, type RunInfo,
} from '../core/runs/index';
