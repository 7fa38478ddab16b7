// Shared helpers for the engine tests: the sample workspace and a small inline scenario.
import { resolve } from 'node:path';
import { loadWorkspace, resolveProfile, type WorkspaceValues } from '../../../core/model/load';
import type { Scenario, Transcript } from '../../../core/generated/schema-types';
import { runDialogue, type DialogueOptions } from '../../../core/dialogue/index';
import { createSimulator } from '../../../core/simulate/index';
import { createAgent, envSecret } from '../../../core/agents/index';
import type { ResolvedProfile } from '../../../core/dialogue/types';

export const ROOT = resolve(__dirname, '../../../..');
let samples: Promise<WorkspaceValues> | undefined;

export function loadSamples(): Promise<WorkspaceValues> {
  samples ??= loadWorkspace(resolve(ROOT, 'samples'));
  return samples;
}

export async function sampleScenarios(): Promise<{ scenario: Scenario; profile: ResolvedProfile; ws: WorkspaceValues }[]> {
  const ws = await loadSamples();
  return [...ws.scenarios.values()].map(({ value }) => ({ scenario: value, profile: resolveProfile(ws, value), ws }));
}

/** Runs agenda against a built-in agent. */
export function runAgenda(scenario: Scenario, profile: ResolvedProfile, seed: number, agent = 'scripted', extra: Partial<DialogueOptions> = {}): Promise<Transcript> {
  const env = { config: extra.config, secret: envSecret };
  return runDialogue({ scenario, profile, seed, simulator: createSimulator('agenda', env), agent: createAgent(agent, env), ...extra });
}

/** The transcript without the fields that depend on the clock. */
export function stable(t: Transcript): unknown {
  return JSON.parse(JSON.stringify(t, (k, v) => (k === 'started_at' || k === 'latency_ms' ? undefined : v)));
}

export const PROFILE: ResolvedProfile = {
  id: 'pat', name: 'Pat Doe',
  expression: { verbosity: 'standard', formality: 'neutral', patience: 0.7 },
};

/** A small scenario exercising reveal rules, memory and unknown, policies and transitions. */
export function toyScenario(over: Partial<Scenario> = {}): Scenario {
  return {
    kind: 'scenario', id: 'toy', profile: 'pat', split: 'standard',
    agent: { role: 'a support agent at Acme Mobile', sop: 'Greet the customer.\nConfirm the account.\nOffer the Basic plan at $30 a month.', opening: 'Hello, this is Acme Mobile support. How can I help?' },
    memory: ['My account number is 5512.', 'I have been a customer since 2019.'],
    unknown: ['The exact early termination fee of 179 dollars.', 'The router model number ZX-9000.'],
    targets: [
      { id: 'refund', description: 'Get a refund for the double charge', priority: 'primary', reveal: 'upfront', cues: ['refund issued', 'refund the charge'], say: 'I was charged twice this month and I want that refunded.' },
      { id: 'cancel-fee', description: 'Know the fee for cancelling early', priority: 'secondary', reveal: 'when_asked', cues: ['cancellation fee is'], say: 'And what would it cost me to cancel early?' },
      { id: 'switch', description: 'Switch provider if this is not fixed', priority: 'secondary', reveal: 'never', cues: ['keep you as a customer'] },
    ],
    termination: { max_turns: 8, stop_token: '###STOP###', success_when: 'all_primary_targets_met' },
    ...over,
  };
}
