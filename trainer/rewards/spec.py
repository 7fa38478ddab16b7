"""Checking a reward spec before a job uploads anything (core/rewards/spec.ts)."""

from __future__ import annotations

import json
from typing import Any

from .rules import RULE_NAMES
from .judge import METRIC_OF


BUILT_IN_JUDGES = tuple(METRIC_OF)


class SpecError(ValueError):
    pass


def validate_spec(spec: Any, where: str = "reward_spec") -> None:
    if not isinstance(spec, dict):
        raise SpecError(f"job: {where}: must be an object with `components`")
    comps = spec.get("components")
    if not isinstance(comps, list) or not comps:
        raise SpecError(f"job: {where}.components: must be a non-empty list")
    for n, c in enumerate(comps):
        w = f"{where}.components[{n}]"
        if not isinstance(c, dict) or not isinstance(c.get("name"), str):
            raise SpecError(f"job: {w}: must be an object with a `name`")
        if c.get("kind") not in ("rule", "judge"):
            raise SpecError(f"job: {w}.kind: must be rule | judge, got {json.dumps(c.get('kind'))}")
        if c["kind"] == "rule" and c["name"] not in RULE_NAMES:
            raise SpecError(f"job: {w}.name: '{c['name']}' is not a rule; allowed: {', '.join(RULE_NAMES)}")
        if c["kind"] == "judge" and c["name"] not in BUILT_IN_JUDGES and not c.get("rubric"):
            raise SpecError(f"job: {w}.rubric: judge component '{c['name']}' is not built in and needs a rubric")
        if c.get("level", "turn") not in ("turn", "session"):
            raise SpecError(f"job: {w}.level: must be turn | session, got {json.dumps(c.get('level'))}")
        wt = c.get("weight", 1)
        if isinstance(wt, bool) or not isinstance(wt, (int, float)) or wt < 0:
            raise SpecError(f"job: {w}.weight: must be a number >= 0, got {json.dumps(wt)}")
    for g in (spec.get("aggregate") or {}).get("gates") or []:
        if not any(c["name"] == g and c.get("level", "turn") == "turn" for c in comps):
            raise SpecError(f"job: {where}.aggregate.gates: '{g}' is not a turn component of this spec")
