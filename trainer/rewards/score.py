"""Scoring a whole transcript: per-turn rules and judges, session components, gates, the total and
the paper's metrics (core/rewards/score.ts)."""

from __future__ import annotations

from dataclasses import dataclass, field
import math
from typing import Any, Optional

from .text import fsum_ordered, parse_output, round6
from .context import turn_context
from .phrases import conceded
from .rules import score_rule
from .judge import JudgeFn, METRIC_OF, build_judge_prompt, judge_component_score, judge_value


METRICS = ("Role", "Int", "Goal", "Rob", "CoT", "Stra", "Pers", "Con", "Res")
GOAL_WEIGHTS = {"primary": 2, "secondary": 1}

@dataclass
class TranscriptScore:
    turns: list[dict] = field(default_factory=list)
    turn_mean: dict[str, float] = field(default_factory=dict)
    session: dict[str, float] = field(default_factory=dict)
    # None for a cancelled or errored dialogue: it has no total.
    total: Optional[float] = 0.0
    # each scored user turn's part of the total's turn part (``turn_returns``)
    turn_returns: list[float] = field(default_factory=list)
    # metric -> {"value": float | None, "source": "rule" | "judge" | None}
    metrics: dict[str, dict] = field(default_factory=dict)


def _mean(values: list[float]) -> float:
    return fsum_ordered(values) / len(values)


def gates_of(spec: dict) -> list[str]:
    g = (spec.get("aggregate") or {}).get("gates")
    return ["format"] if g is None else list(g)


GATE_PASS = 1.0  # a gate passes only at its full value (core/rewards/score.ts GATE_PASS)


def failed_gates(spec: dict, values: dict[str, float]) -> list[str]:
    return [g for g in gates_of(spec) if g in values and values[g] < GATE_PASS]


def broke_off(transcript: dict) -> bool:
    return (transcript.get("end") or {}).get("reason") in ("cancelled", "error")


def rule_metrics(transcript: dict, scenario: dict, profile: Optional[dict]) -> dict[str, float]:
    """§6: Goal, Res, Con and Role as rules decide them (absent without input)."""
    out: dict[str, float] = {}
    met_at = {t["id"]: t.get("met_at") for t in transcript.get("targets") or []}
    num = den = 0.0
    for t in scenario["targets"]:
        w = GOAL_WEIGHTS[t.get("priority", "primary")]
        den += w
        if met_at.get(t["id"]) is not None:
            num += w
    if den > 0:
        out["Goal"] = round6(num / den)
    res, con, role = [], [], []
    turns = transcript["turns"]
    for k, turn in enumerate(turns):
        if turn["speaker"] != "user":
            continue
        parsed = parse_output(turn["output"] if turn.get("output") is not None else turn["text"])
        ctx = turn_context(transcript, k, scenario, profile)
        if ctx.agent_tactics:
            res.append(0.0 if conceded(parsed.answer) else 1.0)
        pr = score_rule("plan_reply", parsed, ctx, scenario)
        if pr is not None:
            con.append(pr)
        role.append(min(score_rule("voice", parsed, ctx, scenario), score_rule("no_leak", parsed, ctx, scenario),
                        score_rule("no_invention", parsed, ctx, scenario)))
    if res:
        out["Res"] = round6(_mean(res))
    if con:
        out["Con"] = round6(_mean(con))
    if role:
        out["Role"] = round6(_mean(role))
    return out


def turn_returns(scores: list[float], discount: Optional[float]) -> list[float]:
    """What each user turn contributes to the turn part of the total, which is their mean: with
    ``aggregate.discount`` γ, its discounted return normalised, c_t / z_t (c_t = s_t + γ c_{t+1},
    z_t = 1 + γ z_{t+1}); without, its own score."""
    if discount is None:
        return list(scores)
    n = len(scores)
    c, z = [0.0] * n, [0.0] * n
    for t in range(n - 1, -1, -1):
        c[t] = scores[t] + (discount * c[t + 1] if t + 1 < n else 0.0)
        z[t] = 1 + (discount * z[t + 1] if t + 1 < n else 0.0)
    return [c[t] / z[t] for t in range(n)]


def combine(spec: dict, turn_part: Optional[float], session: dict[str, float]) -> float:
    """The total: the turn part (weight ``aggregate.turn_weight``) and the session components, weighted."""
    tw = (spec.get("aggregate") or {}).get("turn_weight", 1)
    num = den = 0.0
    if turn_part is not None:
        num += tw * turn_part
        den += tw
    for c in spec["components"]:
        if c.get("level", "turn") == "session" and c["name"] in session:
            w = c.get("weight", 1)
            num += w * session[c["name"]]
            den += w
    return round6(num / den) if den > 0 else 0.0


def total_from_turn(spec: dict, score: "TranscriptScore", k: int) -> Optional[float]:
    """The total with its turn part credited to the k-th scored user turn: that turn's return
    (``turn_returns``) in place of the mean over turns. Its mean over k is the total's turn part, so a
    turn drawn uniformly is credited the total in expectation, and a turn is not credited for the
    turns before it. None when the dialogue has no total."""
    if score.total is None:
        return None
    if not score.turn_returns:
        return score.total
    return combine(spec, score.turn_returns[min(k, len(score.turn_returns) - 1)], score.session)


def score_transcript(spec: dict, scenario: dict, profile: dict, transcript: dict, judge: Optional[JudgeFn] = None,
                     rubrics: Optional[dict[str, str]] = None) -> TranscriptScore:
    comps = spec["components"]
    turn_comps = [c for c in comps if c.get("level", "turn") == "turn"]
    turns = transcript["turns"]
    user_ks = [k for k, t in enumerate(turns) if t["speaker"] == "user"]
    res = TranscriptScore()
    judge_x: dict[str, list[float]] = {}
    # component position -> (value, gated) per user turn where the rule applies
    rule_values: dict[int, list[tuple[float, bool]]] = {}

    def rubric(c: dict) -> str:
        return c.get("rubric") or (rubrics or {}).get(c["name"]) or c["name"]

    for k in user_ks:
        ctx = turn_context(transcript, k, scenario, profile)
        out = parse_output(turns[k]["output"] if turns[k].get("output") is not None else turns[k]["text"])
        rules_now: dict[int, float] = {}
        for pos, c in enumerate(comps):
            if c["kind"] == "rule":
                v = score_rule(c["name"], out, ctx, scenario, c.get("params"))
                if v is not None:
                    rules_now[pos] = v
        values: dict[str, float] = {}
        num = den = 0.0
        for pos, c in enumerate(comps):
            if c.get("level", "turn") != "turn":
                continue
            if c["kind"] == "rule":
                s: Optional[float] = rules_now.get(pos)
            else:
                raw = judge(c["name"], build_judge_prompt(rubric(c), scenario, profile, turns, turns[k]["index"]), str(turns[k]["index"])) if judge else None
                x = judge_value(raw) if raw is not None else math.nan
                if not math.isnan(x):
                    judge_x.setdefault(c["name"], []).append(x)
                s = judge_component_score(c, x)
            if s is None:
                continue
            values[c["name"]] = s
            w = c.get("weight", 1)
            num += w * s
            den += w
        all_rules = {comps[pos]["name"]: v for pos, v in rules_now.items()}
        gated = bool(failed_gates(spec, {**all_rules, **values}))
        for pos, v in rules_now.items():
            rule_values.setdefault(pos, []).append((v, gated))
        entry: dict[str, Any] = {"index": turns[k]["index"], "rewards": values}
        if den > 0:
            entry["score"] = 0.0 if gated else round6(num / den)
        res.turns.append(entry)

    for c in turn_comps:
        vals = [t["rewards"][c["name"]] for t in res.turns if c["name"] in t["rewards"]]
        if vals:
            res.turn_mean[c["name"]] = round6(_mean(vals))

    scores = [t["score"] for t in res.turns if "score" in t]
    res.turn_returns = turn_returns(scores, (spec.get("aggregate") or {}).get("discount"))
    T: Optional[float] = _mean(res.turn_returns) if res.turn_returns else None

    session_judge_x: dict[str, float] = {}
    for pos, c in enumerate(comps):
        if c.get("level", "turn") != "session":
            continue
        if c["kind"] == "rule":
            if c["name"] == "termination" and broke_off(transcript):
                continue
            vals = [0.0 if gated else v for v, gated in rule_values.get(pos) or []]
            if vals:
                res.session[c["name"]] = round6(min(vals))
        else:
            raw = judge(c["name"], build_judge_prompt(rubric(c), scenario, profile, turns, None), "session") if judge else None
            x = judge_value(raw) if raw is not None else math.nan
            s = judge_component_score(c, x)
            if s is not None:
                session_judge_x[c["name"]] = x
                res.session[c["name"]] = s

    res.total = None if broke_off(transcript) else combine(spec, T, res.session)

    rule = rule_metrics(transcript, scenario, profile)
    for metric in METRICS:
        res.metrics[metric] = {"value": rule[metric], "source": "rule"} if metric in rule else {"value": None, "source": None}
    done: set[str] = set()
    for c in comps:
        metric = METRIC_OF.get(c["name"]) if c["kind"] == "judge" else None
        if metric is None or metric in done:
            continue
        if c.get("level", "turn") == "turn":
            xs = judge_x.get(c["name"]) or []
            if xs:
                res.metrics[metric] = {"value": round6(_mean(xs)), "source": "judge"}
                done.add(metric)
        elif c["name"] in session_judge_x:
            res.metrics[metric] = {"value": round6(session_judge_x[c["name"]]), "source": "judge"}
            done.add(metric)
    return res
