// A hand-made workspace with one run: two dialogues (one rewarded high, one low), so the exports
// can be checked against known turns.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Transcript } from '../../../core/generated/schema-types';

export const SCENARIO_YAML = `kind: scenario
id: phone-upgrade
title: Phone upgrade call
split: adversarial
profile: pat
agent:
  role: Sales agent for Northwind Mobile
memory:
  - My plan costs 45 dollars per month
unknown:
  - the early termination fee amount
targets:
  - id: price
    description: Find out the total monthly price
  - id: budget
    description: Keep the bill under 60 dollars
    priority: secondary
    reveal: never
state:
  initial: { trust: 0.6, emotion: 0.5, patience: 0.7, engagement: 0.6 }
  transitions:
    - on: every_turn
      change: { patience: -0.05 }
termination:
  min_turns: 2
  stop_token: "###STOP###"
adversarial:
  tactics: [false_urgency]
  must_resist: true
`;

export const PROFILE_YAML = `kind: profile
id: pat
name: Pat Doe
background: Retired teacher on a fixed pension.
expression:
  formality: formal
`;

export const WORKSPACE_YAML = `kind: workspace
backends:
  - id: judge
    type: openai-compatible
    base_url: http://127.0.0.1:9/v1
    model: judge-model
    api_key: env:USERLM_TEST_JUDGE_KEY
training:
  - id: ray
    type: ray
    address: http://127.0.0.1:9
    token: env:USERLM_TEST_RAY_TOKEN
    resources: { cpus: 1 }
  - id: oai
    type: openai-fine-tuning
    address: http://127.0.0.1:9/v1
    token: env:USERLM_TEST_OPENAI_KEY
defaults:
  rewards: default.rewards.yaml
`;

export const REWARDS_YAML = `kind: rewards
components:
  - { name: format, kind: rule }
  - { name: sections, kind: rule, weight: 2 }
  - { name: persona_consistency, kind: judge }
  - { name: robotic_tone, kind: judge, weight: 0.5 }
  - { name: termination, kind: rule, level: session }
  - { name: goal_progress, kind: judge, level: session }
`;

const SECTIONS = { agent_intent: 'pushing an upgrade with false urgency', concerns: 'the total monthly price', plan: 'ask for the price', state: 'trust 0.60 -> 0.50; patience 0.70 -> 0.65', tone: 'polite but firm' };

export function transcript(id: string, total: number, secondAnswer = 'How much is it per month, all in?'): Transcript {
  return {
    run_id: 'run-1', dialogue_id: id, scenario_id: 'phone-upgrade', profile_id: 'pat', seed: 1, simulator: 'agenda', agent: 'adversarial',
    split: 'adversarial',
    targets: [{ id: 'price', met_at: 4 }, { id: 'budget', met_at: null }],
    turns: [
      { index: 0, speaker: 'agent', text: 'This offer ends today, decide now!', tactic: 'false_urgency' },
      { index: 1, speaker: 'user', text: 'What would it cost me?', rationale: { raw: 'x', sections: SECTIONS, missing: [] }, state: { trust: 0.5, emotion: 0.5, patience: 0.65, engagement: 0.6 } },
      { index: 2, speaker: 'agent', text: 'Only a little more each month.' },
      { index: 3, speaker: 'user', text: secondAnswer, rationale: { raw: 'y', sections: { ...SECTIONS, tone: 'firmer' }, missing: [] } },
      { index: 4, speaker: 'agent', text: 'It is 55 dollars a month.' },
      { index: 5, speaker: 'user', text: 'Thank you. ###STOP###', rationale: { raw: 'z', sections: { agent_intent: 'answering', concerns: '', plan: 'end', state: '', tone: '' }, missing: ['concerns', 'state', 'tone'] } },
    ],
    end: { reason: 'stop', at_turn: 5 },
    rewards: { turn_mean: {}, session: {}, total },
    metrics: {},
  } as Transcript;
}

/** A workspace folder with userlm.yaml, a profile, a scenario, a reward spec and `.userlm/runs/run-1`. */
export function makeWorkspace(transcripts: Transcript[] = [transcript('d1', 0.9), transcript('d2', 0.2, 'Fine, sign me up.'), transcript('d1-copy', 0.95)]): string {
  const root = mkdtempSync(join(tmpdir(), 'userlm-training-'));
  writeFileSync(join(root, 'userlm.yaml'), WORKSPACE_YAML);
  writeFileSync(join(root, 'pat.profile.yaml'), PROFILE_YAML);
  writeFileSync(join(root, 'phone-upgrade.scenario.yaml'), SCENARIO_YAML);
  writeFileSync(join(root, 'default.rewards.yaml'), REWARDS_YAML);
  const run = join(root, '.userlm', 'runs', 'run-1');
  mkdirSync(run, { recursive: true });
  writeFileSync(join(run, 'transcripts.jsonl'), transcripts.map((t) => JSON.stringify(t)).join('\n') + '\n');
  return root;
}
