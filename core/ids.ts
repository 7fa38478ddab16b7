// Built-in ids, the simulated user's state keys and the paper's metric names: part of the one
// home of names (core/files.ts re-exports them), kept free of imports so that the webviews'
// browser bundles (client/protocol.ts) use the same lists.

/** Simulators that need no backend. */
export const SIMULATOR_BUILTINS = ['agenda'] as const;
/** Agents that need no backend. */
export const AGENT_BUILTINS = ['scripted', 'adversarial', 'llm', 'human'] as const;
/** The simulator and agent when nothing (setting, suite, scenario, workspace defaults) names one. */
export const DEFAULT_SIMULATOR = 'agenda';
export const DEFAULT_AGENT = 'scripted';
/** Built-ins that run in-process and call no network backend (`llm` is an agent on a backend). */
export const IN_PROCESS_ROLES: readonly string[] = [...SIMULATOR_BUILTINS, ...AGENT_BUILTINS.filter((a) => a !== 'llm')];
/** Whether a role id (or none: the default) runs in-process, with no backend and no key. */
export function isBuiltInRole(id: string | undefined): boolean {
  return !id || IN_PROCESS_ROLES.includes(id);
}

/** The simulated user's state variables, each in [0, 1]. */
export const STATE_KEYS = ['trust', 'emotion', 'patience', 'engagement'] as const;
export type StateKey = (typeof STATE_KEYS)[number];

/** The paper's evaluation metrics (UserLM-R1), in its table order. */
export const METRIC_NAMES = ['Role', 'Int', 'Goal', 'Rob', 'CoT', 'Stra', 'Pers', 'Con'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
