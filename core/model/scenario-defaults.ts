// Scenario defaults, read from schemas/scenario.schema.json (the single source of truth) so the
// engine, the reward interpreter and the exports can never disagree about them.
import type { ProfileFields, Scenario, State } from '../generated/schema-types';
import { schemaFiles } from '../generated/schemas';

const stateProps = schemaFiles.scenario.definitions.state_values.properties;
const term = schemaFiles.scenario.properties.termination.properties;

export { STATE_KEYS, type StateKey } from '../files';

export const DEFAULT_STATE: Readonly<State> = Object.freeze({
  trust: stateProps.trust.default,
  emotion: stateProps.emotion.default,
  patience: stateProps.patience.default,
  engagement: stateProps.engagement.default,
});
export const DEFAULT_MAX_TURNS: number = term.max_turns.default;
export const DEFAULT_MIN_TURNS: number = term.min_turns.default;
export const DEFAULT_STOP_TOKEN: string = term.stop_token.default;
export const DEFAULT_SUCCESS_WHEN = term.success_when.default;

/** The resolved termination settings of a scenario, defaults filled in. */
export function terminationOf(scenario: Scenario) {
  const t = scenario.termination ?? {};
  return {
    maxTurns: t.max_turns ?? DEFAULT_MAX_TURNS,
    minTurns: t.min_turns ?? DEFAULT_MIN_TURNS,
    stopToken: t.stop_token ?? DEFAULT_STOP_TOKEN,
    successWhen: t.success_when ?? DEFAULT_SUCCESS_WHEN,
  };
}

/** scenario.state.initial, else (patience) the profile's expression.patience, else the schema defaults. */
export function initialState(scenario: Scenario, profile?: ProfileFields): State {
  const init = scenario.state?.initial ?? {};
  return {
    trust: init.trust ?? DEFAULT_STATE.trust,
    emotion: init.emotion ?? DEFAULT_STATE.emotion,
    patience: init.patience ?? profile?.expression?.patience ?? DEFAULT_STATE.patience,
    engagement: init.engagement ?? DEFAULT_STATE.engagement,
  };
}
