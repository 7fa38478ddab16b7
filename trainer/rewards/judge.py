"""Judge components: parsing a judge's score, the judge prompt, the built-in judges (core/rewards/judge.ts)."""

from __future__ import annotations

import json
import math
import re
from typing import Any, Callable, Optional

from .text import lower, round6
from .context import _NUM


METRIC_OF = {
    "persona_consistency": "Pers", "reasoning_quality": "CoT", "strategy": "Stra", "thought_response_alignment": "Con",
    "robotic_tone": "Rob", "role_authenticity": "Role", "interaction": "Int", "goal_progress": "Goal",
}

_JUDGE_PARSERS = [
    (re.compile(r'"score"[ \t]*:[ \t]*"?' + _NUM), True),
    (re.compile(_NUM + r"[ \t]*/[ \t]*10(?![0-9])"), False),
    (re.compile(r"score[^0-9\n]{0,20}?" + _NUM), True),
    (re.compile(r"\*\*[ \t]*" + _NUM + r"[ \t]*\*\*"), False),
]
_LINE_RE = re.compile(r"[ \t]*" + _NUM + r"[ \t]*")


def parse_judge_score(raw: str) -> Optional[float]:
    low = lower(raw)
    for rx, on_lower in _JUDGE_PARSERS:
        m = rx.search(low if on_lower else raw)
        if m:
            return min(10.0, max(1.0, float(m.group(1))))
    for line in raw.split("\n"):
        m = _LINE_RE.fullmatch(line)
        if m:
            return min(10.0, max(1.0, float(m.group(1))))
    return None


def judge_value(raw: str) -> float:
    """x = (s - 1) / 9, NaN when the reply has no score."""
    s = parse_judge_score(raw)
    return math.nan if s is None else (s - 1) / 9


def inverted(component: dict) -> bool:
    inv = component.get("invert")
    return inv if isinstance(inv, bool) else component["name"] == "robotic_tone"


def judge_component_score(component: dict, x: float) -> Optional[float]:
    if math.isnan(x):
        return None
    return round6(1 - x if inverted(component) else x)


JUDGE_SYSTEM = ('You are a strict, consistent evaluator of simulated users (user simulators) talking to a task agent. You score one '
                'criterion on a scale from 1 to 10 and reply with JSON only: {"score": <integer 1-10>, "reason": "<one sentence>"}.')
JUDGED_MARKER = "JUDGED:"


def _js(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def build_judge_prompt(rubric: str, scenario: dict, profile: dict, turns: list[dict], turn_index: Optional[int]) -> str:
    """The same prompt as TypeScript's buildJudgePrompt (core/rewards/judge.ts)."""
    lines = [f"CRITERION: {rubric}", "", "USER PROFILE:", f"- name: {profile.get('name', '')}"]
    if profile.get("background"):
        lines.append(f"- background: {profile['background']}")
    if profile.get("personality"):
        lines.append(f"- personality: {_js(profile['personality'])}")
    if profile.get("expression"):
        lines.append(f"- expression: {_js(profile['expression'])}")
    lines += ["", f"SCENARIO: {scenario.get('title') or scenario['id']} ({scenario.get('split') or 'standard'})"]
    if (scenario.get("agent") or {}).get("role"):
        lines.append(f"- agent: {scenario['agent']['role']}")
    for t in scenario["targets"]:
        lines.append(f"- target {t['id']} ({t.get('priority', 'primary')}, reveal {t.get('reveal', 'when_asked')}): {t['description']}")
    for m in scenario.get("memory") or []:
        lines.append(f"- the user knows: {m}")
    for u in scenario.get("unknown") or []:
        lines.append(f"- the user does NOT know: {u}")
    tactics = (scenario.get("adversarial") or {}).get("tactics") or []
    if tactics:
        lines.append(f"- tactics the agent may use: {', '.join(tactics)}")
    lines += ["", "DIALOGUE:"]
    for turn in turns:
        if turn_index is not None and turn["index"] > turn_index:
            break
        if turn["speaker"] == "agent":
            lines.append(f"[{turn['index']}] AGENT: {turn['text']}")
        else:
            raw = (turn.get("rationale") or {}).get("raw")
            if (turn_index is None or turn["index"] == turn_index) and raw:
                lines.append(f"[{turn['index']}] USER RATIONALE: {raw.strip()}")
            lines.append(f"[{turn['index']}] USER: {turn['text']}")
    judged = "session (the whole dialogue)" if turn_index is None else f"turn {turn_index} (the last user turn above)"
    lines += ["", f"{JUDGED_MARKER} {judged}", 'Reply with JSON only: {"score": <integer 1-10>, "reason": "<one sentence>"}.']
    return "\n".join(lines)


# A judge: (component name, prompt, key) -> the raw reply, or None when no judge is configured.
JudgeFn = Callable[[str, str, str], Optional[str]]
