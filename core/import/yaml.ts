// Workspace files written by the importer and the drafter: YAML with a schema modeline and a
// comment header, in a stable key order.
import { stringify } from 'yaml';

export interface OutFile {
  /** Relative to the output folder, `/`-separated. */
  path: string;
  /** The file's content as a value (scenario, profiles, suite, workspace). */
  value: Record<string, unknown>;
  /** Comment lines put at the top (without `# `). */
  header?: string[];
}

const SCHEMA_OF: Record<string, string> = { scenario: 'scenario', profiles: 'profiles', profile: 'profile', suite: 'suite', workspace: 'workspace' };

/** The YAML text of a file. `schemasDir`: where `schemas/` is, relative to the file (for the modeline), when known. */
export function yamlText(file: OutFile, schemasDir?: string): string {
  const kind = String(file.value.kind ?? '');
  const lines: string[] = [];
  if (schemasDir && SCHEMA_OF[kind]) lines.push(`# yaml-language-server: $schema=${schemasDir}/${SCHEMA_OF[kind]}.schema.json`);
  for (const h of file.header ?? []) lines.push(`# ${h}`.trimEnd());
  const body = stringify(file.value, { lineWidth: 110, minContentWidth: 40, blockQuote: 'literal' });
  return `${lines.length ? `${lines.join('\n')}\n` : ''}${body}`;
}
