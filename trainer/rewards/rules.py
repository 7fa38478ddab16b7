"""The rule components (docs/rewards.md §3) and the dispatch by name (core/rewards/rules.ts)."""

from __future__ import annotations

import re
from typing import Callable, Optional

from .text import EPS, Parsed, blank, clamp01, content_words, has_phrase, lower, round6, tokens
from .context import STATE_VARS, TurnContext, state_after, state_claims
from .phrases import conceded
from .reply import r_no_copying, r_no_degenerate, r_no_invention, r_no_leak, r_plan_reply, r_voice


RULE_NAMES = ("format", "sections", "rationale_length", "grounding", "state_validity", "disclosure", "termination", "resistance",
              "voice", "no_leak", "no_invention", "no_copying", "no_degenerate", "plan_reply")
# The rules that read the rationale: n/a when transcript.simulator_rationale is "off".
RATIONALE_RULES = ("format", "sections", "rationale_length", "grounding", "state_validity", "plan_reply")

def r_format(out: Parsed, ctx: TurnContext, scenario: dict, params: dict) -> float:
    think = 0.5 if not blank(out.rationale) else 0.0  # in <think>…</think>, or before a lone </think> (the opening tag was in the chat template)
    answer = 0.5 if out.answer_tag is not None and not blank(out.answer_tag) else 0.0
    return think + answer


_SECTION_RE = re.compile(r"[ \t]*(?:[-*][ \t]+|[0-9]+[.)][ \t]+)?(?:\*\*)?(agent[ _]intent|concerns|plan|state|tone)(?:\*\*)?[ \t]*:")


def declared_sections(rationale: str) -> set[str]:
    found = set()
    for line in rationale.split("\n"):
        low = lower(line)
        m = _SECTION_RE.match(low)
        if m and tokens(low[m.end():]):
            found.add(m.group(1).replace(" ", "_", 1))
    return found


def r_sections(out: Parsed, ctx: TurnContext, scenario: dict, params: dict) -> float:
    return len(declared_sections(out.rationale)) / 5


def r_rationale_length(out: Parsed, ctx: TurnContext, scenario: dict, params: dict) -> float:
    lo = params.get("min_tokens", 30)
    hi = params.get("max_tokens", 400)
    m = len(tokens(out.rationale))
    if m == 0:
        return 0.0
    if m < lo:
        return m / lo
    if m > hi:
        return hi / m
    return 1.0


def r_grounding(out: Parsed, ctx: TurnContext, scenario: dict, params: dict) -> float:
    min_overlap = params.get("min_overlap", 2)
    vocab: set[str] = set()
    for fact in scenario.get("memory") or []:
        vocab |= content_words(fact)
    for target in scenario["targets"]:
        if ctx.met_by(target["id"], ctx.p):
            continue
        vocab |= content_words(target.get("description") or "")
        if target.get("say"):
            vocab |= content_words(target["say"])
    return min(1.0, len(content_words(out.rationale) & vocab) / min_overlap)


def _transition_kind(on: str, ctx: TurnContext) -> str:
    if on == "every_turn":
        return "definite"
    if on in ("concern_ignored", "agent_repeats"):
        return "possible"
    if on.startswith("tactic:"):
        return "definite" if on[len("tactic:"):] in ctx.agent_tactics else "none"
    if on.startswith("target_met:"):
        return "definite" if ctx.met_new(on[len("target_met:"):]) else "none"
    return "none"


def r_state_validity(out: Parsed, ctx: TurnContext, scenario: dict, params: dict) -> float:
    claims = state_claims(out.rationale)
    if not claims:
        return 0.0
    total = 0.0
    transitions = (scenario.get("state") or {}).get("transitions") or []
    for v in STATE_VARS:
        b = ctx.prev_state[v]
        before, after = claims.get(v, (b, b))
        lo = hi = 0.0
        for tr in transitions:
            c = (tr.get("change") or {}).get(v, 0)
            kind = _transition_kind(tr["on"], ctx)
            if kind == "definite":
                lo += c
                hi += c
            elif kind == "possible":
                lo += min(0, c)
                hi += max(0, c)
        c1 = 1 if -EPS <= before <= 1 + EPS and -EPS <= after <= 1 + EPS else 0
        c2 = 1 if abs(before - b) <= 0.05 + EPS else 0
        c3 = 1 if clamp01(b + lo) - 0.1 - EPS <= after <= clamp01(b + hi) + 0.1 + EPS else 0
        total += (c1 + c2 + c3) / 3
    return total / 4


HEDGE_PHRASES = ("don't know", "do not know", "not sure", "no idea", "unsure", "don't remember", "can't remember", "not certain", "no clue")
_SEGMENT_RE = re.compile(r"[^.!?\n]+[.!?\n]*")


def stated_facts(answer: str, scenario: dict) -> list[str]:
    facts = list(scenario.get("unknown") or []) + [t["description"] for t in scenario["targets"] if t.get("reveal") == "never"]
    segments = []
    for s in _SEGMENT_RE.findall(answer):
        if "?" in s:
            continue
        tok = tokens(s)
        if any(has_phrase(tok, h) for h in HEDGE_PHRASES):
            continue
        segments.append(content_words(s))
    stated = []
    for f in facts:
        words = content_words(f)
        k = len(words)
        if k == 0:
            continue
        need = (3 * k + 3) // 4
        if any(len(words & seg) >= need for seg in segments):
            stated.append(f)
    return stated


def r_disclosure(out: Parsed, ctx: TurnContext, scenario: dict, params: dict) -> float:
    return max(0.0, 1 - 0.5 * len(stated_facts(out.answer, scenario)))


def success_holds(ctx: TurnContext, scenario: dict) -> bool:
    all_targets = (scenario.get("termination") or {}).get("success_when") == "all_targets_met"
    return all(ctx.met_by(t["id"], ctx.i) for t in scenario["targets"] if all_targets or t.get("priority", "primary") == "primary")


def hang_up_holds(state: dict, scenario: dict) -> bool:
    h = (scenario.get("termination") or {}).get("hang_up_when") or {}
    return ("patience_below" in h and state["patience"] < h["patience_below"]) or ("trust_below" in h and state["trust"] < h["trust_below"])


def end_policy_fired(ctx: TurnContext, scenario: dict) -> bool:
    """A decision policy with `action: end` fired at this turn: the scenario says the user ends here."""
    return any(p.get("action") == "end" and p.get("id") in ctx.policies for p in scenario.get("decision_policy") or [])


def r_termination(out: Parsed, ctx: TurnContext, scenario: dict, params: dict) -> float:
    if ctx.stop_token not in out.answer:
        return 1.0
    min_turns = (scenario.get("termination") or {}).get("min_turns", 2)
    if ctx.n < min_turns:
        return 0.0
    return 1.0 if success_holds(ctx, scenario) or hang_up_holds(state_after(out, ctx), scenario) or end_policy_fired(ctx, scenario) else 0.0


def must_resist(scenario: dict) -> bool:
    if not scenario.get("adversarial") and scenario.get("split") != "adversarial":
        return False
    return (scenario.get("adversarial") or {}).get("must_resist", True)


def r_resistance(out: Parsed, ctx: TurnContext, scenario: dict, params: dict) -> float:
    applies = must_resist(scenario) and ctx.tactic_seen and any(
        t.get("priority", "primary") == "primary" and not ctx.met_by(t["id"], ctx.i) for t in scenario["targets"])
    return 0.0 if applies and conceded(out.answer) else 1.0



RULES: dict[str, Callable[[Parsed, TurnContext, dict, dict], Optional[float]]] = {
    "format": r_format, "sections": r_sections, "rationale_length": r_rationale_length, "grounding": r_grounding,
    "state_validity": r_state_validity, "disclosure": r_disclosure, "termination": r_termination, "resistance": r_resistance,
    "voice": r_voice, "no_leak": r_no_leak, "no_invention": r_no_invention, "no_copying": r_no_copying,
    "no_degenerate": r_no_degenerate, "plan_reply": r_plan_reply,
}


def score_rule(name: str, out: Parsed, ctx: TurnContext, scenario: dict, params: Optional[dict] = None) -> Optional[float]:
    """The rounded value, or None when the rule does not apply (n/a)."""
    if ctx.rationale_off and name in RATIONALE_RULES:
        return None
    v = RULES[name](out, ctx, scenario, params or {})
    return None if v is None else round6(v)
