"""Rules on the spoken reply: voice, leaks, invented values, copying, degenerate turns, and whether the
reply carries out the plan (core/rewards/reply.ts)."""

from __future__ import annotations

import re
from typing import Any, Optional

from .text import Parsed, RATIONALE_INSTRUCTIONS, blank, content_words, has_phrase, lower, tokens
from .context import TurnContext
from .phrases import ACCEPT_PHRASES, REFUSE_PHRASES


AGENT_VOICE_PHRASES = (
    "how can i help", "how may i help", "how can i assist", "how may i assist", "what can i do for you", "what can i help you with",
    "happy to help", "glad to help", "happy to assist", "glad to assist", "i would be happy to", "i'd be happy to", "i would be glad to",
    "is there anything else i can", "anything else i can help", "anything else i can do for you", "let me know if you need anything",
    "thank you for calling", "thanks for calling", "thank you for contacting", "thanks for contacting", "thank you for reaching out",
    "thank you for your patience", "thank you for choosing", "apologize for the inconvenience", "apologise for the inconvenience",
    "sorry for the inconvenience", "i understand your frustration", "i understand your concern", "let me help you", "i can help you with",
    "feel free to", "don't hesitate to", "do not hesitate to", "have a great day", "your satisfaction", "valued customer",
    "as an ai", "as a language model", "i am an ai", "i'm an ai", "ai assistant", "language model", "virtual assistant",
    "the user", "as the customer", "the simulated", "simulated user",
)


def agent_voice_phrases(answer: str) -> list[str]:
    tok = tokens(answer)
    return [p for p in AGENT_VOICE_PHRASES if has_phrase(tok, p)]


def r_voice(out: Parsed, ctx: TurnContext, scenario: dict, params: dict) -> float:
    return 0.0 if agent_voice_phrases(out.answer) else 1.0


_LEAK_RES = (
    re.compile(r"</?(?:think|answer|thinking|reasoning|rationale|scratchpad)(?![a-z0-9_])"),
    re.compile(r"(?:^|[^a-z0-9])(?:agent[ _]intent|concerns|plan|state|tone|rationale|reasoning|thoughts?|thinking|internal monologue)[ \t]*:"),
    re.compile(r"(?:trust|emotion|patience|engagement)[ \t:=]*-?[0-9]+(?:\.[0-9]+)?[ \t]*(?:->|=>|→)"),
)


def leaks(answer: str) -> list[str]:
    low = lower(answer)
    return [m.group(0).strip() for m in (rx.search(low) for rx in _LEAK_RES) if m]


def r_no_leak(out: Parsed, ctx: TurnContext, scenario: dict, params: dict) -> float:
    return 0.0 if leaks(out.answer) else 1.0


_VALUE_RE = re.compile(r"[0-9]+(?:[.,:][0-9]+)*")
DATE_WORDS = ("january", "february", "march", "april", "june", "july", "august", "september", "october", "november", "december",
              "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SENTENCE_RE = re.compile(r"(?:[^.!?\n]|(?<=[0-9])\.(?=[0-9]))+[.!?\n]*")


def concrete_values(s: str) -> list[str]:
    out = [m.replace(",", "") for m in _VALUE_RE.findall(s)]
    out += [t for t in tokens(s) if t in DATE_WORDS]
    return out


def _num_text(x: Any) -> str:
    """A number as JavaScript's String() prints it."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int) or (isinstance(x, float) and x.is_integer() and abs(x) < 1e21):
        return str(int(x))
    return repr(x)


def _profile_strings(v: Any, out: list[str]) -> None:
    if isinstance(v, str):
        out.append(v)
    elif isinstance(v, bool) or v is None:
        return
    elif isinstance(v, (int, float)):
        out.append(_num_text(v))
    elif isinstance(v, list):
        for x in v:
            _profile_strings(x, out)
    elif isinstance(v, dict):
        for k in sorted(v):
            _profile_strings(v[k], out)


def known_profile(p: Optional[dict]) -> dict:
    """The profile fields the simulator prompt shows (core/rewards/reply.ts knownProfile)."""
    if not p:
        return {}
    e = p.get("expression") or {}
    out = {"name": p.get("name"), "demographics": p.get("demographics"), "background": p.get("background"),
           "life_scenarios": p.get("life_scenarios"), "preferences": p.get("preferences"), "personality": p.get("personality"),
           "typical_phrases": e.get("typical_phrases"), "quirks": e.get("quirks")}
    return {k: v for k, v in out.items() if v is not None}


def known_texts(ctx: TurnContext, scenario: dict) -> list[str]:
    out: list[str] = []
    _profile_strings(known_profile(ctx.profile), out)
    out += list(scenario.get("memory") or [])
    for t in scenario["targets"]:
        out.append(t["description"])
        if t.get("say"):
            out.append(t["say"])
    out += [p["then"] for p in scenario.get("decision_policy") or []]
    out += [e["text"] for e in ctx.earlier]
    return out


def invented_values(answer: str, ctx: TurnContext, scenario: dict) -> list[tuple[str, bool]]:
    known = {v for s in known_texts(ctx, scenario) for v in concrete_values(s)}
    unknown_words = [content_words(u) for u in scenario.get("unknown") or []]
    seen: set[str] = set()
    out = []
    for seg in _SENTENCE_RE.findall(answer):
        if "?" in seg:
            continue
        cw = content_words(seg)
        answers_unknown = any(w & cw for w in unknown_words)
        for v in concrete_values(seg):
            if v in known or v in seen:
                continue
            seen.add(v)
            out.append((v, answers_unknown))
    return out


def r_no_invention(out: Parsed, ctx: TurnContext, scenario: dict, params: dict) -> float:
    penalty = 0.0
    for _, strong in invented_values(out.answer, ctx, scenario):
        penalty += 1 if strong else 0.5
    return max(0.0, 1 - penalty)


def copy_sources(scenario: dict) -> list[str]:
    out = []
    for t in scenario["targets"]:
        out.append(t["description"])
        if t.get("done_when"):
            out.append(t["done_when"])
    out += [p["then"] for p in scenario.get("decision_policy") or []]
    out += list(scenario.get("unknown") or [])
    out.append(RATIONALE_INSTRUCTIONS)
    return out


def _runs(toks: list[str], k: int) -> list[str]:
    return [" ".join(toks[i:i + k]) for i in range(len(toks) - k + 1)]


def copied_run(answer: str, ctx: TurnContext, scenario: dict, params: dict) -> Optional[str]:
    min_run = params.get("min_run", 10)
    tok = tokens(answer)
    allowed = [tokens(t["say"]) for t in scenario["targets"] if t.get("say")]
    for src in copy_sources(scenario):
        st = tokens(src)
        k = min(min_run, len(st))
        if k < 5 or len(tok) < k:
            continue
        mine = set(_runs(tok, k))
        for r in _runs(st, k):
            if r in mine and not any(has_phrase(a, r) for a in allowed):
                return r
    return None


def r_no_copying(out: Parsed, ctx: TurnContext, scenario: dict, params: dict) -> float:
    return 1.0 if copied_run(out.answer, ctx, scenario, params) is None else 0.0


def degenerate_kind(answer: str, ctx: TurnContext) -> Optional[str]:
    at = answer.find(ctx.stop_token)
    spoken = answer[:at] if at >= 0 else answer
    if at >= 0 and tokens(answer[at + len(ctx.stop_token):]):
        return "after_stop"
    if blank(spoken) or not tokens(spoken):
        return "empty"
    mine = tokens(spoken)
    if len(mine) >= 4:
        for e in ctx.earlier:
            if e["speaker"] != "user":
                continue
            at2 = e["text"].find(ctx.stop_token)
            if tokens(e["text"][:at2] if at2 >= 0 else e["text"]) == mine:
                return "repeat"
    return None


def r_no_degenerate(out: Parsed, ctx: TurnContext, scenario: dict, params: dict) -> float:
    return 1.0 if degenerate_kind(out.answer, ctx) is None else 0.0


_ACT_OF = {"accept": "accept", "agree": "accept", "refuse": "refuse", "decline": "refuse", "reject": "refuse", "resist": "refuse",
           "ask": "ask", "clarify": "ask", "reveal": "reveal", "tell": "reveal", "share": "reveal", "explain": "reveal", "raise": "reveal",
           "end": "end", "hang": "end", "leave": "end", "bargain": "bargain", "negotiate": "bargain", "escalate": "escalate"}
_PLAN_RE = re.compile(r"[ \t]*(?:[-*][ \t]+|[0-9]+[.)][ \t]+)?(?:\*\*)?plan(?:\*\*)?[ \t]*:")
YES_WORDS = ("yes", "yeah", "yep", "ok", "okay", "sure", "fine", "deal", "agreed", "alright")
NO_WORDS = REFUSE_PHRASES + ("nope", "nah", "isn't", "doesn't", "didn't", "wouldn't", "haven't")
QUESTION_OPENERS = ("what", "whats", "how", "when", "where", "why", "which", "who", "can", "could", "would", "will", "is", "are", "do",
                    "does", "did", "any", "should")
REQUEST_PHRASES = ("i'd like", "i just want", "i only want", "i would like", "i should like", "i want", "i need", "please", "tell me",
                   "let me know", "send me", "give me", "i must insist", "i insist")


def plan_act(rationale: str) -> Optional[str]:
    for line in rationale.split("\n"):
        low = lower(line)
        m = _PLAN_RE.match(low)
        if not m:
            continue
        for t in tokens(low[m.end():])[:3]:
            if t in _ACT_OF:
                return _ACT_OF[t]
        return None
    return None


def accepts(answer: str) -> bool:
    tok = tokens(answer)
    yes = any(has_phrase(tok, p) for p in ACCEPT_PHRASES) or any(w in tok for w in YES_WORDS)
    return yes and not any(has_phrase(tok, p) for p in NO_WORDS)


def refuses(answer: str) -> bool:
    tok = tokens(answer)
    return any(has_phrase(tok, p) for p in NO_WORDS) and not any(has_phrase(tok, p) for p in ACCEPT_PHRASES)


def asks(answer: str) -> bool:
    if "?" in answer:
        return True
    tok = tokens(answer)
    if any(has_phrase(tok, p) for p in REQUEST_PHRASES):
        return True
    for seg in _SENTENCE_RE.findall(answer):
        t = tokens(seg)
        if t and t[0] in QUESTION_OPENERS:
            return True
    return False


def r_plan_reply(out: Parsed, ctx: TurnContext, scenario: dict, params: dict) -> Optional[float]:
    act = plan_act(out.rationale)
    if act is None:
        return None
    stops = ctx.stop_token in out.answer
    if act == "end":
        return 1.0 if stops else 0.0
    if stops or blank(out.answer):
        return 0.0
    if act == "accept":
        return 0.0 if refuses(out.answer) else 1.0
    if act in ("refuse", "ask"):
        return 0.0 if accepts(out.answer) and not asks(out.answer) else 1.0
    return 1.0
