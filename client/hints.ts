// Editor annotations: CodeLens to preview scenarios and run suites; after a preview, inlay
// hints on targets (met at turn N / not met) and decision policies (fired at turns), with the
// rationale excerpt of that turn on hover.
import * as vscode from 'vscode';
import type { Transcript, Turn } from '../core/index';
import { locateScenarioIds } from './locate';
import { SCENARIO_LANGUAGE, SUITE_LANGUAGE } from '../core/files';

export class ScenarioLenses implements vscode.CodeLensProvider {
  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    if (doc.languageId === SUITE_LANGUAGE) {
      return [new vscode.CodeLens(top, { title: '▶ Run Eval Suite', command: 'userlm.runSuite', arguments: [doc.uri] })];
    }
    if (doc.languageId !== SCENARIO_LANGUAGE) return [];
    const line = locateScenarioIds(doc.getText(), doc.uri.fsPath).top;
    const at = new vscode.Range(line, 0, line, 0);
    return [
      new vscode.CodeLens(at, { title: '▶ Preview', command: 'userlm.preview', arguments: [doc.uri] }),
      new vscode.CodeLens(at, { title: '▶ Preview against adversarial agent', command: 'userlm.previewAdversarial', arguments: [doc.uri] }),
      new vscode.CodeLens(at, { title: 'Preview with…', command: 'userlm.previewWith', arguments: [doc.uri] }),
    ];
  }
}

/** The rationale excerpt of a turn, for hovers. */
function excerpt(turn: Turn | undefined): string {
  if (!turn?.rationale) return turn ? `> ${turn.text}` : '';
  const s = turn.rationale.sections;
  const parts = [['Agent intent', s.agent_intent], ['Concerns', s.concerns], ['Plan', s.plan], ['State', s.state]].filter(([, v]) => v);
  return parts.map(([k, v]) => `**${k}:** ${String(v).slice(0, 240)}`).join('  \n') + `\n\n> ${turn.text}`;
}

export class PreviewHints implements vscode.InlayHintsProvider {
  private readonly results = new Map<string, Transcript>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeInlayHints = this.changed.event;

  set(file: string, transcript: Transcript): void {
    this.results.set(file, transcript);
    this.changed.fire();
  }

  get(file: string): Transcript | undefined { return this.results.get(file); }

  /** The hints for a document as plain values (also used by the tests). */
  hintsFor(doc: vscode.TextDocument): { line: number; label: string; tooltip: string }[] {
    const t = this.results.get(doc.uri.fsPath);
    if (!t) return [];
    const { ids } = locateScenarioIds(doc.getText(), doc.uri.fsPath);
    const turnAt = (i: number | null | undefined) => t.turns.find((x) => x.index === i);
    // the user turn that answered: the first user turn at or after the given index
    const userTurnFrom = (i: number) => t.turns.find((x) => x.index >= i && x.speaker === 'user') ?? turnAt(i);
    const out: { line: number; label: string; tooltip: string }[] = [];
    for (const target of t.targets ?? []) {
      const link = ids[target.id];
      if (!link) continue;
      out.push(target.met_at === null
        ? { line: link.line, label: `✗ not met (seed ${t.seed})`, tooltip: `Target \`${target.id}\` was not met in the last preview (seed ${t.seed}, ${t.end.reason} at turn ${t.end.at_turn}).` }
        : { line: link.line, label: `✓ met at turn ${target.met_at}`, tooltip: `Target \`${target.id}\` met at turn ${target.met_at} (seed ${t.seed}).\n\n${excerpt(userTurnFrom(target.met_at))}` });
    }
    for (const p of t.policies ?? []) {
      const link = ids[p.id];
      if (!link || !p.turns.length) continue;
      out.push({ line: link.line, label: `⚑ fired at turn${p.turns.length > 1 ? 's' : ''} ${p.turns.join(', ')}`, tooltip: `Policy \`${p.id}\` fired at turn ${p.turns.join(', ')} (seed ${t.seed}).\n\n${excerpt(userTurnFrom(p.turns[0]))}` });
    }
    return out;
  }

  provideInlayHints(doc: vscode.TextDocument, range: vscode.Range): vscode.InlayHint[] {
    return this.hintsFor(doc).filter((x) => x.line >= range.start.line && x.line <= range.end.line).map((x) => {
      const hint = new vscode.InlayHint(doc.lineAt(x.line).range.end, `  ${x.label}`);
      hint.tooltip = new vscode.MarkdownString(x.tooltip);
      hint.paddingLeft = true;
      return hint;
    });
  }

  dispose(): void { this.changed.dispose(); }
}
