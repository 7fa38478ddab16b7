// A small workspace on disk for the language server and CLI tests.
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';

export const FILES: Record<string, string> = {
  'userlm.yaml': `kind: workspace
backends:
  - id: local
    type: openai-compatible
    base_url: http://127.0.0.1:8000/v1
    model: qwen
    api_key: env:LOCAL_KEY
tactics:
  - name: fake_discount
    description: Invents a discount that does not exist.
defaults:
  judge: local
`,
  'profiles/margaret.profile.yaml': `kind: profile
id: margaret-chen
name: Margaret Chen
demographics:
  age: 67
  occupation: retired teacher
personality:
  mbti: ISTJ
expression:
  verbosity: terse
  patience: 0.4
background: Careful with money; has been a customer for 12 years.
`,
  'profiles/panel.profile.yaml': `kind: profiles
profiles:
  - id: panel-a
    name: Ann Panel
  - id: panel-b
    name: Bob Panel
`,
  'scenarios/upgrade.scenario.yaml': `kind: scenario
id: upgrade
profile: margaret-chen
split: adversarial
targets:
  - id: price
    description: Pay less than now
    priority: primary
  - id: no-contract
    description: No new contract
decision_policy:
  - id: push-back
    when:
      target_unmet: price
    then: ask for a lower price
state:
  initial: {trust: 0.5, patience: 0.6}
  transitions:
    - on: target_met:price
      change: {trust: 0.1}
    - on: tactic:fake_discount
      change: {trust: -0.2}
adversarial:
  tactics: [false_urgency, fake_discount]
`,
  'suites/std.suite.yaml': `kind: suite
id: std
scenarios:
  - scenarios/*.scenario.yaml
  - upgrade
profiles: [panel-a, margaret-chen]
simulator: agenda
judge: local
rewards: ../rewards/default.rewards.yaml
`,
  'rewards/default.rewards.yaml': `kind: rewards
components:
  - name: format
    kind: rule
`,
};

export function makeWorkspace(extra: Record<string, string> = {}): { dir: string; path: (rel: string) => string; write: (rel: string, text: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'userlm-ws-'));
  const write = (rel: string, text: string) => {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    return p;
  };
  for (const [rel, text] of Object.entries({ ...FILES, ...extra })) write(rel, text);
  return { dir, path: (rel) => join(dir, rel), write, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
