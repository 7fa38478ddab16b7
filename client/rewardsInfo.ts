// What the panels show about a reward spec: each component's weight and level, and the one-line
// definition of every component and metric (core/rewards `componentDefinition`, the same sentences
// as docs/rewards.md). Computed here, in the extension: the webviews only display it.
import type { RewardSpec } from '../core/index';
import { componentDefinition, DEFAULT_REWARD_SPEC, METRICS, normalizeComponents } from '../core/rewards/index';
import { loadWorkspace } from '../core/index';
import { defaultSpec } from './engine';
import type { RewardInfo } from './protocol';

/** The workspace's default reward spec (as previews score with it), or the built-in one. */
export async function workspaceSpec(root: string): Promise<RewardSpec> {
  try { return defaultSpec(await loadWorkspace(root)).spec; } catch { return DEFAULT_REWARD_SPEC; }
}

/** Weights, levels and definitions of a spec's components (and of `extra` names seen in transcripts), and of every metric. */
export function rewardInfo(spec: RewardSpec | undefined, extra: Iterable<string> = []): RewardInfo {
  const comps = spec ? normalizeComponents(spec) : [];
  const names = new Set([...comps.map((c) => c.name), ...extra]);
  return {
    weights: Object.fromEntries(comps.map((c) => [c.name, c.weight])),
    levels: Object.fromEntries(comps.map((c) => [c.name, c.level])),
    definitions: Object.fromEntries([...names, ...METRICS].map((n) => [n, componentDefinition(n, spec)])),
    metrics: [...METRICS],
  };
}
