// Schema validation with ajv (compiled once per kind) and the mapping of each ajv error to the
// YAML node it is about: key range for unknown and missing keys, value range for wrong values.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { FileKind } from '../model/load';
import { nodeAt, type ParsedYaml, type Range, type YPair } from '../model/document';
import { fieldName } from '../model/symbols';
import { forAjv, SCHEMA_BASE, schemaAt, objectKeys } from './schemas';
import { suggest } from './suggest';
import type { Problem } from './problem';

let ajv: Ajv | undefined;
const compiled = new Map<FileKind, ValidateFunction>();

function validatorFor(kind: FileKind): ValidateFunction {
  let v = compiled.get(kind);
  if (!v) {
    if (!ajv) {
      ajv = new Ajv({ allErrors: true, strict: false, verbose: true, allowUnionTypes: true });
      for (const s of forAjv()) ajv.addSchema(s);
    }
    v = ajv.getSchema(`${SCHEMA_BASE}${kind}.schema.json`)!;
    compiled.set(kind, v);
  }
  return v;
}

const SECRET_FIELDS = new Set(['api_key', 'token']);

/** A schema problem with the instance path (JSON pointer) of the value it is about. */
export interface PathProblem { ptr: string; problem: Problem }

export function schemaProblems(file: string, kind: FileKind, parsed: ParsedYaml): Problem[] {
  return schemaPathProblems(file, kind, parsed).map((p) => p.problem);
}

export function schemaPathProblems(file: string, kind: FileKind, parsed: ParsedYaml): PathProblem[] {
  const validate = validatorFor(kind);
  if (validate(parsed.value)) return [];
  return fromErrors(file, kind, parsed, validate.errors ?? [], '');
}

/**
 * After an edit inside one scalar, re-validates only the list item that holds it (`targets[5]`
 * of a 2,500-target scenario) and keeps the other problems: each other problem lies on another
 * line, and the edit added or removed no line, so its range is unchanged. Undefined when this
 * shortcut does not apply (the caller validates the whole document).
 */
export function revalidateItem(file: string, kind: FileKind, parsed: ParsedYaml, previous: PathProblem[]): PathProblem[] | undefined {
  const edit = parsed.edit;
  if (!edit) return undefined;
  // The innermost list item on the path, reached through plain properties and items only.
  let last = -1;
  for (let i = 0; i < edit.path.length; i++) if (typeof edit.path[i] === 'number') last = i;
  if (last < 0) return undefined;
  const itemPath = edit.path.slice(0, last + 1);
  const schemaPtr = itemPath.map((seg) => (typeof seg === 'number' ? '/items' : `/properties/${escapePtr(seg)}`)).join('');
  const instancePtr = itemPath.map((seg) => `/${escapePtr(String(seg))}`).join('');
  const validate = itemValidator(kind, schemaPtr);
  if (!validate) return undefined;
  const { node: itemNode } = nodeAt(parsed.root, itemPath);
  if (!itemNode) return undefined;
  let item: unknown = parsed.value;
  for (const seg of itemPath) item = (item as Record<string | number, unknown> | undefined)?.[seg];
  const kept = previous.filter((p) => p.ptr !== instancePtr && !p.ptr.startsWith(instancePtr + '/'));
  // Another problem on the edited line (flow style) might have moved: do it all.
  if (kept.some((p) => p.problem.range.start.line === edit.line || p.problem.range.end.line === edit.line)) return undefined;
  if (validate(item)) return kept;
  return [...kept, ...fromErrors(file, kind, parsed, validate.errors ?? [], instancePtr)];
}

const itemValidators = new Map<string, ValidateFunction | null>();

/** The validator of one part of a kind's schema (`/properties/targets/items`), compiled once. */
function itemValidator(kind: FileKind, schemaPtr: string): ValidateFunction | undefined {
  const key = `${SCHEMA_BASE}${kind}.schema.json#${schemaPtr}`;
  let v = itemValidators.get(key);
  if (v === undefined) {
    try {
      validatorFor(kind);
      v = ajv!.getSchema(key) ?? null;
    } catch { v = null; }
    itemValidators.set(key, v);
  }
  return v ?? undefined;
}

function escapePtr(s: string): string { return s.replace(/~/g, '~0').replace(/\//g, '~1'); }

function fromErrors(file: string, kind: FileKind, parsed: ParsedYaml, all: ErrorObject[], prefix: string): PathProblem[] {
  const errors = all.filter((e) => e.keyword !== 'if');
  const out: PathProblem[] = [];
  const missingByPath = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const e0 of errors) {
    const e = prefix ? { ...e0, instancePath: prefix + e0.instancePath } : e0;
    const path = pointerPath(e.instancePath);
    if (e.keyword === 'required') {
      const k = e.instancePath;
      const list = missingByPath.get(k) ?? [];
      const prop = (e.params as { missingProperty: string }).missingProperty;
      if (!list.includes(prop)) list.push(prop);
      missingByPath.set(k, list);
      continue;
    }
    const p = mapError(file, kind, parsed, e, path);
    const dedupe = `${p.range.start.line}:${p.range.start.character}:${p.message}`;
    if (seen.has(dedupe)) continue;
    seen.add(dedupe);
    out.push({ ptr: e.instancePath, problem: p });
  }
  for (const [ptr, missing] of missingByPath) out.push({ ptr, problem: missingProblem(file, kind, parsed, pointerPath(ptr), missing) });
  return out;
}

function pointerPath(ptr: string): (string | number)[] {
  if (!ptr) return [];
  return ptr.slice(1).split('/').map((s) => {
    const k = s.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^\d+$/.test(k) ? Number(k) : k;
  });
}

function schemaPathOf(path: (string | number)[]): (string | number)[] {
  return path.map((s) => (typeof s === 'number' ? '*' : s));
}

function short(v: unknown): string {
  // JSON has no NaN or infinities (JSON.stringify prints them as null): name them as YAML writes them.
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? '.nan (not a number)' : v > 0 ? '.inf' : '-.inf';
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  return s.length > 40 ? s.slice(0, 37) + '…' : s;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  if (typeof v === 'string') return 'text';
  return typeof v;
}

const TYPE_WORDS: Record<string, string> = { string: 'text', object: 'a mapping', array: 'a list', integer: 'a whole number', number: 'a number', boolean: 'true or false', null: 'null' };

function valueRange(parsed: ParsedYaml, path: (string | number)[]): Range {
  const { node, pair, depth } = nodeAt(parsed.root, path);
  if (depth === path.length && node) return parsed.lines.range(node.span);
  if (depth === path.length && pair) return parsed.lines.range(pair.key.span);
  return anchorRange(parsed, path.slice(0, depth));
}

/** Where to report about the object at `path`: its key, its list item's first key, or the document's first key. */
function anchorRange(parsed: ParsedYaml, path: (string | number)[]): Range {
  const { node, pair } = nodeAt(parsed.root, path);
  if (pair && typeof path[path.length - 1] === 'string') return parsed.lines.range(pair.key.span);
  if (node?.type === 'map' && node.items.length) return parsed.lines.range(node.items[0].key.span);
  if (node) {
    const line = parsed.lines.lineOf(node.span[0]);
    return parsed.lines.range([node.span[0], Math.min(node.span[1], parsed.lines.lineEnd(line))]);
  }
  return { start: { line: 0, character: 0 }, end: { line: 0, character: parsed.lines.lineEnd(0) } };
}

function mapError(file: string, kind: FileKind, parsed: ParsedYaml, e: ErrorObject, path: (string | number)[]): Problem {
  const field = fieldName(path);
  const last = path[path.length - 1];
  const secret = typeof last === 'string' && SECRET_FIELDS.has(last);
  const base = { file, severity: 'error' as const };
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const prop = String(params.additionalProperty);
      const keyPath = [...path, prop];
      const { pair } = nodeAt(parsed.root, keyPath);
      const range = pair ? parsed.lines.range(pair.key.span) : anchorRange(parsed, path);
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? objectKeys(schemaAt(kind, schemaPathOf(path)) ?? { s: {}, file: kind }).properties);
      const hint = suggest(prop, allowed);
      const where = path.length ? ` in \`${field}\`` : '';
      const msg = `unknown field \`${prop}\`${where}` + (hint ? `; did you mean \`${hint}\`?` : allowed.length ? `; allowed: ${allowed.join(', ')}` : '');
      return { ...base, range, message: msg, code: 'unknown-key', data: { suggestion: hint, removeRange: pair ? pairLines(parsed, pair) : undefined } };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const hint = typeof e.data === 'string' ? suggest(e.data, allowed) : undefined;
      return { ...base, range: valueRange(parsed, path), code: 'invalid-value', data: { suggestion: hint },
        message: `\`${field}\` must be one of ${allowed.map((a) => `\`${a}\``).join(', ')}, not \`${short(e.data)}\`` + (hint ? `; did you mean \`${hint}\`?` : '') };
    }
    case 'const': {
      const want = String(params.allowedValue);
      return { ...base, range: valueRange(parsed, path), code: 'invalid-value', data: { suggestion: want }, message: `\`${field}\` must be \`${want}\`, not \`${short(e.data)}\`` };
    }
    case 'type': {
      const want = String(params.type).split(',').map((t) => TYPE_WORDS[t] ?? t);
      return { ...base, range: valueRange(parsed, path), code: 'wrong-type', message: `\`${field}\` must be ${want.join(' or ')}, not ${typeName(e.data)}` };
    }
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum': {
      const s = e.parentSchema as { minimum?: number; maximum?: number };
      const bounds = s.minimum !== undefined && s.maximum !== undefined ? `between ${s.minimum} and ${s.maximum}` : `${e.keyword.includes('inimum') ? 'at least' : 'at most'} ${params.limit}`;
      return { ...base, range: valueRange(parsed, path), code: 'out-of-range', message: `\`${field}\` must be ${bounds}, not ${short(e.data)}` };
    }
    case 'pattern': {
      const desc = (e.parentSchema as { description?: string } | undefined)?.description;
      const shown = secret ? '' : ` \`${short(e.data)}\``;
      return { ...base, range: valueRange(parsed, path), code: 'pattern', message: `\`${field}\`${shown} is not valid` + (desc ? `: ${desc}` : ` (must match ${params.pattern})`) };
    }
    case 'minItems':
      return { ...base, range: valueRange(parsed, path), code: 'too-few', message: `\`${field}\` needs at least ${params.limit} item${params.limit === 1 ? '' : 's'}` };
    case 'minLength':
      return { ...base, range: valueRange(parsed, path), code: 'too-short', message: `\`${field}\` must not be empty` };
    case 'minProperties':
      return { ...base, range: valueRange(parsed, path), code: 'too-few', message: `\`${field}\` needs at least ${params.limit} field${params.limit === 1 ? '' : 's'}` };
    case 'propertyNames': {
      const name = String(params.propertyName);
      const { pair } = nodeAt(parsed.root, [...path, name]);
      return { ...base, range: pair ? parsed.lines.range(pair.key.span) : valueRange(parsed, path), code: 'unknown-key', message: `\`${name}\` is not a valid key in \`${field}\`` };
    }
    default:
      return { ...base, range: valueRange(parsed, path), code: 'schema', message: `\`${field}\` ${e.message ?? 'is not valid'}` };
  }
}

/** Whole lines of a key and its value, for "remove this key". */
function pairLines(parsed: ParsedYaml, pair: YPair): Range {
  const L = parsed.lines;
  const startLine = L.lineOf(pair.key.span[0]);
  const endLine = L.lineOf(Math.max(pair.span[1] - 1, pair.key.span[0]));
  const lineText = L.lineText(startLine);
  const keyCol = pair.key.span[0] - L.starts[startLine];
  // In `- key: v` keep the dash (replace from the key on); otherwise drop whole lines.
  if (lineText.slice(0, keyCol).trim().length > 0) return { start: L.positionAt(pair.key.span[0]), end: L.positionAt(L.lineEnd(endLine)) };
  return { start: { line: startLine, character: 0 }, end: endLine + 1 < L.lineCount ? { line: endLine + 1, character: 0 } : L.positionAt(L.lineEnd(endLine)) };
}

function missingProblem(file: string, kind: FileKind, parsed: ParsedYaml, path: (string | number)[], missing: string[]): Problem {
  const field = fieldName(path);
  const names = missing.map((m) => `\`${m}\``).join(', ');
  const where = path.length ? ` in \`${field}\`` : '';
  const { node } = nodeAt(parsed.root, path);
  const L = parsed.lines;
  let insertAt = L.positionAt(parsed.text.length);
  let indent = 0;
  if (node?.type === 'map' && node.items.length) {
    const lastLine = L.lineOf(Math.max(node.span[1] - 1, node.span[0]));
    insertAt = lastLine + 1 < L.lineCount ? { line: lastLine + 1, character: 0 } : L.positionAt(parsed.text.length);
    indent = node.items[0].key.span[0] - L.starts[L.lineOf(node.items[0].key.span[0])];
  }
  return {
    file, severity: 'error', code: 'missing-required', range: anchorRange(parsed, path),
    message: `missing required field${missing.length > 1 ? 's' : ''} ${names}${where}`,
    data: { missing, insertAt, indent, schemaPath: schemaPathOf(path) },
  };
}
