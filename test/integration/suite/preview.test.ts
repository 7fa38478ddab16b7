// Previews on the built-in simulator, rendered in the real webview; probed through a message
// round trip that counts what the panel's DOM shows.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { loadWorkspace } from '../../../core/index';
import { componentDefinition, explainTotal, METRICS, normalizeComponents } from '../../../core/rewards/index';
import { defaultSpec } from '../../../core/runs/index';
import { api, needsUiHarness, screenshot, ui, waitFor, wsRoot, wsUri } from './helpers';

describe('preview panel', () => {
  let transcript: any;

  it('previews a scenario on the built-in simulator with rationales, state chart and rewards', async () => {
    const a = await api();
    const uri = wsUri('scenarios/phone-upgrade.scenario.yaml');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), vscode.ViewColumn.One);
    await vscode.commands.executeCommand('userlm.preview', uri);
    transcript = await a.preview.whenDone();
    assert.ok(transcript, 'the preview produced a transcript');
    assert.equal(transcript.simulator, 'agenda');
    const userTurns = transcript.turns.filter((t: any) => t.speaker === 'user').length;
    assert.ok(userTurns >= 2, `only ${userTurns} user turns`);
    const st = await waitFor('the panel to show the finished dialogue', async () => { const s = await a.preview.probe(); return s.totalsText ? s : undefined; });
    assert.equal(st.status, 'done');
    assert.equal(st.turns, transcript.turns.length);
    assert.equal(st.userTurns, userTurns);
    assert.equal(st.rationales, userTurns, 'one rationale per user turn');
    assert.equal(st.sections, userTurns * 5, 'five labelled sections per rationale');
    assert.ok(st.rewardBars >= userTurns, `reward bars: ${st.rewardBars}`);
    assert.equal(st.chartLines, 4, 'trust, emotion, patience, engagement');
    assert.ok(st.links > 0, 'target/policy ids link to the YAML');
    assert.equal(st.totalsText, transcript.rewards.total.toFixed(2));
    assert.ok(!st.noJudge, 'some metrics are decided by rules, so not everything says "no judge"');
    assert.match(st.metricsText, /Role.*Con/);
    assert.ok(st.totalsInView, 'the finished preview scrolls to its totals');
    assert.equal(st.seedsShown, 1, 'one seed in the header');
    assert.equal(st.chartDots, userTurns * 4, 'a dot per user turn and state variable');
    assert.equal(st.layout.pageOverflowX, false);
    // definitions on hover, how the total is computed, metrics labelled rule/judge, the new components
    const spec = defaultSpec(await loadWorkspace(wsRoot())).spec;
    for (const c of normalizeComponents(spec)) assert.equal(st.definitions[c.name], componentDefinition(c.name, spec), `definition of ${c.name}`);
    for (const m of METRICS) assert.equal(st.definitions[m], componentDefinition(m), `definition of metric ${m}`);
    assert.deepEqual(st.explainLines, explainTotal(transcript, spec));
    assert.match(st.explainLines.at(-1)!, /^total = .* = [\d.]+$/);
    for (const c of normalizeComponents(spec)) assert.ok(st.totalsComponents.includes(c.name), `${c.name} in the totals`);
    assert.equal(st.metricSources.Goal, 'rule');
    assert.equal(st.metricSources.Pers, 'none', 'a judge-only metric without a judge says so');
    await screenshot('preview');
    a.preview.scroll('top');
    await screenshot('preview-top');
  });

  it('annotates targets and policies in the editor after the preview', async () => {
    const a = await api();
    const doc = await vscode.workspace.openTextDocument(wsUri('scenarios/phone-upgrade.scenario.yaml'));
    const hints = a.preview.hints(doc);
    const lines = doc.getText().split('\n');
    for (const t of transcript.targets ?? []) {
      const line = lines.findIndex((l) => l.includes(`id: ${t.id}`));
      const h = hints.find((x) => x.line === line);
      assert.ok(h, `no hint on target ${t.id}`);
      assert.match(h.label, t.met_at === null ? /not met/ : new RegExp(`met at turn ${t.met_at}`));
    }
    const provided = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, new vscode.Range(0, 0, doc.lineCount, 0));
    assert.ok(provided.some((h) => /met/.test(typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join(''))), 'inlay hints reach the editor');
  });

  it('opens the YAML line of an id clicked in the panel, and re-runs with the next seed', async () => {
    const a = await api();
    const target = transcript.targets[0].id;
    a.preview.click(`a.ref[data-id="${target}"]`);
    const editor = await waitFor('the scenario at the target line', () => {
      const e = vscode.window.activeTextEditor;
      return e && /phone-upgrade\.scenario\.yaml$/.test(e.document.fileName) && e.document.lineAt(e.selection.start.line).text.includes(`id: ${target}`) ? e : undefined;
    });
    assert.ok(editor);
    a.preview.click('#next-seed');
    const again = await waitFor('the re-run', async () => { const t = await a.preview.whenDone(); return t && t.seed === transcript.seed + 1 ? t : undefined; });
    assert.equal(again.scenario_id, 'phone-upgrade');
    a.preview.click('#rerun');
    const same = await waitFor('the re-run with the same seed', async () => { const t = await a.preview.whenDone(); return t && t !== again && t.seed === again.seed ? t : undefined; });
    assert.deepEqual(same.turns.map((t: any) => t.text), again.turns.map((t: any) => t.text), 'the same seed plays the same dialogue');
    const st = await waitFor('the panel', async () => { const s = await a.preview.probe(); return s.status === 'done' ? s : undefined; });
    assert.equal(st.seedsShown, 1);
    transcript = same;
  });

  it('previews against the adversarial agent and shows its tactics', async () => {
    const a = await api();
    await vscode.commands.executeCommand('userlm.previewAdversarial', wsUri('scenarios/phone-upgrade-pressure.scenario.yaml'));
    const t = await a.preview.whenDone();
    assert.ok(t, 'the preview finished');
    assert.equal(t.agent, 'adversarial');
    assert.ok(t.turns.some((x: any) => x.speaker === 'agent' && x.tactic), 'an agent turn used a tactic');
    const st = await a.preview.probe();
    assert.equal(st.turns, t.turns.length);
  });

  it('lets the author play the agent in the panel (input in view and focused, live chart), then stops without touching the hints', async function () {
    needsUiHarness(this);
    const a = await api();
    // the hints of the last finished preview of this scenario
    const doc = await vscode.workspace.openTextDocument(wsUri('scenarios/phone-upgrade.scenario.yaml'));
    await vscode.commands.executeCommand('userlm.preview', doc.uri);
    await a.preview.whenDone();
    const hintsBefore = a.preview.hints(doc);
    assert.ok(hintsBefore.length > 0);
    await a.preview.start({ uri: doc.uri, agent: 'human', seed: 3 });
    const asked = await waitFor('the panel to ask for the agent line', async () => { const s = await a.preview.probe(); return s.askVisible && s.askFocused ? s : undefined; });
    assert.ok(asked.askInView, 'the input is on screen');
    // typed into the panel's own input as a user would, Enter sends
    await ui({ do: 'type', text: 'Good morning, this is Anna from TelcoOne. Do you have a minute to talk about your phone plan?' });
    await ui({ do: 'keys', keys: ['Enter'] });
    const answered = await waitFor('the user to answer the typed line', async () => { const s = await a.preview.probe(); return s.userTurns >= 1 && s.askVisible && s.askFocused ? s : undefined; });
    assert.ok(answered.askInView, 'the next input is on screen too');
    assert.equal(answered.chartDots, answered.userTurns * 4, 'the state chart follows the run live');
    a.preview.reply('We have a plan at 40 a month with the same contract length.');
    const twice = await waitFor('a second answer', async () => { const s = await a.preview.probe(); return s.userTurns >= 2 && s.askVisible ? s : undefined; });
    assert.equal(twice.chartLines, 4);
    await screenshot('preview-play-agent');
    a.preview.stop();
    const t = await a.preview.whenDone();
    assert.equal(t?.end.reason, 'cancelled');
    const st = await waitFor('the stopped status', async () => { const s = await a.preview.probe(); return s.status === 'stopped' ? s : undefined; });
    assert.equal(st.askVisible, false);
    assert.match(t.turns[0].text, /Anna from TelcoOne/);
    assert.deepEqual(a.preview.hints(doc), hintsBefore, 'the stopped run left the hints of the finished preview');
  });

  it('renders a 200-turn transcript quickly and restores the panel after it is hidden', async () => {
    const a = await api();
    const turns = Array.from({ length: 200 }, (_, i) => ({ ...transcript.turns[i % transcript.turns.length], index: i }));
    // one user turn whose rationale lacks four sections: each is flagged
    const k = turns.findIndex((t: any) => t.speaker === 'user');
    turns[k] = { ...turns[k], rationale: { raw: 'Agent intent: a sales call', sections: { agent_intent: 'a sales call' }, missing: ['concerns', 'plan', 'state', 'tone'] } };
    const big = { ...transcript, dialogue_id: 'bench-200', turns };
    // the median of 5 full renders, 200 turns against 20 turns side by side (the machine is shared:
    // absolute times swing with its load, the ratio does not; the absolute figure is printed)
    const median = async (t: any, n: number) => {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        await a.preview.show({ ...t, dialogue_id: `bench-${n}-${i}` }, { file: wsUri('scenarios/phone-upgrade.scenario.yaml').fsPath });
        times.push(a.preview.lastRenderMs()!);
      }
      return { ms: [...times].sort((x, y) => x - y)[2], times };
    };
    const small = await median({ ...big, turns: turns.slice(0, 20) }, 20);
    const large = await median(big, 200);
    const ratio = large.ms / Math.max(small.ms, 0.5);
    console.log(`    render: 200-turn transcript in ${large.ms.toFixed(1)} ms (median of 5: ${large.times.map((t) => t.toFixed(0)).join(', ')}); 20 turns in ${small.ms.toFixed(1)} ms; ratio ${ratio.toFixed(1)} (linear: 10)`);
    assert.ok(ratio < 25, `10x the turns took ${ratio.toFixed(1)}x the time: rendering is not linear`);
    const shown = await a.preview.probe();
    assert.equal(shown.turns, 200);
    assert.equal(shown.missingFlags, 4, 'the four missing sections are flagged');
    // hide the panel behind an editor in its column, then bring it back: the state is restored
    const doc = await vscode.workspace.openTextDocument(wsUri('userlm.yaml'));
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Two, preview: false });
    await new Promise((r) => setTimeout(r, 500));
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    const restored = await waitFor('the restored panel', async () => { const s = await a.preview.probe(); return s.turns === 200 ? s : undefined; }, 20_000, 300);
    assert.equal(restored.rationales, turns.filter((t: any) => t.speaker === 'user').length);
    // "Developer: Reload Webviews" reloads the panel's page: it comes back from its saved state
    await vscode.commands.executeCommand('workbench.action.webview.reloadWebviewAction');
    await new Promise((r) => setTimeout(r, 500));
    const reloaded = await waitFor('the reloaded panel', async () => { const s = await a.preview.probe(); return s.instance !== restored.instance && s.turns === 200 ? s : undefined; }, 20_000, 300);
    assert.equal(reloaded.missingFlags, 4);
  });
});
