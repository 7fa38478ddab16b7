"""Conventions shared by every component: ASCII lowering, tokens, content words, phrases, and parsing a
simulator output into rationale and answer (core/rewards/text.ts)."""

from __future__ import annotations

from dataclasses import dataclass
import math
import re
import string
from typing import Optional


EPS = 1e-9
_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
STOPWORDS = frozenset(
    """about above after again against all also and any are because been before being below between
  both but can could did does doing down during each few for from further had has have having her
  here hers herself him himself his how into its itself just let more most myself nor not now off
  once only other our ours ourselves out over own same she should some such than that the their
  theirs them themselves then there these they this those through too under until very was were
  what when where which while who whom why will with would you your yours yourself yourselves
  agent intent concerns plan state tone""".split()
)
# The rationale instructions of the simulator's system prompt (core/rationale RATIONALE_INSTRUCTIONS; a test pins them equal).
RATIONALE_INSTRUCTIONS = """Before every reply, think in five steps inside <think></think>, one labelled line each:
Agent intent: what the agent is after in its last message; name a manipulation tactic if you spot one, else "none".
Concerns: your active targets and worries, most important first.
Plan: your next move (ask, reveal, bargain, refuse, accept, end) and why.
State: your state values before and after this turn, e.g. "trust 0.50 -> 0.30; patience 0.70 -> 0.60; emotion 0.50 -> 0.40; engagement 0.60 -> 0.60".
Tone: how you will say it, given your profile and state.
Then write only what you say to the agent inside <answer></answer>: one natural spoken turn, in your own voice."""


def round6(x: float) -> float:
    return math.floor(x * 1e6 + 0.5) / 1e6


def clamp01(x: float) -> float:
    return min(1.0, max(0.0, x))


def lower(s: str) -> str:
    return s.translate(_LOWER)


def normalize_newlines(s: str) -> str:
    return s.replace("\r\n", "\n").replace("\r", "\n")


_TOKEN_RE = re.compile(r"[a-z0-9]+")


def tokens(s: str) -> list[str]:
    return _TOKEN_RE.findall(lower(s))


def content_words(s: str) -> set[str]:
    return {t for t in tokens(s) if len(t) >= 3 and t not in STOPWORDS}


def has_phrase(toks: list[str], phrase: str) -> bool:
    p = tokens(phrase)
    if not p:
        return False
    n = len(p)
    return any(toks[i:i + n] == p for i in range(len(toks) - n + 1))


def blank(s: str) -> bool:
    return re.search(r"[^ \t\n\r\f\v]", s) is None


def fsum_ordered(values) -> float:
    """Left-to-right plain addition (never math.fsum / compensated sums)."""
    total = 0.0
    for v in values:
        total += v
    return total


@dataclass
class Parsed:
    output: str
    think: Optional[str]
    answer_tag: Optional[str]
    rationale: str
    answer: str


_THINK_RE = re.compile(r"<think>([\s\S]*?)</think>")
_ANSWER_RE = re.compile(r"<answer>([\s\S]*?)</answer>")


def parse_output(raw: str) -> Parsed:
    output = normalize_newlines(raw)
    low = lower(output)
    tm = _THINK_RE.search(low)
    think = output[tm.start(1):tm.end(1)] if tm else None
    am = _ANSWER_RE.search(low, tm.end() if tm else 0)
    answer_tag = output[am.start(1):am.end(1)] if am else None
    close = low.find("</think>")
    rationale = think if think is not None else (output[:close] if close >= 0 else "")
    answer = answer_tag if answer_tag is not None else (output[close + len("</think>"):] if close >= 0 else output)
    return Parsed(output, think, answer_tag, rationale, answer)
