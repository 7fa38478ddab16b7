"""The turn context a rule reads: the state before the turn, the targets met so far, the tactic seen
(core/rewards/context.ts)."""

from __future__ import annotations

from dataclasses import dataclass, field
import re
from typing import Any, Optional

from .text import Parsed, lower


STATE_VARS = ("trust", "emotion", "patience", "engagement")
DEFAULT_STATE = {"trust": 0.5, "emotion": 0.5, "patience": 0.6, "engagement": 0.6}
DEFAULT_STOP_TOKEN = "###STOP###"
# τ²-bench's other end tokens (schemas/scenario.schema.json termination defaults; a test pins them equal).
DEFAULT_TRANSFER_TOKEN = "###TRANSFER###"
DEFAULT_OUT_OF_SCOPE_TOKEN = "###OUT-OF-SCOPE###"

@dataclass
class TurnContext:
    i: int
    n: int
    p: int
    prev_state: dict[str, float]
    state_after: Optional[dict[str, float]]
    met_at: dict[str, Optional[int]]
    agent_tactics: list[str]
    tactic_seen: bool
    stop_token: str
    policies: list[str] = field(default_factory=list)
    # Text of every earlier turn: [{"speaker": "agent" | "user", "text": ...}], in order.
    earlier: list[dict] = field(default_factory=list)
    profile: Optional[dict] = None
    rationale_off: bool = False

    def met_by(self, target_id: str, up_to: int) -> bool:
        m = self.met_at.get(target_id)
        return m is not None and m <= up_to

    def met_new(self, target_id: str) -> bool:
        m = self.met_at.get(target_id)
        return m is not None and self.p < m <= self.i

    def to_json(self) -> dict[str, Any]:
        return {"i": self.i, "n": self.n, "p": self.p, "prev_state": self.prev_state, "met_at": self.met_at,
                "agent_tactics": self.agent_tactics, "tactic_seen": self.tactic_seen, "stop_token": self.stop_token,
                "policies": self.policies}


def initial_state(scenario: dict, profile: Optional[dict] = None) -> dict[str, float]:
    """Each variable from scenario.state.initial, else (patience only) the profile's expression.patience, else the default."""
    init = (scenario.get("state") or {}).get("initial") or {}
    out = {}
    for v in STATE_VARS:
        if init.get(v) is not None:
            out[v] = init[v]
        elif v == "patience" and ((profile or {}).get("expression") or {}).get("patience") is not None:
            out[v] = profile["expression"]["patience"]
        else:
            out[v] = DEFAULT_STATE[v]
    return out


def turn_context(transcript: dict, k: int, scenario: dict, profile: Optional[dict] = None) -> TurnContext:
    turns = transcript["turns"]
    i = turns[k]["index"]
    n, p, prev = 0, -1, None
    for u in turns[:k]:
        if u["speaker"] == "user":
            n += 1
            p = u["index"]
            if u.get("state"):
                prev = u["state"]
    agent_tactics, tactic_seen = [], False
    for u in turns[:k]:
        if u["speaker"] != "agent" or not u.get("tactic"):
            continue
        tactic_seen = True
        if p < u["index"] < i:
            agent_tactics.append(u["tactic"])
    met_at = {t["id"]: t.get("met_at") for t in transcript.get("targets") or []}
    return TurnContext(
        i=i, n=n + 1, p=p,
        prev_state=dict(prev) if prev else initial_state(scenario, profile),
        state_after=turns[k].get("state"),
        met_at=met_at, agent_tactics=agent_tactics, tactic_seen=tactic_seen,
        stop_token=((scenario.get("termination") or {}).get("stop_token")) or DEFAULT_STOP_TOKEN,
        policies=list(turns[k].get("policies") or []),
        earlier=[{"speaker": u["speaker"], "text": u["text"]} for u in turns[:k]],
        profile=profile,
        rationale_off=transcript.get("simulator_rationale") == "off",
    )


def context_from_json(d: dict, earlier: Optional[list[dict]] = None, profile: Optional[dict] = None) -> TurnContext:
    """The turn context as the RL dataset stores it (``context.turn``); no turn.state for a new completion.
    ``earlier``: the dialogue so far (from the prompt); ``profile``: ``context.profile``."""
    return TurnContext(
        i=d["i"], n=d["n"], p=d["p"], prev_state=dict(d["prev_state"]), state_after=None,
        met_at=dict(d.get("met_at") or {}), agent_tactics=list(d.get("agent_tactics") or []),
        tactic_seen=bool(d.get("tactic_seen")), stop_token=d.get("stop_token") or DEFAULT_STOP_TOKEN,
        policies=list(d.get("policies") or []), earlier=list(earlier if earlier is not None else d.get("earlier") or []), profile=profile,
    )


_NUM = r"(-?[0-9]+(?:\.[0-9]+)?)"
_CLAIM_RES = {v: re.compile(v + r"[ \t:=]*" + _NUM + r"[ \t]*(?:->|=>|→)[ \t]*" + _NUM) for v in STATE_VARS}


def state_claims(rationale: str) -> dict[str, tuple[float, float]]:
    low = lower(rationale)
    out = {}
    for v in STATE_VARS:
        m = _CLAIM_RES[v].search(low)
        if m:
            out[v] = (float(m.group(1)), float(m.group(2)))
    return out


def state_after(out: Parsed, ctx: TurnContext) -> dict[str, float]:
    if ctx.state_after:
        return ctx.state_after
    s = dict(ctx.prev_state)
    for v, (_, after) in state_claims(out.rationale).items():
        s[v] = after
    return s
