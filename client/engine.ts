// The one place the extension calls the engine's run API (core/runs): previews, suites, runs.
import { join } from 'node:path';
import { DEFAULT_OUT, listRunDirs } from '../core/runs/storage';
export { previewDialogue, runSuite, type Progress, type RunJson, type PreviewEvent } from '../core/runs/runner';
export { readTranscripts, DEFAULT_OUT, RUN_JSON, SUMMARY_JSON } from '../core/runs/storage';
export { summarizeGroup, missedThresholds, type Summary, type GroupSummary } from '../core/runs/summary';
export { resolveSuite, type ResolvedSuite } from '../core/runs/suite';

/** Run directories under the workspace's default output folder, newest first. */
export async function listRuns(root: string, outDir = join(root, DEFAULT_OUT)): Promise<{ runDir: string }[]> {
  return listRunDirs(outDir).reverse().map((runDir) => ({ runDir }));
}

export async function renderReportHtml(_runDir: string): Promise<string> {
  throw new Error('the HTML report is not available in this build');
}
