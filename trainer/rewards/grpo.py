"""GRPO: one TRL reward function per component, scoring each sampled completion against the turn
context stored in the RL dataset."""

from __future__ import annotations

import json
from typing import Any, Callable, Optional

from .text import Parsed, fsum_ordered, parse_output
from .context import TurnContext, context_from_json
from .rules import score_rule
from .judge import JudgeFn, build_judge_prompt, judge_component_score, judge_value
from .spec import SpecError, validate_spec
from .score import GATE_PASS, gates_of


def completion_text(completion: Any) -> str:
    """TRL passes a string (plain prompts) or a list of messages (chat prompts)."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list) and completion:
        return "".join(m.get("content") or "" for m in completion if isinstance(m, dict))
    return ""


def turns_from_prompt(prompt: Any) -> list[dict]:
    """The dialogue so far, back from the flipped chat prompt (user = agent, assistant = simulated user)."""
    turns = []
    if isinstance(prompt, list):
        for m in prompt:
            if m.get("role") == "system":
                continue
            turns.append({"index": len(turns), "speaker": "agent" if m.get("role") == "user" else "user", "text": m.get("content") or ""})
    return turns


def grpo_components(spec: dict, has_judge: bool = True) -> tuple[list[dict], list[dict]]:
    """(used, skipped) components for single-turn GRPO. Turn components and session rules (scored on
    the sampled turn) are used; session judges need a whole dialogue; with no judge configured,
    judge components have no value ("no judge") and are left out. Skipped entries carry a `reason`."""
    used, skipped = [], []
    for c in spec["components"]:
        if c["kind"] == "judge" and c.get("level", "turn") == "session":
            skipped.append({**c, "reason": "session-level judge: needs a whole dialogue"})
        elif c["kind"] == "judge" and not has_judge:
            skipped.append({**c, "reason": "no judge configured"})
        else:
            used.append(c)
    return used, skipped


def _gated(spec: Optional[dict], out: Parsed, tc: TurnContext, scenario: dict) -> bool:
    """The sampled turn fails a gate (§5): every component then scores it 0, as the turn score would."""
    if spec is None:
        return False
    for g in gates_of(spec):
        c = next((x for x in spec["components"] if x["name"] == g and x["kind"] == "rule"), None)
        if c is None:
            continue
        v = score_rule(g, out, tc, scenario, c.get("params"))
        if v is not None and v < GATE_PASS:
            return True
    return False


Decode = Callable[[list[int]], str]


def completion_texts(completions: list, completion_ids: Optional[list], decode: Optional[Decode]) -> list[str]:
    """The sampled turns as text: decoded from their ids with ``decode`` (trainer/decode.py) when TRL passes
    them, since TRL's own text has lost any special token (``<think>``, ``<answer>`` in some tokenizers)."""
    if decode is not None and completion_ids is not None:
        return [decode(list(ids)) for ids in completion_ids]
    return [completion_text(c) for c in completions]


def _make_rule_fn(c: dict, spec: Optional[dict] = None, decode: Optional[Decode] = None) -> Callable[..., list[Optional[float]]]:
    def fn(prompts, completions, context, completion_ids=None, **_: Any) -> list[Optional[float]]:
        scores = []
        for prompt, text, ctx_json in zip(prompts, completion_texts(completions, completion_ids, decode), context):
            ctx = json.loads(ctx_json)
            out = parse_output(text)
            earlier = [{"speaker": t["speaker"], "text": t["text"]} for t in turns_from_prompt(prompt)]
            tc = context_from_json(ctx["turn"], earlier, ctx.get("profile"))
            v = score_rule(c["name"], out, tc, ctx["scenario"], c.get("params"))
            scores.append(0.0 if v is not None and _gated(spec, out, tc, ctx["scenario"]) else v)
        return scores

    fn.__name__ = c["name"]
    return fn


def _make_judge_fn(c: dict, judge: Optional[JudgeFn], rubric: str, spec: Optional[dict] = None,
                   decode: Optional[Decode] = None) -> Callable[..., list[Optional[float]]]:
    def one(prompt: Any, text: str, ctx_json: str) -> Optional[float]:
        if judge is None:
            return None
        ctx = json.loads(ctx_json)
        out = parse_output(text)
        turns = turns_from_prompt(prompt)
        earlier = [{"speaker": t["speaker"], "text": t["text"]} for t in turns]
        if _gated(spec, out, context_from_json(ctx["turn"], earlier, ctx.get("profile")), ctx["scenario"]):
            return 0.0  # a turn that fails a gate scores 0 on every component, judges included, and is not judged
        i = ctx["turn"]["i"]
        turns.append({"index": i, "speaker": "user", "text": out.answer.strip(), "rationale": {"raw": out.rationale}})
        raw = judge(c["name"], build_judge_prompt(rubric, ctx["scenario"], ctx.get("profile") or {}, turns, i), str(i))
        return None if raw is None else judge_component_score(c, judge_value(raw))

    def fn(prompts, completions, context, completion_ids=None, **_: Any) -> list[Optional[float]]:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=8) as pool:
            return list(pool.map(one, prompts, completion_texts(completions, completion_ids, decode), context))

    fn.__name__ = c["name"]
    return fn


def reward_functions(spec: dict, judge: Optional[JudgeFn], decode: Optional[Decode] = None) -> tuple[list[Callable], list[float], list[dict]]:
    """One TRL reward function per component (named after it), the weights normalised to sum 1 (so
    TRL's weighted sum is the spec's weighted-mean turn score), and the skipped components. With
    ``decode``, each function reads the sampled turns from their ids (see ``completion_texts``)."""
    validate_spec(spec)
    used, skipped = grpo_components(spec, judge is not None)
    total = fsum_ordered(float(c.get("weight", 1)) for c in used)
    if not used or total <= 0:
        raise SpecError("job: reward_spec: no component can score a single turn with weight > 0 (add a rule, or configure a judge)")
    funcs: list[Callable] = []
    weights: list[float] = []
    for c in used:
        funcs.append(_make_rule_fn(c, spec, decode) if c["kind"] == "rule" else _make_judge_fn(c, judge, c.get("rubric") or c["name"], spec, decode))
        weights.append(float(c.get("weight", 1)) / total)
    return funcs, weights, skipped
