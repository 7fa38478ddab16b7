// The JSON Schemas (schemas/*.schema.json, carried in core/generated/schemas.ts) as one registry:
// $ref resolution across files, navigation by path for completion and hover, and the copies
// given to ajv (oneOf unions rewritten to pick their branch by the value's type).
import { schemaFiles } from '../generated/schemas';
import type { FileKind } from '../model/load';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Schema = Record<string, any>;
export interface Located { s: Schema; file: string }

export const SCHEMA_BASE = 'https://userlm.dev/schemas/';
const files = schemaFiles as unknown as Record<string, Schema>;

export function schemaFor(kind: FileKind): Located { return { s: files[kind], file: kind }; }

function pointer(root: Schema, ptr: string): Schema | undefined {
  let cur: unknown = root;
  for (const part of ptr.split('/').filter(Boolean)) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Schema)[decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur as Schema | undefined;
}

/** Follows one `$ref` from a schema in `file`. */
export function deref(ref: string, file: string): Located | undefined {
  const [filePart, frag = ''] = ref.split('#');
  const target = filePart ? filePart.replace(SCHEMA_BASE, '').replace(/\.schema\.json$/, '') : file;
  const root = files[target];
  if (!root) return undefined;
  const s = frag ? pointer(root, frag) : root;
  return s ? { s, file: target } : undefined;
}

/** A schema with its `$ref`s and `allOf`s folded in; the outer annotations (description, default) win. */
export function flatten(loc: Located, depth = 0): Located {
  let { s, file } = loc;
  if (depth > 20) return loc;
  if (s.$ref) {
    const t = deref(s.$ref, file);
    if (t) {
      const inner = flatten(t, depth + 1);
      const { $ref: _r, ...outer } = s;
      s = mergeSchemas(inner.s, outer);
      file = inner.file;
      return { s, file: outer.allOf ? loc.file : file };
    }
  }
  if (Array.isArray(s.allOf)) {
    let merged: Schema = {};
    for (const part of s.allOf as Schema[]) merged = mergeSchemas(merged, flatten({ s: part, file }, depth + 1).s);
    const { allOf: _a, ...rest } = s;
    s = mergeSchemas(merged, rest);
  }
  return { s, file };
}

function mergeSchemas(a: Schema, b: Schema): Schema {
  const out: Schema = { ...a, ...b };
  if (a.properties || b.properties) out.properties = { ...(a.properties ?? {}), ...(b.properties ?? {}) };
  if (a.required || b.required) out.required = [...new Set([...(a.required ?? []), ...(b.required ?? [])])];
  return out;
}

/** The JSON type a schema accepts (first one), following refs. */
export function schemaType(loc: Located): string | undefined {
  const f = flatten(loc);
  if (typeof f.s.type === 'string') return f.s.type;
  if (Array.isArray(f.s.type)) return f.s.type[0];
  if (f.s.properties || f.s.additionalProperties !== undefined) return 'object';
  if (f.s.items) return 'array';
  if (f.s.const !== undefined) return typeof f.s.const;
  if (Array.isArray(f.s.enum)) return typeof f.s.enum[0];
  return undefined;
}

/** The branch of a union fit for `want` (`object` for keys, `array` for items, or a value's type). */
export function pickBranch(loc: Located, want: string): Located {
  const f = flatten(loc);
  const branches = (f.s.oneOf ?? f.s.anyOf) as Schema[] | undefined;
  if (!branches) return f;
  for (const b of branches) {
    const t = schemaType({ s: b, file: f.file });
    if (t === want || (want === 'number' && t === 'integer') || (want === 'integer' && t === 'number')) {
      const { oneOf: _o, anyOf: _y, ...outer } = f.s;
      const inner = flatten({ s: b, file: f.file });
      return { s: { ...inner.s, description: outer.description ?? inner.s.description, default: outer.default ?? inner.s.default }, file: inner.file };
    }
  }
  return f;
}

/** The schema at a path of keys and item markers (numbers or `*`), or undefined off the schema. */
export function schemaAt(kind: FileKind, path: readonly (string | number)[]): Located | undefined {
  let cur: Located | undefined = flatten(schemaFor(kind));
  for (const seg of path) {
    if (!cur) return undefined;
    const isItem = typeof seg === 'number' || seg === '*';
    cur = pickBranch(cur, isItem ? 'array' : 'object');
    if (isItem) {
      const items = cur.s.items;
      cur = items && typeof items === 'object' ? flatten({ s: items, file: cur.file }) : undefined;
    } else {
      const p = cur.s.properties?.[seg];
      if (p) cur = flatten({ s: p, file: cur.file });
      else if (cur.s.additionalProperties && typeof cur.s.additionalProperties === 'object') cur = flatten({ s: cur.s.additionalProperties, file: cur.file });
      else return undefined;
    }
  }
  return cur;
}

/** Keys an object schema allows, with required ones listed. */
export function objectKeys(loc: Located): { properties: Record<string, Located>; required: string[]; closed: boolean } {
  const f = pickBranch(loc, 'object');
  const properties: Record<string, Located> = {};
  for (const [k, v] of Object.entries((f.s.properties ?? {}) as Record<string, Schema>)) properties[k] = flatten({ s: v, file: f.file });
  return { properties, required: (f.s.required ?? []) as string[], closed: f.s.additionalProperties === false };
}

// ---------------------------------------------------------------- copies for ajv

/**
 * Rewrites each `oneOf` whose branches accept different JSON types into an if/then/else chain
 * on the value's type, so a value is checked against the one branch its type selects and the
 * errors are that branch's own (never "must match exactly one schema").
 */
export function forAjv(): Schema[] {
  return Object.entries(files).map(([file, schema]) => rewrite(structuredClone(schema), file));
}

function rewrite(s: Schema, file: string): Schema {
  if (!s || typeof s !== 'object') return s;
  if (Array.isArray(s)) return s.map((x) => rewrite(x, file));
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) out[k] = k === 'const' || k === 'enum' || k === 'default' || k === 'examples' ? v : rewrite(v, file);
  if (Array.isArray(out.oneOf)) {
    const branches = out.oneOf as Schema[];
    const types = branches.map((b) => schemaType({ s: b, file }));
    if (types.every((t) => t) && new Set(types).size === types.length) {
      delete out.oneOf;
      let chain: Schema = { type: types.map((t) => (t === 'integer' ? 'number' : t)), 'x-union': true };
      for (let i = branches.length - 1; i >= 0; i--) {
        const t = types[i] === 'integer' ? 'number' : types[i];
        chain = { if: { type: t }, then: branches[i], else: chain };
      }
      out.allOf = [...(out.allOf ?? []), chain];
    }
  }
  return out;
}
