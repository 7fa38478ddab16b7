// Rewards: one spec, rule and judge components, aggregation and paper metrics (docs/rewards.md).
export { DEFAULT_REWARD_SPEC, loadRewardSpec, normalizeComponents, specProblems, type NormalComponent } from './spec';
export { scoreTranscript, scoreUserTurn, turnScore, turnPart, unjudged, type ScoreContext } from './score';
export {
  type Judge, type JudgeResult, type Metric, METRICS, METRIC_OF, BUILT_IN_RUBRICS, parseJudgeScore, judgeValue,
  buildJudgePrompt, judgedKey, createJudgeWith, JUDGE_SYSTEM, type CompleteFn,
} from './judge';
export { RULE_NAMES, type RuleName, isRuleName, scoreRule, declaredSections, stateClaims, statedFacts, conceded } from './rules';
export { turnContext, initialState, type TurnContext, STATE_VARS, DEFAULT_STATE } from './context';
export { tokens, contentWords, round6, parseOutput } from './text';
export { createJudge, routeJudges } from './backend-judge';
