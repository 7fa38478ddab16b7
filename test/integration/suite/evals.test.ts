// Eval runs: the palette command with progress, the results panel, the Test Explorer items,
// cancelling, the Runs view (compare, report, delete).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { componentDefinition, explainTotal, METRICS, normalizeComponents } from '../../../core/rewards/index';
import { api, chatServer, failingServer, needsUiHarness, screenshot, ui, useBackendPort, waitFor, wsUri } from './helpers';

const lines = (f: string) => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).length;

describe('eval runs', () => {
  let smokeDir = '';
  let bigDir = '';

  it('runs a suite from its CodeLens with progress, writes the run and shows the results panel', async () => {
    const a = await api();
    const suiteUri = wsUri('suites/smoke.suite.yaml');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(suiteUri), vscode.ViewColumn.One);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', suiteUri);
    const lens = lenses.find((l) => l.command?.command === 'userlm.runSuite');
    assert.ok(lens?.command, `lenses: ${lenses.map((l) => l.command?.title).join(', ')}`);
    const outcome: any = await vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments ?? []));
    assert.ok(outcome, 'the run finished');
    smokeDir = outcome.runDir;
    for (const f of ['run.json', 'transcripts.jsonl', 'summary.json']) assert.ok(existsSync(join(smokeDir, f)), `${f} written`);
    assert.equal(lines(join(smokeDir, 'transcripts.jsonl')), 4, '2 scenarios x 2 samples');
    const progress = a.evals.progressLog();
    assert.ok(progress.some((p) => /^4\/4 dialogues/.test(p)), `progress: ${progress.join(' | ')}`);
    const st = await waitFor('the results panel', async () => { const s = await a.results.probe(); return s.mode === 'single' ? s : undefined; });
    assert.equal(st.rows, 2, 'one row per scenario and split');
    assert.equal(st.histogramBars, 10);
    assert.match(st.text, /phone-upgrade-pressure/);
    assert.match(st.text, /adversarial/);
    // every reward component and metric carries its one-line definition from core (the run's spec)
    const spec = JSON.parse(readFileSync(join(smokeDir, 'run.json'), 'utf8')).rewards;
    for (const c of normalizeComponents(spec)) assert.equal(st.definitions[c.name], componentDefinition(c.name, spec), `definition of ${c.name}`);
    assert.match(st.definitions.grounding, /^Fixture wording/, 'a spec description overrides the built-in text');
    for (const m of METRICS) assert.equal(st.definitions[m], componentDefinition(m), `definition of metric ${m}`);
    for (const name of ['voice', 'no_leak', 'no_invention', 'no_degenerate', 'plan_reply']) assert.ok(st.text.includes(componentDefinition(name, spec)), `the new component ${name} is listed with its definition`);
    assert.equal(st.metricSources.Goal, 'rule', 'Goal is decided by rules without a judge');
    assert.equal(st.noTotal, 0);
    assert.deepEqual(st.causes, []);
    await screenshot('results');
    // a dialogue of the run, opened in the preview panel
    const t = outcome.transcripts[0];
    await a.results.openDialogue(smokeDir, t.dialogue_id);
    const shown = await a.preview.probe();
    assert.equal(shown.turns, t.turns.length);
    assert.equal(shown.totalsText, t.rewards.total.toFixed(2));
    assert.deepEqual(shown.explainLines, explainTotal(t, spec), 'how this total is computed, with the run\'s spec');
    for (const name of ['voice', 'no_leak', 'no_invention', 'no_degenerate', 'plan_reply']) assert.ok(shown.totalsComponents.includes(name), `the new component ${name} in the preview`);
    assert.equal(shown.definitions.grounding, st.definitions.grounding, 'the preview of a run\'s dialogue uses the run\'s spec');
  });

  it('shows every eval run in the Test Explorer: the CodeLens run and a palette run, with output on passing dialogues', async () => {
    const a = await api();
    // the palette: no argument, the suite quick pick answered as a user would (the open suite comes first)
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(wsUri('suites/smoke.suite.yaml')), vscode.ViewColumn.One);
    const before = a.evals.testRuns().length;
    const pending = vscode.commands.executeCommand<any>('userlm.runSuite');
    await waitFor('the suite quick pick', () => a.evals.picking() || undefined);
    // Enter on the first item (repeated until the workbench has drawn the pick and takes it)
    await waitFor('the pick to be accepted', async () => {
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      return !a.evals.picking() || undefined;
    }, 20_000, 300);
    const outcome = await pending;
    assert.ok(outcome, 'the palette run finished');
    const runs = a.evals.testRuns();
    assert.equal(runs.length, before + 1, 'one test run per eval run');
    const lensRun = runs.find((r) => r.origin === 'editor' && r.runDir === smokeDir);
    const paletteRun = runs[runs.length - 1];
    assert.ok(lensRun, `the CodeLens run is in the Test Explorer: ${runs.map((r) => `${r.name} ${r.runDir}`).join(' | ')}`);
    assert.equal(paletteRun.origin, 'palette');
    assert.equal(paletteRun.runDir, outcome.runDir);
    assert.match(paletteRun.name, /smoke \(command palette\)/);
    for (const r of [lensRun, paletteRun]) {
      assert.ok(r.ended);
      const dialogues = r.outcomes.filter((o) => /#[^/]+\//.test(o.id));
      assert.equal(dialogues.length, 4, `${r.name}: one test per dialogue`);
      for (const d of dialogues) {
        assert.equal(d.state, 'passed', `${d.id}: ${d.message}`);
        // passing tests carry their output: scores, end reason
        assert.match(d.output ?? '', /total \d\.\d\d — passed/);
        assert.match(d.output ?? '', /ended: \w+ at turn \d+/);
        assert.match(d.output ?? '', /components: \w+ \d\.\d\d/);
      }
      assert.equal(r.outcomes.filter((o) => /#phone-upgrade(-pressure)?$/.test(o.id)).length, 2, 'the scenarios are marked too');
    }
    await vscode.commands.executeCommand('workbench.view.testing.focus');
    await vscode.commands.executeCommand('workbench.panel.testResults.view.focus').then(undefined, () => undefined);
    await screenshot('test-explorer-runs');
  });

  it('shows suites, scenarios and dialogues in the Test Explorer; a failed threshold fails at the scenario', async () => {
    const a = await api();
    await a.evals.discover();
    const suites: vscode.TestItem[] = [];
    a.evals.controller.items.forEach((i) => suites.push(i));
    const smoke = suites.find((i) => i.description === 'smoke');
    assert.ok(smoke, `suites: ${suites.map((s) => s.description).join(', ')}`);
    assert.equal(smoke.children.size, 2);
    // a threshold no dialogue can meet: every dialogue fails, located at its scenario
    const suiteFile = wsUri('suites/smoke.suite.yaml');
    const text = readFileSync(suiteFile.fsPath, 'utf8');
    await vscode.workspace.fs.writeFile(suiteFile, Buffer.from(text.replace('thresholds: { total: 0.5 }', 'thresholds: { total: 1.01 }')));
    try {
      const outcomes = await a.evals.runTests([smoke]);
      const scenarioResults = outcomes.filter((o) => /#phone-upgrade(-pressure)?$/.test(o.id));
      assert.equal(scenarioResults.length, 2, JSON.stringify(outcomes.map((o) => o.id)));
      assert.equal(a.evals.testRuns().at(-1)?.origin, 'testExplorer');
      for (const r of scenarioResults) {
        assert.equal(r.state, 'failed');
        assert.match(r.message!, /below threshold: total/);
        assert.match(r.message!, /components: /);
        assert.equal(typeof r.line, 'number');
      }
      assert.equal(outcomes.filter((o) => /#[^/]+\//.test(o.id)).length, 4, 'one test item per dialogue');
      let dialogues = 0;
      smoke.children.forEach((s) => { dialogues += s.children.size; });
      assert.equal(dialogues, 4);
      await vscode.commands.executeCommand('workbench.view.testing.focus');
      await screenshot('test-explorer');
    } finally {
      await vscode.workspace.fs.writeFile(suiteFile, Buffer.from(text));
    }
  });

  it('shows why dialogues failed (a backend refusing the key) in the Test Explorer and the results panel, with no total', async () => {
    const a = await api();
    const { server, port, requests } = await failingServer(401, 'Incorrect API key provided: sk-...wxyz.');
    const restore = await useBackendPort(port);
    try {
      await vscode.commands.executeCommand('userlm.setApiKey', 'local-vllm', 'sk-userlm-test-SECRET-refused');
      await a.evals.discover();
      const suites: vscode.TestItem[] = [];
      a.evals.controller.items.forEach((i) => suites.push(i));
      const errors = suites.find((i) => i.description === 'errors');
      assert.ok(errors);
      const outcomes = await a.evals.runTests([errors]);
      assert.ok(requests() > 0, 'the server was asked');
      const dialogues = outcomes.filter((o) => /#[^/]+\//.test(o.id));
      assert.equal(dialogues.length, 2);
      for (const d of dialogues) {
        assert.equal(d.state, 'failed');
        assert.match(d.message!, /no total/);
        assert.match(d.message!, /^error: .*401/m, `the cause in one line: ${d.message}`);
        assert.match(d.message!, /Incorrect API key provided/);
      }
      const st = await waitFor('the results of the failed run', async () => { const s = await a.results.probe(); return s.mode === 'single' && s.text.includes('errors') && s.causes.length === 2 ? s : undefined; });
      assert.equal(st.noTotal, 2, 'errored dialogues show no total');
      for (const c of st.causes) { assert.match(c, /401/); assert.ok(!c.includes('\n')); }
      await screenshot('results-failures');
      const run = a.evals.testRuns().at(-1)!;
      const t = JSON.parse(readFileSync(join(run.runDir!, 'transcripts.jsonl'), 'utf8').split('\n')[0]);
      assert.equal(t.rewards.total, undefined, 'the transcript has no total');
      await a.results.openDialogue(run.runDir!, t.dialogue_id);
      const p = await a.preview.probe();
      assert.equal(p.totalsText, 'none', 'the preview of an errored dialogue shows no total');
      assert.equal(p.status, 'error');
    } finally {
      server.close();
      await restore();
      await vscode.commands.executeCommand('userlm.deleteApiKey', 'local-vllm');
    }
  });

  it('cancels a long run cleanly, keeping the finished dialogues, and resumes it', async () => {
    const a = await api();
    // a simulator behind a real (slow) OpenAI-compatible server: 40 ms a reply
    const { server, port } = await chatServer([], 40);
    const restore = await useBackendPort(port);
    try {
      await vscode.commands.executeCommand('userlm.setApiKey', 'local-vllm', 'sk-userlm-test-SECRET-eval');
      const pending = vscode.commands.executeCommand<any>('userlm.runSuite', wsUri('suites/big.suite.yaml'));
      await waitFor('a few dialogues done', () => a.evals.progressLog().some((p) => /^([3-9]|\d\d+)\/120 /.test(p)) || undefined, 60_000, 20);
      assert.equal(await vscode.commands.executeCommand('userlm.cancelEval'), true);
      const outcome = await pending;
      assert.ok(outcome, 'the run returned');
      const log = a.evals.progressLog();
      assert.ok(outcome.cancelled, `not cancelled: ${log.length} progress lines, last ${log[log.length - 1]}`);
      bigDir = outcome.runDir;
      const written = lines(join(bigDir, 'transcripts.jsonl'));
      assert.ok(written >= 3 && written < 120, `${written} dialogues written`);
      assert.equal(a.evals.running(), false);
      // resume from the Runs view: the finished dialogues are skipped, the rest run
      await vscode.commands.executeCommand('userlm.runs.resume', bigDir);
      assert.equal(lines(join(bigDir, 'transcripts.jsonl')), 120);
      assert.equal(JSON.parse(readFileSync(join(bigDir, 'run.json'), 'utf8')).status, 'completed');
    } finally {
      server.close();
      await restore();
    }
  });

  it('keeps the extension host responsive during a long built-in run, and cancels it at once', async () => {
    const a = await api();
    const pending = vscode.commands.executeCommand<any>('userlm.runSuite', wsUri('suites/huge.suite.yaml'));
    // these timers only fire if the run does not block the extension host
    await waitFor('progress while the run goes on', () => a.evals.progressLog().some((p) => /^([5-9]\d|\d{3})\/3000 /.test(p)) || undefined, 60_000, 10);
    const asked = Date.now();
    assert.equal(await vscode.commands.executeCommand('userlm.cancelEval'), true);
    const outcome = await pending;
    console.log(`    cancel: ${outcome.transcripts.length}/3000 dialogues kept, the run ended ${Date.now() - asked} ms after cancel`);
    assert.ok(outcome.cancelled);
    assert.ok(outcome.transcripts.length < 3000, `${outcome.transcripts.length} dialogues`);
    assert.equal(JSON.parse(readFileSync(join(outcome.runDir, 'run.json'), 'utf8')).status, 'cancelled');
    assert.equal(await vscode.commands.executeCommand('userlm.runs.delete', outcome.runDir, true), true);
  });

  it('labels runs with suite, simulator, seed and total; compares from the context menu and the palette', async function () {
    needsUiHarness(this);
    const a = await api();
    const entries = await a.runs.entries();
    const smoke = entries.find((e) => e.runDir === smokeDir);
    const big = entries.find((e) => e.runDir === bigDir);
    assert.ok(smoke && big, entries.map((e) => e.runDir).join(', '));
    assert.match(smoke.label, /^smoke · agenda · seed 7 · total \d\.\d\d$/);
    assert.match(big.label, /^big · local-vllm · seed \d+ · total \d\.\d\d$/);
    // the context menu of a run in the Runs view, clicked in the workbench
    const ext = vscode.extensions.getExtension('userlm-studio.userlm-studio')!;
    assert.ok(ext.packageJSON.contributes.menus['view/item/context'].some((m: any) => m.command === 'userlm.runs.compare' && !/inline/.test(m.group)), 'Compare With… is in the context menu');
    await vscode.commands.executeCommand('workbench.view.extension.userlm');
    await ui({ do: 'contextmenu', treeitem: smoke.description.split(' · ').pop()!, menu: 'Compare With…' });
    await waitFor('the run quick pick', () => a.runs.picking());
    await screenshot('runs-context-compare');
    await ui({ do: 'type', text: big.runId });
    await ui({ do: 'keys', keys: ['Enter'] });
    const viaMenu = await waitFor('compare from the context menu', async () => { const s = await a.results.probe(); return s.mode === 'compare' && s.text.includes(`Compare ${smoke.runId} → ${big.runId}`) ? s : undefined; });
    assert.ok(viaMenu.deltas >= 2);
    // the command palette: "UserLM: Compare Runs…", then two runs picked
    await vscode.commands.executeCommand('userlm.runs.open', smokeDir);
    // (the palette lists the command: contributes.commands, not hidden by a commandPalette `when`; the
    // test runs it by id, as the palette does, since typing into F1 races the palette's opening)
    const pkg = vscode.extensions.all.find((e) => e.packageJSON?.contributes?.commands?.some((c: { command: string }) => c.command === 'userlm.compareRuns'))?.packageJSON;
    assert.ok(pkg, 'userlm.compareRuns is a contributed command');
    assert.ok(!(pkg.contributes.menus?.commandPalette ?? []).some((m: { command: string; when?: string }) => m.command === 'userlm.compareRuns' && m.when === 'false'));
    void vscode.commands.executeCommand('userlm.compareRuns');
    await waitFor('the first run pick', () => a.runs.picking()?.includes('(A)'));
    await ui({ do: 'type', text: big.runId });
    await ui({ do: 'keys', keys: ['Enter'] });
    await waitFor('the second run pick', () => a.runs.picking()?.includes('(B)'));
    await ui({ do: 'type', text: smoke.runId });
    await ui({ do: 'keys', keys: ['Enter'] });
    await waitFor('compare from the palette', async () => { const s = await a.results.probe(); return s.mode === 'compare' && s.text.includes(`Compare ${big.runId} → ${smoke.runId}`) ? s : undefined; });
  });

  it('exports a run as SFT and RL training datasets', async () => {
    const a = await api();
    for (const format of ['sft', 'rl'] as const) {
      const out = join(smokeDir, '..', '..', 'datasets', `smoke.${format}.jsonl`);
      const r = await a.runs.exportDataset(smokeDir, { format, out });
      assert.ok(r, `${format} export`);
      const rows = readFileSync(r.train, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
      assert.equal(rows.length, r.summary.train);
      assert.equal(lines(r.validation), r.summary.validation);
      assert.ok(r.summary.samples >= 4, `${r.summary.samples} samples from 4 dialogues`);
      if (format === 'sft') {
        const msgs = rows[0].messages;
        assert.equal(msgs[0].role, 'system');
        assert.equal(msgs.at(-1).role, 'assistant', 'the simulated user\'s turn is the target');
        assert.match(msgs.at(-1).content, /<think>[\s\S]*<\/think>/, 'with its rationale');
      }
      else assert.ok(Array.isArray(rows[0].prompt) && rows[0].context, 'RL rows carry the prompt and the reward context');
    }
  });

  it('re-scores a run with another reward spec into a new run and compares the two', async () => {
    const a = await api();
    const ext = vscode.extensions.getExtension('userlm-studio.userlm-studio')!;
    assert.ok(ext.packageJSON.contributes.menus['view/item/context'].some((m: any) => m.command === 'userlm.runs.rescore'), 'Re-score Run With… is in the context menu');
    const specFile = wsUri('rewards/default.rewards.yaml').fsPath;
    const newDir = await a.runs.rescore(smokeDir, { rewards: specFile });
    assert.ok(newDir && existsSync(join(newDir, 'transcripts.jsonl')) && newDir !== smokeDir, `new run: ${newDir}`);
    const json = JSON.parse(readFileSync(join(newDir, 'run.json'), 'utf8'));
    assert.equal(json.rewards_source, specFile);
    const read = (d: string) => readFileSync(join(d, 'transcripts.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
    const before = read(smokeDir);
    const after = read(newDir);
    assert.equal(after.length, before.length);
    assert.ok('voice' in before[0].rewards.turn_mean && !('voice' in after[0].rewards.turn_mean), 'scored with the other spec (no voice component)');
    const st = await waitFor('the comparison of the two', async () => { const s = await a.results.probe(); return s.mode === 'compare' && s.text.includes(json.run_id) ? s : undefined; });
    assert.ok(st.deltas > 0);
    assert.ok((await a.runs.entries()).some((e) => e.runDir === newDir), 'the new run is in the Runs view');
    assert.equal(await vscode.commands.executeCommand('userlm.runs.delete', newDir, true), true);
  });

  it('compares two runs side by side with deltas, opens a report and deletes a run', async () => {
    const a = await api();
    await vscode.commands.executeCommand('userlm.runs.compare', smokeDir, bigDir);
    const st = await waitFor('the compare view', async () => { const s = await a.results.probe(); return s.mode === 'compare' ? s : undefined; });
    assert.ok(st.deltas >= 2, `deltas: ${st.deltas}`);
    await screenshot('compare');
    await vscode.commands.executeCommand('workbench.view.extension.userlm');
    await screenshot('runs-view');
    const panel = await vscode.commands.executeCommand<vscode.WebviewPanel>('userlm.runs.report', smokeDir);
    assert.ok(panel?.webview.html.length > 100, 'the report has content');
    panel?.dispose();
    assert.equal(await vscode.commands.executeCommand('userlm.runs.delete', bigDir, true), true);
    assert.ok(!existsSync(bigDir));
  });
});
