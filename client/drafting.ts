// Drafting and importing in the editor, over the same core as `userlm draft` and `userlm import`:
// - "UserLM: Draft Scenario from SOP…" on the selection, the active file or a chosen file: the
//   draft opens in an untitled scenario editor, where the language server shows its diagnostics;
// - a CodeLens "Draft variants" on `agent.sop` in a scenario: three goal variants of that SOP,
//   each in its own untitled editor;
// - "UserLM: Import τ²-bench Tasks…": tasks.json (and policy.md beside it) into a folder.
// Bundled on its own (dist/drafting.js) and loaded after the language server has started.
import * as vscode from 'vscode';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { draftScenarios, DraftError, type Draft } from '../core/draft/index';
import { importTau2, Tau2FormatError } from '../core/import/tau2';
import { validateWritten, writeWorkspaceFiles } from '../core/import/write';
import { rootFor } from './workspace';
import { SCENARIO_LANGUAGE } from '../core/files';

export const DRAFT_COMMAND = 'userlm.draftFromSop';
export const DRAFT_VARIANTS_COMMAND = 'userlm.draftVariants';
export const IMPORT_TAU2_COMMAND = 'userlm.importTau2';

/** What the drafting commands did last (for tests and the output channel). */
export interface DraftingApi { lastDrafts(): vscode.TextDocument[] }

async function openDrafts(drafts: Draft[]): Promise<vscode.TextDocument[]> {
  const docs: vscode.TextDocument[] = [];
  for (const d of drafts) {
    const doc = await vscode.workspace.openTextDocument({ language: SCENARIO_LANGUAGE, content: d.text });
    await vscode.window.showTextDocument(doc, { preview: false });
    docs.push(doc);
  }
  return docs;
}

function reportError(log: vscode.LogOutputChannel, e: unknown): void {
  if (e instanceof DraftError) {
    log.error(`draft: ${e.message}\n${e.problems.map((p) => `  ${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.message}`).join('\n')}`);
    void vscode.window.showErrorMessage(`UserLM: ${e.message}${e.problems.length ? ` (${e.problems.length} problem${e.problems.length === 1 ? '' : 's'}, see the UserLM output)` : ''}`);
  } else {
    log.error(`draft: ${String(e)}`);
    void vscode.window.showErrorMessage(`UserLM: drafting failed: ${(e as Error)?.message ?? String(e)}`);
  }
}

/** The SOP text: the selection, else the active file, else a file the user picks. */
async function sopSource(uri?: vscode.Uri): Promise<{ sop: string; from?: vscode.Uri } | undefined> {
  if (uri) return { sop: readFileSync(uri.fsPath, 'utf8'), from: uri };
  const editor = vscode.window.activeTextEditor;
  if (editor && !editor.selection.isEmpty) return { sop: editor.document.getText(editor.selection), from: editor.document.uri };
  if (editor && editor.document.languageId !== SCENARIO_LANGUAGE && editor.document.getText().trim()) return { sop: editor.document.getText(), from: editor.document.uri };
  const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Draft from this SOP', filters: { 'SOP (text, markdown)': ['md', 'txt', 'markdown'], 'All files': ['*'] } });
  return picked?.[0] ? { sop: readFileSync(picked[0].fsPath, 'utf8'), from: picked[0] } : undefined;
}

/** The SOP of a scenario document (`agent.sop`) and its profile id. */
export function scenarioSop(text: string): { sop?: string; profile?: string; line?: number } {
  const lines = text.split('\n');
  const agent = lines.findIndex((l) => /^agent:\s*$/.test(l));
  const profile = /^profile:\s*([a-z0-9][a-z0-9_-]*)\s*(?:#.*)?$/m.exec(text)?.[1];
  if (agent < 0) return { profile };
  for (let i = agent + 1; i < lines.length && (/^\s/.test(lines[i]) || !lines[i].trim()); i++) {
    const m = /^(\s+)sop:\s*(.*)$/.exec(lines[i]);
    if (!m) continue;
    const indent = m[1].length;
    if (m[2] && !/^[|>][-+]?\s*$/.test(m[2])) return { sop: m[2].replace(/^["']|["']$/g, ''), profile, line: i };
    const body: string[] = [];
    for (let k = i + 1; k < lines.length; k++) {
      if (lines[k].trim() && lines[k].search(/\S/) <= indent) break;
      body.push(lines[k].slice(Math.min(lines[k].search(/\S/) < 0 ? 0 : lines[k].search(/\S/), indent + 2)));
    }
    return { sop: body.join('\n').trim(), profile, line: i };
  }
  return { profile };
}

class SopLenses implements vscode.CodeLensProvider {
  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const { sop, line } = scenarioSop(doc.getText());
    if (!sop || line === undefined) return [];
    return [new vscode.CodeLens(new vscode.Range(line, 0, line, 0), { title: 'Draft variants', command: DRAFT_VARIANTS_COMMAND, arguments: [doc.uri] })];
  }
}

export function registerDrafting(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): DraftingApi {
  let last: vscode.TextDocument[] = [];
  const draft = async (sop: string, from: vscode.Uri | undefined, opts: { variants?: number; profile?: string; split?: 'standard' | 'adversarial' }) => {
    const root = rootFor(from?.scheme === 'file' ? from : undefined);
    if (!root) throw new DraftError('open a folder with a userlm.yaml first (drafts are checked against its profiles and tactics)');
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'UserLM: drafting', cancellable: false }, async (progress) => {
      const drafts = await draftScenarios({ sop, root, variants: opts.variants, profile: opts.profile, split: opts.split, onProgress: (m) => { progress.report({ message: m }); log.info(`draft: ${m}`); } });
      last = await openDrafts(drafts);
      log.info(`draft: ${drafts.map((d) => `${d.scenario.id} (${d.scenario.targets.length} targets)`).join(', ')}`);
      return drafts;
    });
  };
  context.subscriptions.push(
    vscode.commands.registerCommand(DRAFT_COMMAND, async (uri?: vscode.Uri, options?: { split?: 'standard' | 'adversarial'; profile?: string }) => {
      try {
        const src = await sopSource(uri instanceof vscode.Uri ? uri : undefined);
        if (!src?.sop.trim()) return undefined;
        const split = options?.split ?? ((await vscode.window.showQuickPick(['standard', 'adversarial'], { placeHolder: 'Split: a cooperative agent, or one that uses manipulation tactics' })) as 'standard' | 'adversarial' | undefined);
        if (!split) return undefined;
        return await draft(src.sop, src.from, { split, profile: options?.profile });
      } catch (e) {
        reportError(log, e);
        return undefined;
      }
    }),
    vscode.commands.registerCommand(DRAFT_VARIANTS_COMMAND, async (uri?: vscode.Uri, variants = 3) => {
      try {
        const doc = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
        const { sop, profile } = scenarioSop(doc?.getText() ?? '');
        if (!sop) throw new DraftError('this scenario has no `agent.sop` to draft from');
        const split = /^split:\s*adversarial\b/m.test(doc!.getText()) ? 'adversarial' : 'standard';
        return await draft(sop, doc!.uri, { variants, profile, split });
      } catch (e) {
        reportError(log, e);
        return undefined;
      }
    }),
    vscode.commands.registerCommand(IMPORT_TAU2_COMMAND, async (tasksUri?: vscode.Uri, outUri?: vscode.Uri, force?: boolean) => {
      try {
        const tasks = tasksUri ?? (await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Import these τ²-bench tasks', filters: { 'τ²-bench tasks': ['json'] } }))?.[0];
        if (!tasks) return undefined;
        const root = rootFor();
        const out = outUri ?? (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Import into this folder', defaultUri: root ? vscode.Uri.file(root) : undefined }))?.[0];
        if (!out) return undefined;
        let data: unknown;
        try {
          data = JSON.parse(readFileSync(tasks.fsPath, 'utf8'));
        } catch (e) {
          throw new Error(`${basename(tasks.fsPath)} is not valid JSON: ${(e as Error).message}`);
        }
        const policyPath = join(dirname(tasks.fsPath), 'policy.md');
        const policy = existsSync(policyPath) ? readFileSync(policyPath, 'utf8') : undefined;
        const result = importTau2(data, { policy, domain: basename(dirname(tasks.fsPath)) });
        const license = [join(dirname(tasks.fsPath), 'LICENSE'), join(dirname(tasks.fsPath), '..', 'LICENSE')].find((p) => existsSync(p));
        const extra = license ? [{ path: 'TAU2-BENCH-LICENSE', text: readFileSync(license, 'utf8') }] : [];
        let written = writeWorkspaceFiles(out.fsPath, result.files, { force, extra });
        if (written.conflicts.length) {
          const replace = force === false ? undefined : await vscode.window.showWarningMessage(`${written.conflicts.length} file${written.conflicts.length === 1 ? '' : 's'} already exist and differ. Replace them?`, { modal: true }, 'Replace');
          if (replace !== 'Replace') return { written: 0, conflicts: written.conflicts.length };
          written = writeWorkspaceFiles(out.fsPath, result.files, { force: true, extra });
        }
        const v = await validateWritten(out.fsPath);
        for (const l of v.lines) log.warn(`import: ${l}`);
        const suite = result.files.find((f) => f.path.startsWith('suites/'));
        if (suite) await vscode.window.showTextDocument(vscode.Uri.file(join(out.fsPath, suite.path)), { preview: false });
        void vscode.window.showInformationMessage(`UserLM: imported ${result.scenarioIds.length} τ²-bench tasks (${v.errors} errors, ${v.warnings} warnings).`);
        return { written: written.files.length, scenarios: result.scenarioIds.length, errors: v.errors };
      } catch (e) {
        const msg = e instanceof Tau2FormatError || e instanceof Error ? e.message : String(e);
        log.error(`import: ${msg}`);
        void vscode.window.showErrorMessage(`UserLM: import failed: ${msg}`);
        return undefined;
      }
    }),
    vscode.languages.registerCodeLensProvider({ language: SCENARIO_LANGUAGE }, new SopLenses()),
  );
  return { lastDrafts: () => last };
}
