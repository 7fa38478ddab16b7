"""Multi-turn GRPO: the dialogue environment (rules of core/dialogue) and a tiny job whose rollouts
are whole dialogues, logging turn and session components and evaluating on the validation split."""

import json
import os

import pytest

from trainer.job import parse_job
from trainer.rewards.context import DEFAULT_OUT_OF_SCOPE_TOKEN, DEFAULT_STOP_TOKEN, DEFAULT_TRANSFER_TOKEN
from trainer.rewards.score import score_transcript, total_from_turn, turn_returns
from trainer.rollout import DialogueEnv, compare, dialogue_reward_functions, make_rollout_func, prompt_key, touches
from trainer.train import run_job

from conftest import AGENT_LINES, ROOT, SCENARIO, dialogue_rows
from test_train import SPEC, read_lines

GOOD = ("<think>\\nAgent intent: rush me.\\nConcerns: the monthly price.\\nPlan: ask the price.\\n"
        "State: trust 0.60 -> 0.50; patience 0.70 -> 0.60\\nTone: firm.\\n</think>\\n<answer>{}</answer>")


def env(**scenario_over):
    row = dialogue_rows()[0]
    ctx = dict(row["context"], scenario={**SCENARIO, **scenario_over})
    return DialogueEnv(row["prompt"], ctx)


def test_env_plays_the_agent_lines_applies_state_and_meets_targets():
    e = env()
    assert [t["speaker"] for t in e.turns] == ["agent"] and e.turns[0]["tactic"] == "false_urgency"
    assert e.user_turn(GOOD.format("I will not decide now. What is the price?")) is False
    u = e.turns[-1]
    # every_turn transition (patience -0.05) then the rationale's claims (trust 0.50, patience 0.60)
    assert u["state"]["trust"] == 0.5 and u["state"]["patience"] == 0.6 and u["text"].startswith("I will not")
    assert e.agent_turn() == AGENT_LINES[0]["text"] and e.turns[-1]["tactic"] == "false_urgency"
    assert e.user_turn(GOOD.format("Please tell me the monthly price.")) is False
    e.agent_turn()
    assert e.targets_met["price"] == e.turns[-1]["index"]
    assert e.user_turn(GOOD.format("Thank you, that is all. ###STOP###")) is True
    assert e.end["reason"] == "stop" and e.user_turns == 3
    s = score_transcript(SPEC, e.scenario, e.profile, e.transcript(), None)
    assert set(s.turn_mean) >= {"format", "sections", "resistance"} and s.turn_mean["format"] == 1.0
    assert "termination" in s.session and 0 < s.total <= 1


def test_env_when_the_user_speaks_first_the_stage_line_is_no_turn():
    """A dialogue row of a scenario without an agent opening starts with core's stage line (core/simulate/messages.ts):
    the transcript the rewards score has the user's turn first, as the engine records it."""
    from trainer.rollout import CALL_CONNECTS

    row = dialogue_rows()[0]
    e = DialogueEnv([row["prompt"][0], {"role": "user", "content": CALL_CONNECTS}], row["context"])
    assert e.turns == [] and e.user_turns == 0
    assert e.user_turn(GOOD.format("Hello, I am calling about my plan. What is the monthly price?")) is False
    assert [t["speaker"] for t in e.turns] == ["user"] and e.turns[0]["index"] == 0
    # a message that only looks like it, later in the dialogue, is a turn like any other
    e2 = DialogueEnv([row["prompt"][0], {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}, {"role": "user", "content": CALL_CONNECTS}], row["context"])
    assert [t["speaker"] for t in e2.turns] == ["agent", "user", "agent"]


def test_env_ends_on_the_transfer_and_out_of_scope_tokens_as_the_engine_does():
    e = env()
    assert e.user_turn(GOOD.format("Please put me through to a person. ###TRANSFER###")) is True
    assert e.end == {"reason": "transfer", "at_turn": e.turns[-1]["index"]}
    e2 = env(termination={"min_turns": 1, "out_of_scope_token": "##NOPE##"})
    assert e2.user_turn(GOOD.format("That is not something I can talk about. ###OUT-OF-SCOPE###")) is False, "a scenario's own token replaces the default"
    e2.agent_turn()
    assert e2.user_turn(GOOD.format("I give up on this. ##NOPE##")) is True and e2.end["reason"] == "out_of_scope"


def test_end_token_defaults_are_the_schema_defaults():
    term = json.load(open(os.path.join(ROOT, "schemas", "scenario.schema.json"), encoding="utf-8"))["properties"]["termination"]["properties"]
    assert (term["stop_token"]["default"], term["transfer_token"]["default"], term["out_of_scope_token"]["default"]) == (
        DEFAULT_STOP_TOKEN, DEFAULT_TRANSFER_TOKEN, DEFAULT_OUT_OF_SCOPE_TOKEN)


def test_env_ends_on_max_turns_hang_up_and_fires_structured_policies():
    e = env(termination={"min_turns": 1, "hang_up_when": {"patience_below": 0.3}},
            decision_policy=[{"id": "resist", "when": {"tactic": "false_urgency"}, "then": "refuse"},
                             {"id": "text-only", "when": "the agent is rude", "then": "leave"}])
    e.user_turn(GOOD.format("No."))
    assert e.turns[-1]["policies"] == ["resist"]  # the text condition is left to the engine
    e.agent_turn()
    assert e.user_turn("<think>State: patience 0.60 -> 0.20</think><answer>Goodbye.</answer>") is True
    assert e.end["reason"] == "hang_up"
    e2 = env()
    for _ in range(2):
        assert e2.user_turn(GOOD.format("Hm.")) is False
        e2.agent_turn()
    assert e2.user_turn(GOOD.format("Hm.")) is True and e2.end["reason"] == "max_turns"


def test_compare_and_target_touching_follow_the_engine():
    assert compare(0.2, "< 0.3") and not compare(0.3, "< 0.3") and compare(6, ">= 6") and compare(1, 1) and not compare(1, "soon")
    assert touches("The total is 55 dollars per month.", {"id": "p", "description": "x", "cues": ["per month"]})
    assert touches("Your monthly price is 55.", {"id": "p", "description": "Find out the monthly price"})
    assert not touches("Hello there.", {"id": "p", "description": "Find out the monthly price"})


def test_dialogue_reward_functions_give_total_and_each_component():
    funcs, weights = dialogue_reward_functions(SPEC)
    assert [f.__name__ for f in funcs][:3] == ["total", "turn/format", "turn/sections"]
    assert "session/termination" in [f.__name__ for f in funcs] and weights[0] == 1 and sum(weights) == 1
    d = json.dumps({"total": 0.5, "turn": {"format": 1.0}, "session": {"termination": 0.0}})
    by = {f.__name__: f([None], [None], dialogue=[d])[0] for f in funcs}
    assert by["total"] == 0.5 and by["turn/format"] == 1.0 and by["session/termination"] == 0.0 and by["turn/sections"] is None


DISCOUNTED = {**SPEC, "aggregate": {"discount": 0.8, "turn_weight": 2}}
PLAIN = GOOD.format("What is the monthly price?").split("<answer>")[1].split("</answer>")[0]  # an answer without its rationale: format gate fails


def test_turn_returns_and_the_total_from_a_turn():
    assert turn_returns([0.5, 1.0], None) == [0.5, 1.0]
    assert turn_returns([0.0, 1.0], 0.8) == pytest.approx([0.8 / 1.8, 1.0])
    e = env()
    e.user_turn(PLAIN)  # gated: scores 0
    e.agent_turn()
    e.user_turn(GOOD.format("Please tell me the monthly price first.").replace("\\n", "\n"))
    s = score_transcript(DISCOUNTED, e.scenario, e.profile, e.transcript(), None)
    first, second = total_from_turn(DISCOUNTED, s, 0), total_from_turn(DISCOUNTED, s, 1)
    assert s.turns[0]["score"] == 0 and s.turns[1]["score"] > 0.5
    # the second turn is not charged with the first one's failure; the first answers for itself and what followed
    assert first < s.total < second
    assert (first + second) / 2 == pytest.approx(s.total, abs=2e-6)  # in expectation over the drawn turn: the total
    assert total_from_turn(DISCOUNTED, s, 5) == second  # past the last turn: the last
    broken = dict(e.transcript(), end={"reason": "error"})
    assert total_from_turn(DISCOUNTED, score_transcript(DISCOUNTED, e.scenario, e.profile, broken, None), 0) is None


class ScriptedTrainer:
    """What the rollout uses of GRPOTrainer: its tokenizer and its generation step, here replying with set
    turns and keeping the contexts it was asked to continue."""

    def __init__(self, tok, replies):
        self.processing_class, self.replies, self.contexts = tok, list(replies), []
        self.eos_token_ids = [tok.convert_tokens_to_ids("<|end|>")]

    def _generate_single_turn(self, contexts, images, fields, n):
        self.contexts += [self.processing_class.decode(c) for c in contexts]
        out = [self.processing_class(self.replies.pop(0), add_special_tokens=False)["input_ids"] + self.eos_token_ids for _ in contexts]
        return out, [[-0.5] * len(o) for o in out]


@pytest.mark.parametrize("history", ["spoken", "written"])
def test_rollout_history_spoken_shows_answers_and_trains_one_turn_written_keeps_one_sequence(tiny_model, history):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    row = dialogue_rows()[0]
    ctx = dict(row["context"], max_turns=2)
    replies = [GOOD.format("What is the monthly price?").replace("\\n", "\n"), GOOD.format("I will think about it.").replace("\\n", "\n")]
    rollout = make_rollout_func(SPEC, None, {prompt_key(row["prompt"]): ctx}, history=history, seed=3)
    trainer = ScriptedTrainer(tok, replies)
    out = rollout([row["prompt"]], trainer)
    assert len(trainer.contexts) == 2 and json.loads(out["dialogue"][0])["user_turns"] == 2
    second = trainer.contexts[1]  # what the policy saw when it wrote its second turn
    assert AGENT_LINES[0]["text"] in second and "What is the monthly price?" in second
    completion = tok.decode(out["completion_ids"][0])
    if history == "spoken":
        assert "rush me" not in second  # its first turn as spoken: the answer, no rationale
        assert tok.decode(out["prompt_ids"][0]) in trainer.contexts  # the sequence is one turn with the context it was generated from
        assert completion.count("rush me") == 1 and AGENT_LINES[0]["text"] not in completion
        assert out["env_mask"][0] == [1] * len(out["completion_ids"][0])
    else:
        assert second.count("rush me") == 1  # the first turn stays in context as written
        assert completion.count("rush me") == 2 and AGENT_LINES[0]["text"] in completion  # both turns, the agent's between
        assert 0 in out["env_mask"][0] and len(out["env_mask"][0]) == len(out["completion_ids"][0])
    assert len(out["logprobs"][0]) == len(out["completion_ids"][0])


def test_rollout_spoken_draws_each_turn(tiny_model):
    """Over many rollouts each of a dialogue's user turns is the trained one: the draw is not stuck on one."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    row = dialogue_rows()[0]
    rollout = make_rollout_func(SPEC, None, {prompt_key(row["prompt"]): dict(row["context"], max_turns=2)}, seed=1)
    picked = set()
    for _ in range(12):
        out = rollout([row["prompt"]], ScriptedTrainer(tok, ["first turn", "second turn"]))
        picked.add(tok.decode(out["completion_ids"][0], skip_special_tokens=True).strip())
    assert picked == {"first turn", "second turn"}


def test_rollout_to_go_trains_one_place_per_group_and_credits_the_turn_from_there(tiny_model):
    """turn_credit to_go: the rollouts of a dialogue in one call train the turn at the same place, each rewarded with its
    total from that turn on; over calls both places come up; `total` credits every rollout with the dialogue's total."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    row = dialogue_rows()[0]
    good = GOOD.format("Please tell me the monthly price first.").replace("\\n", "\n")
    rollout = make_rollout_func(DISCOUNTED, None, {prompt_key(row["prompt"]): dict(row["context"], max_turns=2)}, seed=1, credit="to_go")
    funcs, weights = dialogue_reward_functions(DISCOUNTED, "to_go")
    assert [f.__name__ for f in funcs][:2] == ["credited", "total"] and weights[:2] == [1.0, 0.0] and sum(weights) == 1
    places = set()
    for _ in range(10):
        # two rollouts of the dialogue (a group): the first plays a gated first turn, the second a good one; both a good second turn
        out = rollout([row["prompt"], row["prompt"]], ScriptedTrainer(tok, [PLAIN, good, good, good]))
        trained = [tok.decode(c, skip_special_tokens=True) for c in out["completion_ids"]]
        ds = [json.loads(d) for d in out["dialogue"]]
        credited = funcs[0]([None] * 2, [None] * 2, dialogue=out["dialogue"])
        if trained[0].strip() == PLAIN.strip():  # the first turns: the gated one is credited less than the good one
            places.add(0)
            assert "rush me" in trained[1] and credited[0] < ds[0]["total"] and credited[0] < credited[1]
        else:  # the second turns, both good: the first rollout's failed first turn is not charged to its second
            places.add(1)
            assert all("rush me" in t for t in trained) and credited[0] > ds[0]["total"]
    assert places == {0, 1}
    total_rollout = make_rollout_func(DISCOUNTED, None, {prompt_key(row["prompt"]): dict(row["context"], max_turns=2)}, seed=1, credit="total")
    out = total_rollout([row["prompt"]], ScriptedTrainer(tok, [PLAIN, good]))
    d = json.loads(out["dialogue"][0])
    assert d["credited"] == d["total"]


@pytest.mark.parametrize("history", ["spoken", "written"])
def test_multi_turn_grpo_tiny_logs_turn_and_session_components_and_evaluates(tmp_path, tiny_model, datasets, history):
    job = parse_job({
        "type": "grpo", "base_model": tiny_model, "datasets": {"train": datasets["dialogue"], "validation": datasets["dialogue"]},
        "output_dir": "out", "reward_spec": SPEC,
        "hyperparameters": {"rollout": "dialogue", "max_steps": 2, "per_device_train_batch_size": 2, "num_generations": 2,
                            "max_completion_length": 10, "learning_rate": 1e-4, "eval_steps": 1, "dialogue_history": history,
                            **({"turn_credit": "to_go"} if history == "spoken" else {})},
    }, str(tmp_path))
    summary = run_job(job)
    assert summary["rollout"] == "dialogue" and summary["dialogues"] == 1 and summary["dialogue_history"] == history
    assert summary["turn_credit"] == ("to_go" if history == "spoken" else "total")
    assert summary["skipped"] == {"persona_consistency": "no judge configured", "robotic_tone": "no judge configured", "goal_progress": "no judge configured"}
    lines = read_lines(tmp_path / "out" / "metrics.jsonl")
    train = [m for m in lines if "reward" in m]
    assert len(train) == 2
    for m in train:
        # GRPO's reward: under spoken the total from the trained turn on (turn_credit to_go, asked here), else the dialogue's total
        assert m["reward"] == pytest.approx(m["reward/credited" if history == "spoken" else "reward/total"], abs=1e-6)
        assert isinstance(m["reward/total"], float)
        for c in ("turn/format", "turn/sections", "turn/resistance", "session/termination"):
            assert isinstance(m.get(f"reward/{c}"), float), f"reward/{c} missing in {m}"
        assert 1 <= m["dialogue/user_turns"] <= 3  # whole dialogues: up to max_turns user turns each
    evals = [m for m in lines if "eval_reward" in m]
    assert evals and all("eval_reward/total" in m for m in evals)
    assert (tmp_path / "out" / "model.safetensors").exists()


def test_steps_per_generation_plays_the_rollouts_of_several_steps_in_one_round(tmp_path, tiny_model, datasets, monkeypatch):
    """steps_per_generation 2: the rollout is called once for two optimizer steps, with both steps' rollouts (2 × 2: one group of 4)."""
    import trainer.rollout

    calls: list[int] = []

    def counting(*args, **kwargs):
        rollout = make_rollout_func(*args, **kwargs)

        def counted(prompts, trainer):
            calls.append(len(prompts))
            return rollout(prompts, trainer)

        return counted

    monkeypatch.setattr(trainer.rollout, "make_rollout_func", counting)  # run_job imports it when it builds the job
    job = parse_job({
        "type": "grpo", "base_model": tiny_model, "datasets": {"train": datasets["dialogue"]}, "output_dir": "out", "reward_spec": SPEC,
        "hyperparameters": {"rollout": "dialogue", "max_steps": 2, "per_device_train_batch_size": 2, "num_generations": 4,
                            "steps_per_generation": 2, "max_completion_length": 8, "learning_rate": 1e-4},
    }, str(tmp_path))
    summary = run_job(job)
    assert summary["global_step"] == 2
    assert calls == [4]
    lines = [m for m in read_lines(tmp_path / "out" / "metrics.jsonl") if "loss" in m]
    assert [m["step"] for m in lines] == [1, 2]
    assert "reward/total" in lines[0]  # TRL logs the rewards with the step that generated them


def test_too_few_dialogues_for_a_generation_round_is_a_clear_error(tmp_path, tiny_model, datasets):
    """One dialogue row, and a round that takes two distinct prompts (4 rollouts in groups of 2): TRL would train 0 steps."""
    from trainer.job import JobError

    job = parse_job({
        "type": "grpo", "base_model": tiny_model, "datasets": {"train": datasets["dialogue"]}, "output_dir": "out", "reward_spec": SPEC,
        "hyperparameters": {"rollout": "dialogue", "max_steps": 2, "per_device_train_batch_size": 2, "num_generations": 2, "steps_per_generation": 2},
    }, str(tmp_path))
    with pytest.raises(JobError, match=r"datasets.train: 1 row\(s\), fewer than the 2 distinct prompts a generation round takes"):
        run_job(job)


def test_single_turn_rows_are_refused_before_the_model_loads(tmp_path, tiny_model, datasets, monkeypatch):
    """rollout=dialogue on single-turn RL rows: the rows' error comes before any model is loaded."""
    import trainer.train as train
    from trainer.job import JobError

    def no_load(job):
        raise AssertionError("the model was loaded before the rows were checked")

    monkeypatch.setattr(train, "_load_model_and_tokenizer", no_load)
    job = parse_job({
        "type": "grpo", "base_model": tiny_model, "datasets": {"train": datasets["rl"]}, "output_dir": "out", "reward_spec": SPEC,
        "hyperparameters": {"rollout": "dialogue", "per_device_train_batch_size": 2, "num_generations": 2},
    }, str(tmp_path))
    with pytest.raises(JobError, match="rollout=dialogue needs dialogue rows"):
        run_job(job)
