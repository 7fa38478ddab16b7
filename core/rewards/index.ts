// Rewards: one spec, rule and judge components, aggregation and paper metrics (docs/rewards.md).
export { DEFAULT_REWARD_SPEC, loadRewardSpec, normalizeComponents, specProblems, type NormalComponent } from './spec';
export {
  scoreTranscript, scoreUserTurn, turnScore, turnPart, unjudged, gatesOf, failedGates, brokeOff, ruleMetrics, noMetrics, metricOf, GOAL_WEIGHTS, type ScoreContext,
} from './score';
export {
  type Judge, type JudgeResult, type Metric, type MetricSource, type MetricValue, METRICS, METRIC_OF, BUILT_IN_RUBRICS, parseJudgeScore, judgeValue,
  buildJudgePrompt, judgedKey, createJudgeWith, JUDGE_SYSTEM, type CompleteFn,
} from './judge';
export {
  RULE_NAMES, RATIONALE_RULES, type RuleName, isRuleName, scoreRule, declaredSections, stateClaims, statedFacts, conceded, mustResist,
} from './rules';
export {
  AGENT_VOICE_PHRASES, agentVoicePhrases, leaks, concreteValues, inventedValues, knownTexts, copySources, copiedRun, degenerateKind, planAct,
  accepts, asks, refuses, type PlanAct, type Invented,
} from './reply';
export { COMPONENT_DEFINITIONS, METRIC_DEFINITIONS, componentDefinition, explainTotal } from './definitions';
export { turnContext, initialState, type TurnContext, STATE_VARS, DEFAULT_STATE } from './context';
export { tokens, contentWords, round6, parseOutput } from './text';
export { createJudge, routeJudges } from './backend-judge';
