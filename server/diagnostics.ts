// Problems (core) -> LSP diagnostics, with related locations for clients that show them.
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import type { Problem } from '../core/validate/index';

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

export function toDiagnostic(p: Problem, related = false, toUri: (file: string) => string = (f) => f): Diagnostic {
  const d: Diagnostic = { range: p.range, severity: SEVERITY[p.severity], message: p.message, code: p.code, source: 'userlm', data: p.data };
  if (related && p.related?.length) d.relatedInformation = p.related.map((r) => ({ location: { uri: toUri(r.file), range: r.range }, message: r.message }));
  return d;
}
