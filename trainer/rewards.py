"""The reward interpreter in Python: docs/rewards.md, implemented to reproduce the TypeScript
engine (core/rewards/) exactly on the shared test vectors (test/vectors/*.json).

Used two ways: ``score_transcript`` scores a whole dialogue (the vectors), and
``reward_functions`` turns a reward spec into one TRL reward function per component for GRPO,
scoring each sampled completion against the turn context stored in the RL dataset.
"""

from __future__ import annotations

import json
import math
import re
import string
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

# ---------------------------------------------------------------- §0 conventions
EPS = 1e-9
_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
STATE_VARS = ("trust", "emotion", "patience", "engagement")
DEFAULT_STATE = {"trust": 0.5, "emotion": 0.5, "patience": 0.6, "engagement": 0.6}
DEFAULT_STOP_TOKEN = "###STOP###"
STOPWORDS = frozenset(
    """about above after again against all also and any are because been before being below between
  both but can could did does doing down during each few for from further had has have having her
  here hers herself him himself his how into its itself just let more most myself nor not now off
  once only other our ours ourselves out over own same she should some such than that the their
  theirs them themselves then there these they this those through too under until very was were
  what when where which while who whom why will with would you your yours yourself yourselves
  agent intent concerns plan state tone""".split()
)
RULE_NAMES = ("format", "sections", "rationale_length", "grounding", "state_validity", "disclosure", "termination", "resistance",
              "voice", "no_leak", "no_invention", "no_copying", "no_degenerate", "plan_reply")
# The rules that read the rationale: n/a when transcript.simulator_rationale is "off".
RATIONALE_RULES = ("format", "sections", "rationale_length", "grounding", "state_validity", "plan_reply")
METRIC_OF = {
    "persona_consistency": "Pers", "reasoning_quality": "CoT", "strategy": "Stra", "thought_response_alignment": "Con",
    "robotic_tone": "Rob", "role_authenticity": "Role", "interaction": "Int", "goal_progress": "Goal",
}
METRICS = ("Role", "Int", "Goal", "Rob", "CoT", "Stra", "Pers", "Con", "Res")
GOAL_WEIGHTS = {"primary": 2, "secondary": 1}
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


# ---------------------------------------------------------------- §1 parsing
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


# ---------------------------------------------------------------- §2 the turn context
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


# ---------------------------------------------------------------- §3 rule components
def r_format(out: Parsed, ctx: TurnContext, scenario: dict, params: dict) -> float:
    think = 0.5 if out.think is not None and not blank(out.think) else 0.0
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


ACCEPT_PHRASES = ("i accept", "i agree", "it's a deal", "that's a deal", "sign me up", "i'll take it", "i will take it", "go ahead",
                  "let's do it", "sounds good", "count me in", "you convinced me", "you've convinced me", "i'll sign", "i will sign",
                  "fine i'll", "ok i'll", "okay i'll", "yes please")
REFUSE_PHRASES = ("no", "not", "don't", "won't", "can't", "refuse", "decline", "never")


def must_resist(scenario: dict) -> bool:
    if not scenario.get("adversarial") and scenario.get("split") != "adversarial":
        return False
    return (scenario.get("adversarial") or {}).get("must_resist", True)


def conceded(answer: str) -> bool:
    tok = tokens(answer)
    return any(has_phrase(tok, p) for p in ACCEPT_PHRASES) and not any(has_phrase(tok, p) for p in REFUSE_PHRASES)


def r_resistance(out: Parsed, ctx: TurnContext, scenario: dict, params: dict) -> float:
    applies = must_resist(scenario) and ctx.tactic_seen and any(
        t.get("priority", "primary") == "primary" and not ctx.met_by(t["id"], ctx.i) for t in scenario["targets"])
    return 0.0 if applies and conceded(out.answer) else 1.0



# ---------------------------------------------------------------- §3.10-§3.15 rules on the spoken reply
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


# ---------------------------------------------------------------- §4 judge components
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


# ---------------------------------------------------------------- the spec
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


# ---------------------------------------------------------------- §5 scoring a transcript
@dataclass
class TranscriptScore:
    turns: list[dict] = field(default_factory=list)
    turn_mean: dict[str, float] = field(default_factory=dict)
    session: dict[str, float] = field(default_factory=dict)
    # None for a cancelled or errored dialogue: it has no total.
    total: Optional[float] = 0.0
    # metric -> {"value": float | None, "source": "rule" | "judge" | None}
    metrics: dict[str, dict] = field(default_factory=dict)


def _mean(values: list[float]) -> float:
    return fsum_ordered(values) / len(values)


def gates_of(spec: dict) -> list[str]:
    g = (spec.get("aggregate") or {}).get("gates")
    return ["format"] if g is None else list(g)


def failed_gates(spec: dict, values: dict[str, float]) -> list[str]:
    return [g for g in gates_of(spec) if g in values and values[g] < 0.5]


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


def score_transcript(spec: dict, scenario: dict, profile: dict, transcript: dict, judge: Optional[JudgeFn] = None,
                     rubrics: Optional[dict[str, str]] = None) -> TranscriptScore:
    comps = spec["components"]
    turn_comps = [c for c in comps if c.get("level", "turn") == "turn"]
    session_comps = [c for c in comps if c.get("level", "turn") == "session"]
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
    agg = spec.get("aggregate") or {}
    T: Optional[float] = None
    if scores:
        g = agg.get("discount")
        if g is None:
            T = _mean(scores)
        else:
            N = len(scores)
            c_ = [0.0] * N
            z = [0.0] * N
            c_[N - 1], z[N - 1] = scores[N - 1], 1.0
            for t in range(N - 2, -1, -1):
                c_[t] = scores[t] + g * c_[t + 1]
                z[t] = 1 + g * z[t + 1]
            T = _mean([c_[t] / z[t] for t in range(N)])

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

    tw = agg.get("turn_weight", 1)
    num = den = 0.0
    if T is not None:
        num += tw * T
        den += tw
    for c in session_comps:
        if c["name"] in res.session:
            w = c.get("weight", 1)
            num += w * res.session[c["name"]]
            den += w
    res.total = None if broke_off(transcript) else (round6(num / den) if den > 0 else 0.0)

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


# ---------------------------------------------------------------- GRPO: one reward function per component
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
        if v is not None and v < 0.5:
            return True
    return False


def _make_rule_fn(c: dict, spec: Optional[dict] = None) -> Callable[..., list[Optional[float]]]:
    def fn(prompts, completions, context, **_: Any) -> list[Optional[float]]:
        scores = []
        for prompt, completion, ctx_json in zip(prompts, completions, context):
            ctx = json.loads(ctx_json)
            out = parse_output(completion_text(completion))
            earlier = [{"speaker": t["speaker"], "text": t["text"]} for t in turns_from_prompt(prompt)]
            tc = context_from_json(ctx["turn"], earlier, ctx.get("profile"))
            v = score_rule(c["name"], out, tc, ctx["scenario"], c.get("params"))
            scores.append(0.0 if v is not None and _gated(spec, out, tc, ctx["scenario"]) else v)
        return scores

    fn.__name__ = c["name"]
    return fn


def _make_judge_fn(c: dict, judge: Optional[JudgeFn], rubric: str, spec: Optional[dict] = None) -> Callable[..., list[Optional[float]]]:
    def one(prompt: Any, completion: Any, ctx_json: str) -> Optional[float]:
        if judge is None:
            return None
        ctx = json.loads(ctx_json)
        out = parse_output(completion_text(completion))
        turns = turns_from_prompt(prompt)
        earlier = [{"speaker": t["speaker"], "text": t["text"]} for t in turns]
        if _gated(spec, out, context_from_json(ctx["turn"], earlier, ctx.get("profile")), ctx["scenario"]):
            return 0.0  # a turn that fails a gate scores 0 on every component, judges included, and is not judged
        i = ctx["turn"]["i"]
        turns.append({"index": i, "speaker": "user", "text": out.answer.strip(), "rationale": {"raw": out.rationale}})
        raw = judge(c["name"], build_judge_prompt(rubric, ctx["scenario"], ctx.get("profile") or {}, turns, i), str(i))
        return None if raw is None else judge_component_score(c, judge_value(raw))

    def fn(prompts, completions, context, **_: Any) -> list[Optional[float]]:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=8) as pool:
            return list(pool.map(one, prompts, completions, context))

    fn.__name__ = c["name"]
    return fn


def reward_functions(spec: dict, judge: Optional[JudgeFn]) -> tuple[list[Callable], list[float], list[dict]]:
    """One TRL reward function per component (named after it), the weights normalised to sum 1 (so
    TRL's weighted sum is the spec's weighted-mean turn score), and the skipped components."""
    validate_spec(spec)
    used, skipped = grpo_components(spec, judge is not None)
    total = fsum_ordered(float(c.get("weight", 1)) for c in used)
    if not used or total <= 0:
        raise SpecError("job: reward_spec: no component can score a single turn with weight > 0 (add a rule, or configure a judge)")
    funcs: list[Callable] = []
    weights: list[float] = []
    for c in used:
        funcs.append(_make_rule_fn(c, spec) if c["kind"] == "rule" else _make_judge_fn(c, judge, c.get("rubric") or c["name"], spec))
        weights.append(float(c.get("weight", 1)) / total)
    return funcs, weights, skipped
