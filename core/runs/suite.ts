// Suite resolution: a suite file -> the dialogues it asks for (scenario x profile x sample, each
// with a seed derived from the suite seed and the dialogue id), the reward spec and the backends.
import { resolve, relative } from 'node:path';
import { glob } from 'tinyglobby';
import picomatch from 'picomatch';
import type { RewardSpec, Scenario, Suite, Workspace } from '../generated/schema-types';
import { loadWorkspace, loadYamlFile, resolveFrom, resolveProfile, IGNORED_DIRS, type WorkspaceValues } from '../model/load';
import type { ResolvedProfile } from '../dialogue/types';
import { createRng, hashString } from '../util/rng';
import { DEFAULT_SIMULATOR } from '../files';
import { DEFAULT_REWARD_SPEC, loadRewardSpec } from '../rewards';

export interface PlannedDialogue {
  /** `<scenario>:<profile>:<sample>`, unique in the run. */
  id: string;
  scenario: Scenario;
  scenarioFile: string;
  profile: ResolvedProfile;
  sample: number;
  seed: number;
}

export interface ResolvedSuite {
  root: string;
  suiteFile: string;
  suite: Suite;
  ws: WorkspaceValues;
  config?: Workspace;
  spec: RewardSpec;
  /** Where the spec came from: a file path, `inline`, or `builtin`. */
  specSource: string;
  simulator: string;
  dialogues: PlannedDialogue[];
  concurrency: number;
  thresholds: Record<string, number>;
}

/** The seed of a dialogue: FNV-1a of its id, seeded with the suite seed, as a non-negative 31-bit integer. */
export function dialogueSeed(suiteSeed: number, dialogueId: string): number {
  return hashString(dialogueId, suiteSeed) & 0x7fffffff;
}

const GLOB_CHARS = /[*?[\]{}]/;

export async function resolveSuite(root: string, suiteFile: string, ws?: WorkspaceValues): Promise<ResolvedSuite> {
  const absRoot = resolve(root);
  const file = resolve(suiteFile);
  const loaded = loadYamlFile(file);
  if (loaded.kind !== 'suite') throw new Error(`${file}: not a suite (kind: ${String(loaded.kind)})`);
  const suite = loaded.value as Suite;
  const values = ws ?? (await loadWorkspace(absRoot));
  const config = values.config?.value;

  const scenarios = await resolveScenarios(values, suite, file);
  const baseSeed = suite.seed ?? 0;
  const samples = suite.samples ?? 1;
  const dialogues: PlannedDialogue[] = [];
  for (const sc of scenarios) {
    const scenario = suite.max_turns ? { ...sc.value, termination: { ...sc.value.termination, max_turns: suite.max_turns } } : sc.value;
    for (const profile of resolveProfiles(values, suite, sc.value, file)) {
      for (let sample = 0; sample < samples; sample++) {
        const id = `${sc.value.id}:${profile.id}:${sample}`;
        dialogues.push({ id, scenario, scenarioFile: sc.file, profile, sample, seed: dialogueSeed(baseSeed, id) });
      }
    }
  }
  const { spec, source } = resolveSpec(suite, file, values);
  return {
    root: absRoot, suiteFile: file, suite, ws: values, config, spec, specSource: source,
    simulator: suite.simulator ?? config?.defaults?.simulator ?? DEFAULT_SIMULATOR,
    dialogues, concurrency: suite.concurrency ?? 4, thresholds: suite.thresholds ?? {},
  };
}

/** Which of a suite's dialogues to run: `only` (a glob over dialogue ids and scenario ids), then the first `limit`. */
export interface DialogueSelection { only?: string; limit?: number }

/**
 * The dialogues a selection keeps, in plan order. `only` matches a dialogue when it matches its id
 * (`<scenario>:<profile>:<sample>`) or its scenario id; a selection that keeps nothing is an error.
 */
export function selectDialogues(dialogues: PlannedDialogue[], sel: DialogueSelection): PlannedDialogue[] {
  let out = dialogues;
  if (sel.only !== undefined) {
    const match = picomatch(sel.only);
    out = out.filter((d) => match(d.id) || match(d.scenario.id));
    if (!out.length) {
      const examples = dialogues.slice(0, 3).map((d) => d.id).join(', ');
      throw new Error(`--only '${sel.only}' matches none of the suite's ${dialogues.length} dialogues (ids are <scenario>:<profile>:<sample>${examples ? `, e.g. ${examples}` : ''})`);
    }
  }
  if (sel.limit !== undefined) {
    if (!Number.isInteger(sel.limit) || sel.limit < 1) throw new Error(`limit must be a whole number at least 1, got ${sel.limit}`);
    out = out.slice(0, sel.limit);
  }
  return out;
}

/** The suite's spec, else `defaults.rewards` of userlm.yaml, else the built-in default. */
export function resolveSpec(suite: Pick<Suite, 'rewards'>, suiteFile: string, ws: WorkspaceValues): { spec: RewardSpec; source: string } {
  if (suite.rewards !== undefined) {
    const spec = loadRewardSpec(suite.rewards, suiteFile);
    return { spec, source: typeof suite.rewards === 'string' ? resolveFrom(suiteFile, suite.rewards) : 'inline' };
  }
  return defaultSpec(ws);
}

export function defaultSpec(ws: WorkspaceValues): { spec: RewardSpec; source: string } {
  const def = ws.config?.value.defaults?.rewards;
  if (def && ws.config) return { spec: loadRewardSpec(def, ws.config.file), source: resolveFrom(ws.config.file, def) };
  return { spec: DEFAULT_REWARD_SPEC, source: 'builtin' };
}

async function resolveScenarios(ws: WorkspaceValues, suite: Suite, suiteFile: string): Promise<{ value: Scenario; file: string }[]> {
  const out: { value: Scenario; file: string }[] = [];
  const seen = new Set<string>();
  const byFile = new Map([...ws.scenarios.values()].map((s) => [resolve(s.file), s]));
  for (const entry of suite.scenarios) {
    let found: { value: Scenario; file: string }[];
    if (GLOB_CHARS.test(entry) || /\.ya?ml$/.test(entry)) {
      const files = (await glob([entry], { cwd: ws.root, absolute: true, ignore: IGNORED_DIRS })).map((f) => resolve(f)).sort();
      found = files.map((f) => byFile.get(f)).filter((s): s is { value: Scenario; file: string } => !!s);
      if (!found.length) throw new Error(`${suiteFile}: scenarios entry '${entry}' matches no scenario file under ${ws.root}`);
    } else {
      const s = ws.scenarios.get(entry);
      if (!s) throw new Error(`${suiteFile}: scenario '${entry}' is not in the workspace (known: ${[...ws.scenarios.keys()].sort().join(', ') || 'none'})`);
      found = [s];
    }
    for (const s of found) if (!seen.has(s.value.id)) { seen.add(s.value.id); out.push(s); }
  }
  return out;
}

function resolveProfiles(ws: WorkspaceValues, suite: Suite, scenario: Scenario, suiteFile: string): ResolvedProfile[] {
  const p = suite.profiles ?? 'own';
  const byId = (id: string): ResolvedProfile => {
    const f = ws.profiles.get(id);
    if (!f) throw new Error(`${suiteFile}: profile '${id}' is not in the workspace`);
    return { ...f.value, id, name: f.value.name ?? id };
  };
  if (p === 'own') return [resolveProfile(ws, scenario)];
  if (Array.isArray(p)) return p.map(byId);
  if (typeof p === 'string') {
    // A glob of profile files, relative to the workspace root.
    const ids = [...ws.profiles.entries()].filter(([, f]) => matchesGlob(ws.root, f.file, p)).map(([id]) => id).sort();
    if (!ids.length) throw new Error(`${suiteFile}: profiles '${p}' matches no profile file`);
    return ids.map(byId);
  }
  let pool = [...ws.profiles.keys()].sort();
  if (p.tags?.length) pool = pool.filter((id) => (ws.profiles.get(id)!.value.tags ?? []).some((t) => p.tags!.includes(t)));
  if (pool.length < p.sample) throw new Error(`${suiteFile}: profiles.sample is ${p.sample} but only ${pool.length} profiles match`);
  const rng = createRng(hashString(scenario.id, suite.seed ?? 0));
  for (let i = pool.length - 1; i > 0; i--) { const j = rng.int(i + 1); [pool[i], pool[j]] = [pool[j], pool[i]]; }
  return pool.slice(0, p.sample).sort().map(byId);
}

function matchesGlob(root: string, file: string, pattern: string): boolean {
  return picomatch(pattern)(relative(root, file).split('\\').join('/'));
}
