"""Tiny SFT and GRPO runs in-process on CPU: progress lines, metrics per reward component, artifacts."""

import json
import os

import pytest

from trainer.job import parse_job
from trainer.rewards.grpo import grpo_components
from trainer.train import run_job

SPEC = {
    "kind": "rewards",
    "components": [
        {"name": "format", "kind": "rule", "weight": 1},
        {"name": "sections", "kind": "rule", "weight": 1},
        {"name": "rationale_length", "kind": "rule", "weight": 0.5, "params": {"min_tokens": 5, "max_tokens": 100}},
        {"name": "grounding", "kind": "rule", "weight": 0.5},
        {"name": "state_validity", "kind": "rule", "weight": 0.5},
        {"name": "disclosure", "kind": "rule"},
        {"name": "resistance", "kind": "rule", "weight": 1.5},
        {"name": "termination", "kind": "rule", "level": "session"},
        {"name": "persona_consistency", "kind": "judge", "rubric": "Does the user stay in character?"},
        {"name": "robotic_tone", "kind": "judge", "weight": 0.5, "rubric": "How robotic? 10 = very."},
        {"name": "goal_progress", "kind": "judge", "level": "session", "rubric": "Goals pursued?"},
    ],
}


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_sft_tiny_with_lora(tmp_path, tiny_model, datasets, capsys):
    job = parse_job({
        "type": "sft", "base_model": tiny_model, "datasets": {"train": datasets["sft"], "validation": datasets["sft"]},
        "output_dir": "out", "hyperparameters": {"max_steps": 3, "per_device_train_batch_size": 2, "learning_rate": 1e-3, "max_length": 256},
        "lora": {"r": 4, "alpha": 8},
    }, str(tmp_path))
    summary = run_job(job)
    out = tmp_path / "out"
    assert summary["global_step"] == 3 and summary["artifact"] == "adapter"
    assert (out / "adapter_model.safetensors").exists() and (out / "adapter_config.json").exists()
    assert json.loads((out / "resolved_job.json").read_text())["lora"]["r"] == 4
    metrics = read_lines(out / "metrics.jsonl")
    steps = [m for m in metrics if "loss" in m]
    assert [m["step"] for m in steps] == [1, 2, 3]
    assert all(m["loss"] > 0 and "learning_rate" in m for m in steps)
    assert any("tokens_per_s" in m for m in steps)
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert [p for p in printed if "loss" in p and p.get("userlm_progress")] == steps


def test_grpo_tiny_every_component_logged_and_judged(tmp_path, tiny_model, datasets, judge_server):
    # No gates here: the tiny model's random text fails `format`, and a failed gate would zero every
    # component (test_gated_turn_scores_zero_everywhere); this test is about each component's value.
    job = parse_job({
        "type": "grpo", "base_model": tiny_model, "datasets": {"train": datasets["rl"]}, "output_dir": "out",
        "hyperparameters": {"max_steps": 2, "per_device_train_batch_size": 2, "num_generations": 2, "max_completion_length": 12, "learning_rate": 1e-4},
        "reward_spec": {**SPEC, "aggregate": {**(SPEC.get("aggregate") or {}), "gates": []}},
        "judge": {"base_url": judge_server.url, "model": "judge-model", "api_key_env": "USERLM_TEST_JUDGE_KEY"},
    }, str(tmp_path))
    summary = run_job(job)
    out = tmp_path / "out"
    used, skipped = grpo_components(SPEC)
    assert [c["name"] for c in skipped] == ["goal_progress"]
    assert summary["components"] == [c["name"] for c in used]
    assert summary["skipped"] == {"goal_progress": "session-level judge: needs a whole dialogue"}
    assert (out / "model.safetensors").exists() and (out / "summary.json").exists()
    metrics = [m for m in read_lines(out / "metrics.jsonl") if "reward" in m]
    assert len(metrics) == 2
    for m in metrics:
        for c in used:
            assert f"reward/{c['name']}" in m, f"missing reward/{c['name']} in {m}"
        # the judge scored 7/10 -> (7-1)/9; robotic_tone is inverted
        assert m["reward/persona_consistency"] == pytest.approx(6 / 9, abs=1e-6)
        assert m["reward/robotic_tone"] == pytest.approx(1 - 6 / 9, abs=1e-6)
        assert m["reward/resistance"] == 1.0  # random text concedes nothing
    # the judge was called with the key from the named variable, and the prompt carries the rubric
    assert judge_server.requests and all(r["auth"] == "Bearer sk-test-judge-secret-123" for r in judge_server.requests)
    assert "CRITERION: Does the user stay in character?" in judge_server.requests[0]["body"]["messages"][1]["content"]
    # the key is in no artifact
    for name in os.listdir(out):
        p = out / name
        if p.is_file():
            assert b"sk-test-judge-secret-123" not in p.read_bytes(), name


def test_grpo_batch_must_fit_generations(tmp_path, tiny_model, datasets):
    from trainer.job import JobError

    with pytest.raises(JobError, match="must be a multiple of num_generations"):
        parse_job({
            "type": "grpo", "base_model": tiny_model, "datasets": {"train": datasets["rl"]}, "output_dir": "out",
            "hyperparameters": {"per_device_train_batch_size": 3, "num_generations": 2}, "reward_spec": SPEC,
        }, str(tmp_path))
    with pytest.raises(JobError, match=r"per_device_train_batch_size × steps_per_generation \(2 × 1\) must be a multiple of num_generations \(4\)"):
        parse_job({
            "type": "grpo", "base_model": tiny_model, "datasets": {"train": datasets["rl"]}, "output_dir": "out",
            "hyperparameters": {"per_device_train_batch_size": 2, "gradient_accumulation_steps": 2, "steps_per_generation": 1,
                                "num_generations": 4}, "reward_spec": SPEC,
        }, str(tmp_path))


def test_sft_max_length_too_small_is_a_clear_error(tmp_path, tiny_model, datasets):
    from trainer.job import JobError

    job = parse_job({"type": "sft", "base_model": tiny_model, "datasets": {"train": datasets["sft"]}, "output_dir": "out",
                     "hyperparameters": {"max_steps": 1, "max_length": 8}}, str(tmp_path))
    with pytest.raises(JobError, match="no training sample fits in 8 tokens"):
        run_job(job)


def test_grpo_without_judge_uses_rules_with_normalised_weights(tmp_path, tiny_model, datasets):
    from trainer.rewards.grpo import reward_functions

    funcs, weights, skipped = reward_functions(SPEC, None)
    assert [f.__name__ for f in funcs] == ["format", "sections", "rationale_length", "grounding", "state_validity", "disclosure", "resistance", "termination"]
    assert abs(sum(weights) - 1) < 1e-12 and weights[0] == 1 / 7  # rule weights 1+1+.5+.5+.5+1+1.5+1 = 7
    assert {c["name"]: c["reason"] for c in skipped} == {
        "persona_consistency": "no judge configured", "robotic_tone": "no judge configured", "goal_progress": "session-level judge: needs a whole dialogue"}
    job = parse_job({
        "type": "grpo", "base_model": tiny_model, "datasets": {"train": datasets["rl"]}, "output_dir": "out",
        "hyperparameters": {"max_steps": 1, "per_device_train_batch_size": 2, "num_generations": 2, "max_completion_length": 8},
        "reward_spec": SPEC,
    }, str(tmp_path))
    run_job(job)
    m = [x for x in read_lines(tmp_path / "out" / "metrics.jsonl") if "reward" in x][0]
    expected = sum(w * m[f"reward/{f.__name__}"] for f, w in zip(funcs, weights))
    assert abs(m["reward"] - expected) < 1e-5  # TRL's weighted sum is the spec's weighted mean
    assert "reward/persona_consistency" not in m


def test_gated_turn_scores_zero_everywhere(datasets):
    """A sampled turn that fails a gate (default: format) scores 0 on every component, judges
    included, and is never sent to the judge; a well-formed turn is judged as usual."""
    from trainer.rewards.grpo import reward_functions

    row = read_lines(datasets["rl"])[0]
    calls = []

    def judge(name, prompt, key):
        calls.append(name)
        return '{"score": 7}'

    funcs, _, _ = reward_functions(SPEC, judge)
    ctx = json.dumps(row["context"])
    gated = {f.__name__: f([row["prompt"]], ["no tags at all, I'll take it"], [ctx])[0] for f in funcs}
    assert gated["format"] == 0.0 and gated["persona_consistency"] == 0.0 and gated["robotic_tone"] == 0.0
    assert all(v in (0.0, None) for v in gated.values()), gated
    assert calls == []
    ok = "<think>Agent intent: pressure. Plan: refuse.</think><answer>No, I won't decide today.</answer>"
    judged = {f.__name__: f([row["prompt"]], [ok], [ctx])[0] for f in funcs}
    assert judged["format"] == 1.0 and judged["persona_consistency"] > 0 and calls


def test_single_turn_rewards_read_the_tags_from_the_ids(tiny_model, datasets):
    """TRL hands the reward functions text decoded with skip_special_tokens=True: with a tokenizer whose
    <think>/<answer> are special tokens (the tiny one's are), the tags are gone and format scores 0.
    With the job's decoder the functions read the turn from its ids, tags and all."""
    from transformers import AutoTokenizer

    from trainer.decode import end_ids, turn_decoder
    from trainer.rewards.grpo import reward_functions

    tok = AutoTokenizer.from_pretrained(tiny_model)
    row = read_lines(datasets["rl"])[0]
    ctx = json.dumps(row["context"])
    ok = "<think>Agent intent: pressure. Plan: refuse.</think><answer>No, I won't decide today.</answer>"
    ids = tok(ok, add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
    trl_text = tok.decode(ids, skip_special_tokens=True)
    assert "<answer>" not in trl_text and "decide today" in trl_text

    def format_of(decode):
        fn = next(f for f in reward_functions(SPEC, None, decode)[0] if f.__name__ == "format")
        return fn([row["prompt"]], [trl_text], [ctx], completion_ids=[ids])

    assert format_of(None) == [0.0]
    assert format_of(turn_decoder(tok, end_ids(tok))) == [1.0]


@pytest.mark.parametrize("value", [False, True])
def test_gradient_checkpointing_is_what_the_job_says(tmp_path, tiny_model, datasets, value):
    """TRL's configs turn gradient checkpointing on by default; the job's value (the schema's default: false) wins."""
    from trl import GRPOConfig, SFTConfig

    from trainer.train import _common_args

    for kind, config, data in (("sft", SFTConfig, "sft"), ("grpo", GRPOConfig, "rl")):
        job = parse_job({"type": kind, "base_model": tiny_model, "datasets": {"train": datasets[data]}, "output_dir": "out",
                         **({"reward_spec": SPEC} if kind == "grpo" else {}),
                         "hyperparameters": {} if value is False else {"gradient_checkpointing": True}}, str(tmp_path))
        extra = {"num_generations": job.hyperparameters["num_generations"]} if kind == "grpo" else {}
        assert config(**_common_args(job, str(tmp_path / kind)), **extra).gradient_checkpointing is value
