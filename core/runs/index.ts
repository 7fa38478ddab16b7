// Eval runs: suites resolved to dialogues, the runner, run storage, summaries, comparison, reports.
export { runSuite, previewDialogue, judgeFor, USERLM_VERSION, type Progress, type RunSuiteOptions, type RunJson, type PreviewOptions, type PreviewEvent } from './runner';
export { resolveSuite, resolveSpec, defaultSpec, dialogueSeed, selectDialogues, type DialogueSelection, type ResolvedSuite, type PlannedDialogue } from './suite';
export { lockRunDir, processAlive, isRunLockedError, RunLockedError, LOCK_FILE, type LockInfo, type RunLock } from './lock';
export { readJson, readTranscripts, readTranscriptLines, transcriptsFile, type ReadResult, repairTornTail, appendTranscript, TranscriptWriter, writeJsonAtomic, TRANSCRIPTS, RUN_JSON, SUMMARY_JSON, DEFAULT_OUT } from './storage';
export { summarize, summarizeGroup, missedThresholds, type Summary, type GroupSummary } from './summary';
export { compareRuns, listRuns, loadSummary, groupValues, type Comparison, type GroupComparison, type Delta, type RunInfo } from './compare';
export { renderReportHtml, escapeHtml } from './report';
