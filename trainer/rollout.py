"""Multi-turn GRPO (``rollout: dialogue``): the policy plays the simulated user for whole dialogues.

Built on TRL 1.16's ``rollout_func`` (``GRPOTrainer(rollout_func=...)``, experimental there): for
each prompt of a batch (a dialogue row from ``core/training/dialogue.ts``: the simulator prompt and
the agent's opening), the rollout

1. generates the user's turn with TRL's own generation step (``transformers`` ``generate``, or
   vLLM when ``vllm`` is on: the same weights-sync and sampling settings as single-turn GRPO);
2. applies the turn to the dialogue (``DialogueEnv``): answer and rationale parsed, the scenario's
   state transitions, the state the rationale claims, structured decision policies, the stop token,
   hang-up and success conditions, ``max_turns``;
3. lets the agent answer: the scripted or adversarial agent's next line (prepared by core with the
   same agents as ``userlm run``, with the tactic and the targets it meets), or the OpenAI-compatible
   agent endpoint the job names;
4. adds the agent's turn to what the policy sees next, and repeats: with ``dialogue_history: spoken``
   (the default) the policy sees its earlier turns as their spoken answers, as in use, and each turn
   is generated from its own chat-templated context; with ``written`` the dialogue is one token
   sequence and the agent's turn is appended to it with ``env_mask`` 0 (no loss on it).

The finished dialogue is scored with ``trainer.rewards.score.score_transcript`` and the job's reward spec:
every turn component per user turn (their mean per component: ``reward/turn/<name>``), every
session component (``reward/session/<name>``) and the total (``reward/total``) as the docs define
it (discounted turn scores, session parts, weights). GRPO's reward is the total (with ``turn_credit:
to_go``, the total from the trained turn on); the components are logged with weight 0. Credit: under ``written`` the advantage of a dialogue (its total against the
other dialogues of its group) is given to every token the policy wrote in it. Under ``spoken`` TRL
takes one sequence per rollout, so a rollout trains one of its user turns; with ``turn_credit: to_go``
the rollouts of a group train the turn at the same place (drawn at random) and its
reward is the total from that turn on (``score.total_from_turn``: the turn part is that turn's
discounted return), so a turn answers for itself and the turns after it, not for those before; with
``turn_credit: total`` (the default) each rollout trains a turn drawn on its own, rewarded with the dialogue's total.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any, Callable, Optional

from .decode import end_ids, turn_decoder
from .rewards.text import content_words, has_phrase, parse_output, tokens
from .rewards.context import DEFAULT_OUT_OF_SCOPE_TOKEN, DEFAULT_STOP_TOKEN, DEFAULT_TRANSFER_TOKEN, STATE_VARS, state_claims
from .rewards.score import score_transcript, total_from_turn

AGENT_CALL_CONNECTS = "(The customer is on the line. You speak first.)"  # core/agents: the stage line when the agent opens
CALL_CONNECTS = "(The call connects. You speak first.)"  # core/simulate/messages: the stage line when the user speaks first
GENERIC_AGENT_LINE = "Is there anything else I can help you with today?"
_CMP_RE = re.compile(r"^\s*(<=|>=|==|!=|<|>|=)?\s*(-?\d*\.?\d+)\s*$")


def prompt_key(prompt: list[dict]) -> str:
    return json.dumps([{"role": m["role"], "content": m["content"]} for m in prompt], sort_keys=True)


def compare(value: float, cmp: Any) -> bool:
    """``< 0.3``, ``>= 6``, ``== 1`` or a bare number, as core/dialogue/rules.ts ``compare``."""
    if isinstance(cmp, (int, float)) and not isinstance(cmp, bool):
        return value == cmp
    m = _CMP_RE.match(str(cmp))
    if not m:
        return False
    op, x = m.group(1), float(m.group(2))
    return {"<": value < x, "<=": value <= x, ">": value > x, ">=": value >= x, "!=": value != x}.get(op, abs(value - x) < 1e-9)


def touches(text: str, target: dict) -> bool:
    """An endpoint agent's line meets a target: one of its cue phrases, else two of its content words."""
    toks = tokens(text)
    cues = [c for c in target.get("cues") or [] if c]
    if cues:
        return any(has_phrase(toks, c) for c in cues)
    want = content_words(f"{target.get('description', '')} {target.get('say', '')}")
    return bool(want) and len(content_words(text) & want) >= min(2, len(want))


class DialogueEnv:
    """One dialogue in progress; turns in the transcript format ``score_transcript`` reads."""

    def __init__(self, prompt: list[dict], context: dict, agent_endpoint: Optional[Callable[[list[dict], str], str]] = None):
        self.ctx = context
        self.scenario: dict = context["scenario"]
        self.profile: dict = context.get("profile") or {}
        term = self.scenario.get("termination") or {}
        self.stop_token = term.get("stop_token") or context["turn"].get("stop_token") or DEFAULT_STOP_TOKEN
        # the other end tokens and their end reasons, as the engine reads them (core/dialogue/rules.ts endTokenIn)
        self.end_tokens = ((term.get("transfer_token") or DEFAULT_TRANSFER_TOKEN, "transfer"),
                           (term.get("out_of_scope_token") or DEFAULT_OUT_OF_SCOPE_TOKEN, "out_of_scope"))
        self.min_turns = int(context.get("min_turns") or term.get("min_turns") or 1)
        self.max_turns = int(context.get("max_turns") or 6)
        self.agent_lines: list[dict] = list(context.get("agent_lines") or [])
        self.agent_endpoint = agent_endpoint
        self.state = {k: float(v) for k, v in context["turn"]["prev_state"].items()}
        self.targets_met: dict[str, Optional[int]] = {t["id"]: None for t in self.scenario.get("targets") or []}
        for tid, at in (context["turn"].get("met_at") or {}).items():
            if at is not None and tid in self.targets_met:
                self.targets_met[tid] = at
        self.turns: list[dict] = []
        spoken = [m for m in prompt if m["role"] != "system"]
        if spoken and spoken[0]["role"] == "user" and spoken[0]["content"] == CALL_CONNECTS:
            spoken = spoken[1:]  # the stage line that opens the call when the user speaks first is not a turn
        for m in spoken:
            self.turns.append({"index": len(self.turns), "speaker": "agent" if m["role"] == "user" else "user", "text": m["content"]})
        if self.turns and self.turns[-1]["speaker"] == "agent" and context.get("tactic"):
            self.turns[-1]["tactic"] = context["tactic"]
        self.user_turns = sum(1 for t in self.turns if t["speaker"] == "user")
        self.agent_turns_said = 0
        self.end: Optional[dict] = None

    # -- the rules of core/dialogue (transitions, structured policies, hang-up, success)
    def _events(self) -> list[str]:
        events = ["every_turn"]
        last = self.turns[-1] if self.turns and self.turns[-1]["speaker"] == "agent" else None
        if last:
            if last.get("tactic"):
                events.append(f"tactic:{last['tactic']}")
            events += [f"target_met:{tid}" for tid in last.get("targets_met") or []]
        return events

    def _apply_transitions(self, events: list[str]) -> dict[str, float]:
        out = dict(self.state)
        for tr in (self.scenario.get("state") or {}).get("transitions") or []:
            if tr.get("on") in events:
                for k in STATE_VARS:
                    d = (tr.get("change") or {}).get(k)
                    if isinstance(d, (int, float)):
                        out[k] = min(1.0, max(0.0, out[k] + d))
        return out

    def _policies(self, state: dict[str, float]) -> list[str]:
        last = self.turns[-1] if self.turns and self.turns[-1]["speaker"] == "agent" else {}
        fired = []
        for p in self.scenario.get("decision_policy") or []:
            c = p.get("when")
            if not isinstance(c, dict) or not c:
                continue  # text conditions are matched loosely by the engine only (see docs/training.md)
            holds = True
            if "tactic" in c:
                holds &= last.get("tactic") == c["tactic"] or (c["tactic"] == "any" and last.get("tactic") is not None)
            for k in STATE_VARS:
                if k in (c.get("state") or {}):
                    holds &= compare(state[k], c["state"][k])
            if "target_unmet" in c:
                holds &= self.targets_met.get(c["target_unmet"]) is None
            if "target_met" in c:
                holds &= self.targets_met.get(c["target_met"]) is not None
            if "turn" in c:
                holds &= compare(self.user_turns + 1, c["turn"])
            if holds:
                fired.append(p["id"])
        return fired

    def _hang_up(self) -> Optional[str]:
        h = (self.scenario.get("termination") or {}).get("hang_up_when") or {}
        if h.get("patience_below") is not None and self.state["patience"] < h["patience_below"]:
            return f"patience {self.state['patience']:.2f} below {h['patience_below']}"
        if h.get("trust_below") is not None and self.state["trust"] < h["trust_below"]:
            return f"trust {self.state['trust']:.2f} below {h['trust_below']}"
        return None

    def _success(self, or_default: bool = False) -> bool:
        rule = (self.scenario.get("termination") or {}).get("success_when") or ("all_primary_targets_met" if or_default else None)
        if not rule:
            return False
        targets = self.scenario.get("targets") or []
        relevant = targets if rule == "all_targets_met" else [t for t in targets if (t.get("priority") or "primary") == "primary"]
        return bool(relevant) and all(self.targets_met.get(t["id"]) is not None for t in relevant)

    def user_turn(self, output: str) -> bool:
        """Adds the policy's turn; True when the dialogue ends with it."""
        parsed = parse_output(output)
        answer = parsed.answer.strip()
        state = self._apply_transitions(self._events())
        policies = self._policies(state)
        for k, (_, after) in state_claims(parsed.rationale).items():
            state[k] = min(1.0, max(0.0, after))
        self.state = state
        turn = {"index": len(self.turns), "speaker": "user", "text": answer, "output": output,
                "rationale": {"raw": parsed.rationale}, "state": dict(state)}
        if policies:
            turn["policies"] = policies
        self.turns.append(turn)
        self.user_turns += 1
        hang = self._hang_up() if self.user_turns >= self.min_turns else None
        other = next((reason for token, reason in self.end_tokens if token in answer), None)
        if other:
            self._finish(other)
        elif self.stop_token in answer:
            self._finish("hang_up" if hang else "stop")
        elif hang:
            self._finish("hang_up")
        elif self.user_turns >= self.min_turns and self._success():
            self._finish("stop")
        elif self.user_turns >= self.max_turns:
            self._finish("max_turns")
        return self.end is not None

    def agent_turn(self) -> str:
        """The agent's next line (prepared, or from the endpoint), added with its tactic and the targets it meets."""
        if self.agent_endpoint is not None:
            text = self.agent_endpoint(self.turns, self.ctx.get("agent_system") or "")
            tactic = None
            met = [t["id"] for t in self.scenario.get("targets") or [] if self.targets_met.get(t["id"]) is None and touches(text, t)]
        else:
            line = self.agent_lines[self.agent_turns_said] if self.agent_turns_said < len(self.agent_lines) else {"text": GENERIC_AGENT_LINE, "targets": []}
            text, tactic = line["text"], line.get("tactic")
            met = [tid for tid in line.get("targets") or [] if tid in self.targets_met and self.targets_met[tid] is None]
        self.agent_turns_said += 1
        turn: dict[str, Any] = {"index": len(self.turns), "speaker": "agent", "text": text}
        if tactic:
            turn["tactic"] = tactic
        if met:
            turn["targets_met"] = met
            for tid in met:
                self.targets_met[tid] = turn["index"]
        self.turns.append(turn)
        return text

    def _finish(self, reason: str) -> None:
        self.end = {"reason": reason, "at_turn": len(self.turns) - 1}

    def transcript(self) -> dict:
        return {"scenario_id": self.ctx.get("scenario_id"), "profile_id": self.ctx.get("profile_id"), "turns": self.turns,
                "targets": [{"id": tid, "met_at": at} for tid, at in self.targets_met.items()],
                "end": self.end or {"reason": "max_turns", "at_turn": len(self.turns) - 1}}


def endpoint_agent(agent: dict) -> Callable[[list[dict], str], str]:
    """The job's OpenAI-compatible agent: the scenario's agent prompt, the dialogue with roles as the agent sees them."""
    import os

    from .judge import JudgeError, chat_complete

    key_env = agent.get("api_key_env")
    api_key = os.environ.get(key_env) if key_env else None
    if key_env and not api_key:
        raise JudgeError(f"agent.api_key_env names '{key_env}', which is not set in the job's environment")

    def call(turns: list[dict], system: str) -> str:
        messages = [{"role": "system", "content": system}]
        if not turns or turns[0]["speaker"] != "user":
            messages.append({"role": "user", "content": AGENT_CALL_CONNECTS})
        messages += [{"role": "assistant" if t["speaker"] == "agent" else "user", "content": t["text"]} for t in turns]
        text = re.sub(r"</?answer>", "", chat_complete(agent["base_url"], agent["model"], messages, api_key,
                                                       float(agent.get("timeout_s", 60)), int(agent.get("max_retries", 3))), flags=re.I).strip()
        return text or GENERIC_AGENT_LINE

    return call


def _glue(tokenizer, before_messages: list[dict], answer_text: str, agent_text: str, ended_with: Optional[str]) -> str:
    """The chat-template text between the policy's generated turn and the next generation: the end of
    its turn (unless it wrote the end token itself), the agent's turn, and the generation prompt."""
    before = tokenizer.apply_chat_template(before_messages, tokenize=False, add_generation_prompt=True)
    after = tokenizer.apply_chat_template(before_messages + [{"role": "assistant", "content": answer_text}, {"role": "user", "content": agent_text}],
                                          tokenize=False, add_generation_prompt=True)
    rest = after[len(before):] if after.startswith(before) else after
    at = rest.find(answer_text) if answer_text else 0
    glue = rest[at + len(answer_text):] if at >= 0 else rest
    if ended_with and glue.startswith(ended_with):
        glue = glue[len(ended_with):]
    return glue


def written_ids(turns: list[dict]) -> list[int]:
    """Turns as one sequence: each turn's generated ids and what follows it."""
    return [x for t in turns for x in t["ids"] + t["after"]]


def make_rollout_func(spec: dict, judge, contexts: dict[str, dict], agent: Optional[dict] = None, history: str = "spoken", seed: int = 0,
                      credit: str = "total"):
    """The ``rollout_func`` for GRPOTrainer; ``contexts`` maps ``prompt_key(prompt)`` to each dialogue row's context.

    ``history`` (the ``dialogue_history`` hyperparameter) is what the policy sees of its earlier turns:

    - ``spoken``: their spoken answers, as in use (``userlm run``, the SFT data). Each user turn is then
      generated from its own context, so a dialogue is several sequences; TRL takes one per rollout, so a
      rollout trains one of its user turns, drawn at random (seeded), with the dialogue's advantage: in
      expectation every turn gets that advantage, at 1/turns of the weight.
    - ``written``: one token sequence, every turn trained; earlier turns stay in context as written
      (rationale and answer), a context the policy does not see in use.

    ``credit`` (``turn_credit``, under ``spoken``): ``to_go``, the rollouts of a dialogue in this call (its
    group) train the turn at the same relative place, drawn once for them (from the seed, the call and the
    dialogue: every worker draws the same), each rewarded with its total from that turn on; ``total``, each
    rollout's turn drawn on its own and rewarded with the dialogue's total."""
    agent_fn = endpoint_agent(agent) if agent else None
    draw = random.Random(seed)
    calls = 0

    def rollout(prompts: list, trainer) -> dict[str, list]:
        nonlocal calls
        calls += 1
        tok = trainer.processing_class
        envs = []
        for p in prompts:
            ctx = contexts.get(prompt_key(p))
            if ctx is None:
                raise ValueError("rollout: a prompt that is not a dialogue row of this job's datasets")
            envs.append(DialogueEnv(p, ctx, agent_fn if ctx.get("agent") == "endpoint" else None))
        messages = [[{"role": m["role"], "content": m["content"]} for m in p] for p in prompts]

        def encode(msgs: list[dict]) -> list[int]:
            return tok(tok.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True), add_special_tokens=False)["input_ids"]

        prompt_ids = [encode(m) for m in messages]
        # per dialogue, per user turn: the context it was generated from, the generated ids, their logprobs (None
        # when the generation step gives none), and under `written` the ids appended after it (the agent's turn)
        turns: list[list[dict]] = [[] for _ in prompts]
        eos = set(getattr(trainer, "eos_token_ids", None) or end_ids(tok))  # TRL's end tokens, else the tokenizer's
        decode = turn_decoder(tok, eos)
        active = list(range(len(prompts)))
        while active:
            contexts_now = [encode(messages[i]) if history == "spoken" else prompt_ids[i] + written_ids(turns[i]) for i in active]
            gen, lps = trainer._generate_single_turn(contexts_now, None, {}, 1)
            still = []
            for j, i in enumerate(active):
                g = list(gen[j])
                text = decode(g)
                turn = {"context": contexts_now[j], "ids": g, "logprobs": list(lps[j]) if lps is not None else None, "after": []}
                turns[i].append(turn)
                if envs[i].user_turn(text):
                    continue
                answer = envs[i].turns[-1]["text"]  # the spoken answer, parsed from the turn
                agent_text = envs[i].agent_turn()
                if history == "spoken":
                    messages[i] += [{"role": "assistant", "content": answer}, {"role": "user", "content": agent_text}]
                else:
                    ended_with = tok.decode([g[-1]]) if g and g[-1] in eos else None
                    turn["after"] = tok(_glue(tok, messages[i], text, agent_text, ended_with), add_special_tokens=False)["input_ids"]
                    messages[i] += [{"role": "assistant", "content": text}, {"role": "user", "content": agent_text}]
                still.append(i)
            active = still
        if history == "written":
            picks: list[Optional[int]] = [None] * len(turns)
        elif credit == "to_go":  # one place per dialogue of this call, the same on every worker
            place = {k: random.Random(f"{seed}:{calls}:{k}").random() for k in map(prompt_key, prompts)}
            picks = [min(int(place[prompt_key(p)] * len(ts)), len(ts) - 1) for p, ts in zip(prompts, turns)]
        else:
            picks = [draw.randrange(len(ts)) for ts in turns]
        scores = []
        for env, k in zip(envs, picks):
            s = score_transcript(spec, env.scenario, env.profile, env.transcript(), judge)
            credited = total_from_turn(spec, s, k) if k is not None and credit == "to_go" else s.total
            scores.append(json.dumps({"total": s.total, "credited": credited, "turn": s.turn_mean, "session": s.session,
                                      "user_turns": env.user_turns, "end": env.end["reason"] if env.end else "max_turns"}))
        # `spoken`: the drawn turn of each dialogue, with its own context; `written`: every turn in one sequence
        pieces = turns if history == "written" else [[ts[k]] for ts, k in zip(turns, picks)]
        if history == "spoken":
            prompt_ids = [p[0]["context"] for p in pieces]
        completion = [written_ids(p) for p in pieces]
        mask = [[x for t in p for x in [1] * len(t["ids"]) + [0] * len(t["after"])] for p in pieces]
        has_lps = all(t["logprobs"] is not None for p in pieces for t in p)
        logprobs = [[x for t in p for x in t["logprobs"] + [0.0] * len(t["after"])] for p in pieces] if has_lps else None
        return {"prompt_ids": prompt_ids, "completion_ids": completion, "logprobs": logprobs, "env_mask": mask, "dialogue": scores}

    return rollout


def dialogue_reward_functions(spec: dict, credit: str = "total") -> tuple[list[Callable], list[float]]:
    """GRPO's reward (weight 1): ``total`` the dialogue's total, or with ``credit`` ``to_go`` ``credited``, the
    total from the trained turn on; and, logged with weight 0, the total (when it is not the reward), every turn
    component (``turn/<name>``, its mean over the user turns) and every session component (``session/<name>``)."""

    def pick(path: tuple[str, ...], name: str) -> Callable:
        def fn(prompts, completions, dialogue, log_metric=None, **_: Any) -> list[Optional[float]]:
            out = []
            for d in dialogue:
                v: Any = json.loads(d)
                for p in path:
                    v = v.get(p) if isinstance(v, dict) else None
                out.append(v if isinstance(v, (int, float)) else None)
            if name == "total" and log_metric is not None and dialogue:  # how the dialogues went, once per batch
                ds = [json.loads(d) for d in dialogue]
                log_metric("dialogue/user_turns", sum(d["user_turns"] for d in ds) / len(ds))
                log_metric("dialogue/ended_by_user", sum(d["end"] in ("stop", "hang_up") for d in ds) / len(ds))
            return out

        fn.__name__ = name
        return fn

    funcs = [pick(("total",), "total")]
    weights = [1.0]
    if credit == "to_go":
        funcs.insert(0, pick(("credited",), "credited"))
        weights = [1.0, 0.0]
    for c in spec["components"]:
        level = c.get("level", "turn")
        funcs.append(pick((level, c["name"]), f"{level}/{c['name']}"))
        weights.append(0.0)
    return funcs, weights
