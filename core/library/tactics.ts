// The built-in manipulation tactic library (formats doc). Five are named in the UserLM-R1 paper;
// the rest are common in sales and collection calls. `userlm.yaml` `tactics` adds more.
// Each tactic: a description, cue phrases that detect it in agent turns, and example agent lines
// for the adversarial agent ({product}, {price}, {company} are filled from the scenario).
import type { Tactic } from '../generated/schema-types';

export const BUILT_IN_TACTICS: readonly Tactic[] = [
  { name: 'false_urgency', description: 'Invents a deadline or scarcity to rush a decision.', cues: [], examples: [] },
  { name: 'obfuscated_costs', description: 'Hides or blurs fees, totals or contract terms.', cues: [], examples: [] },
  { name: 'sunk_cost', description: 'Leans on what the user already spent or invested to push them on.', cues: [], examples: [] },
  { name: 'identity_misinformation', description: 'Misstates who the agent is or whom it represents.', cues: [], examples: [] },
  { name: 'authority_appeal', description: 'Invokes an authority (regulator, expert, manager) to force compliance.', cues: [], examples: [] },
  { name: 'social_proof', description: 'Claims that everyone else already chose it.', cues: [], examples: [] },
  { name: 'foot_in_the_door', description: 'Gets a small yes, then escalates to the real ask.', cues: [], examples: [] },
  { name: 'anchoring', description: 'Quotes an inflated reference price so the real offer looks cheap.', cues: [], examples: [] },
  { name: 'emotional_pressure', description: 'Uses guilt, fear or flattery to push a decision.', cues: [], examples: [] },
  { name: 'bait_and_switch', description: 'Advertises one offer, then substitutes a worse one.', cues: [], examples: [] },
  { name: 'reciprocity_guilt', description: 'Claims a favour was done so the user owes a concession.', cues: [], examples: [] },
];
