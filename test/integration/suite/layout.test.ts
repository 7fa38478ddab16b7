// Panels that fit: the results, compare and preview panels at half width (beside another editor)
// and alone, in the light, dark and high-contrast themes. Each panel measures itself (page width
// overflow, wrapped table cells, charts past the edge, sticky first columns); screenshots of every
// combination go to test-artifacts/ (<panel>-<half|full>-<theme>.png).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LayoutState } from '../../../client/protocol';
import { api, screenshot, waitFor, wsRoot, wsUri } from './helpers';

const THEMES = [['light', 'Default Light Modern'], ['dark', 'Default Dark Modern'], ['high-contrast', 'Default High Contrast']] as const;

/** Two smoke runs (made here when the eval tests did not leave them). */
async function twoRuns(): Promise<[string, string]> {
  const dir = join(wsRoot(), '.userlm', 'runs');
  const smoke = () => (existsSync(dir) ? readdirSync(dir).filter((d) => d.startsWith('smoke-') && existsSync(join(dir, d, 'summary.json'))).sort() : []);
  while (smoke().length < 2) assert.ok(await vscode.commands.executeCommand('userlm.runSuite', wsUri('suites/smoke.suite.yaml')), 'a smoke run');
  const [a, b] = smoke().slice(-2);
  return [join(dir, a), join(dir, b)];
}

function assertFits(what: string, l: LayoutState, theme: string): void {
  assert.equal(l.theme, theme, `${what}: theme`);
  assert.equal(l.pageOverflowX, false, `${what} (${l.width}px): the page scrolls sideways`);
  assert.equal(l.wrappedCells, 0, `${what} (${l.width}px): ${l.wrappedCells} table cells wrap: ${l.wrappedSamples.join(' | ')}`);
  assert.equal(l.clippedCharts, 0, `${what} (${l.width}px): ${l.clippedCharts} charts cut off`);
}

const cmd = (id: string) => vscode.commands.executeCommand(id).then(undefined, () => undefined);

describe('panels that fit (half and full width, three themes)', () => {
  let runA = '';
  let runB = '';
  before(async () => { [runA, runB] = await twoRuns(); });
  after(async () => { await vscode.workspace.getConfiguration('workbench').update('colorTheme', undefined, vscode.ConfigurationTarget.Global); });

  for (const [theme, themeName] of THEMES) {
    it(`fits results, compare and preview at half and full width (${theme})`, async () => {
      const a = await api();
      await vscode.workspace.getConfiguration('workbench').update('colorTheme', themeName, vscode.ConfigurationTarget.Global);
      await cmd('workbench.action.closeAllEditors');
      await cmd('workbench.view.explorer');
      // half: the results (column one) with one of its dialogues in the preview beside it
      await vscode.commands.executeCommand('userlm.runs.open', runA);
      const dialogue = (await waitFor('the results', async () => { const s = await a.results.probe(); return s.mode === 'single' && s.layout.theme === theme ? s : undefined; })).text;
      assert.ok(dialogue);
      const first = readFileSync(join(runA, 'transcripts.jsonl'), 'utf8').split('\n')[0];
      await a.results.openDialogue(runA, JSON.parse(first).dialogue_id);
      const pHalf = await waitFor('the preview beside', async () => { const s = await a.preview.probe(); return s.layout.theme === theme && s.totalsText ? s : undefined; });
      const rHalf = await a.results.probe();
      assert.ok(rHalf.layout.width < 900 && pHalf.layout.width < 900, `half width: results ${rHalf.layout.width}px, preview ${pHalf.layout.width}px`);
      assertFits('results, half', rHalf.layout, theme);
      assertFits('preview, half', pHalf.layout, theme);
      assert.equal(rHalf.layout.stickyTables, rHalf.tables, 'every results table keeps its first column in view');
      await screenshot(`results-half-${theme}`);
      await vscode.commands.executeCommand('userlm.runs.compare', runA, runB);
      const cHalf = await waitFor('the compare view', async () => { const s = await a.results.probe(); return s.mode === 'compare' ? s : undefined; });
      assertFits('compare, half', cHalf.layout, theme);
      assert.equal(cHalf.histogramBars, 20, 'both histograms drawn');
      await screenshot(`compare-half-${theme}`);
      // full: one editor group, no side bar, no panel
      await cmd('workbench.action.closeSidebar');
      await cmd('workbench.action.closePanel');
      await cmd('workbench.action.joinAllGroups');
      await vscode.commands.executeCommand('userlm.runs.compare', runA, runB);
      const cFull = await waitFor('compare at full width', async () => { const s = await a.results.probe(); return s.mode === 'compare' && s.layout.width > 1200 ? s : undefined; });
      assertFits('compare, full', cFull.layout, theme);
      await screenshot(`compare-full-${theme}`);
      await vscode.commands.executeCommand('userlm.runs.open', runA);
      const rFull = await waitFor('results at full width', async () => { const s = await a.results.probe(); return s.mode === 'single' && s.layout.width > 1200 ? s : undefined; });
      assertFits('results, full', rFull.layout, theme);
      assert.equal(rFull.layout.scrollingTables, 0, 'at full width no table needs to scroll');
      await screenshot(`results-full-${theme}`);
      await a.results.openDialogue(runA, JSON.parse(first).dialogue_id);
      await cmd('workbench.action.joinAllGroups');
      const pFull = await waitFor('the preview at full width', async () => { const s = await a.preview.probe(); return s.layout.width > 1200 ? s : undefined; });
      assertFits('preview, full', pFull.layout, theme);
      await screenshot(`preview-full-${theme}`);
    });
  }
});
