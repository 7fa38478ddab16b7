// Problems (core) -> LSP diagnostics, with related locations for clients that show them.
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import type { Problem } from '../core/validate/index';

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

const converted = [new WeakMap<Problem, Diagnostic>(), new WeakMap<Problem, Diagnostic>()];

/**
 * The diagnostic of a problem, made once per problem object: problems an edit did not touch are
 * kept by the analysis, so republishing 600 of them converts only the new ones.
 */
export function cachedDiagnostic(p: Problem, related: boolean, toUri: (file: string) => string): Diagnostic {
  const cache = converted[related ? 1 : 0];
  let d = cache.get(p);
  if (!d) cache.set(p, (d = toDiagnostic(p, related, toUri)));
  return d;
}

export function toDiagnostic(p: Problem, related = false, toUri: (file: string) => string = (f) => f): Diagnostic {
  const d: Diagnostic = { range: p.range, severity: SEVERITY[p.severity], message: p.message, code: p.code, source: 'userlm', data: p.data };
  if (related && p.related?.length) d.relatedInformation = p.related.map((r) => ({ location: { uri: toUri(r.file), range: r.range }, message: r.message }));
  return d;
}
