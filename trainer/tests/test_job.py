"""Job file parsing: every bad field gives a message naming it and what is allowed."""

import json
import os

import pytest

from trainer.__main__ import main
from trainer.job import JobError, load_job, parse_job

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def base_job(tmp_path, **over):
    (tmp_path / "train.jsonl").write_text('{"messages": []}\n')
    job = {"type": "sft", "base_model": "Qwen/Qwen3-0.6B", "datasets": {"train": "train.jsonl"}, "output_dir": "out"}
    job.update(over)
    return job


def test_valid_job_fills_defaults_and_resolves_paths(tmp_path):
    job = parse_job(base_job(tmp_path), str(tmp_path))
    assert job.type == "sft"
    assert job.base_model == "Qwen/Qwen3-0.6B"  # a model id stays an id
    assert job.train_file == str(tmp_path / "train.jsonl")
    assert job.output_dir == str(tmp_path / "out")
    assert job.hyperparameters["learning_rate"] == 1e-5 and job.hyperparameters["num_generations"] == 4
    assert job.resolved()["datasets"]["validation"] is None
    # every default comes from schemas/hyperparameters.schema.json, the file the CLI and the editor check against
    with open(os.path.join(ROOT, "schemas", "hyperparameters.schema.json"), encoding="utf-8") as f:
        props = json.load(f)["properties"]
    for k, p in props.items():
        if "default" in p and k != "lora":
            assert job.hyperparameters[k] == p["default"], k
    assert job.hyperparameters["lora"] is None and "max_length" not in job.hyperparameters


def test_lora_true_takes_the_default_settings_and_the_older_lora_field_merges(tmp_path):
    job = parse_job(base_job(tmp_path, hyperparameters={"lora": True}), str(tmp_path))
    assert job.lora == {"r": 8, "alpha": 16, "dropout": 0.05, "target_modules": "all-linear"}
    job = parse_job(base_job(tmp_path, lora={"r": 4}), str(tmp_path))
    assert job.lora["r"] == 4 and job.lora["alpha"] == 16


@pytest.mark.parametrize("over, needle", [
    ({"type": "ppo"}, "type: must be one of sft | grpo"),
    ({"base_model": ""}, "base_model"),
    ({"base_model": "./no-such-model"}, "base_model: no such model folder"),
    ({"datasets": {"train": "missing.jsonl"}}, "datasets.train: file not found"),
    ({"datasets": {"train": "train.jsonl", "test": "x"}}, "datasets.test: unknown field; allowed: train, validation"),
    ({"hyperparameters": {"learning_rte": 1}}, "hyperparameters.learning_rte: unknown hyperparameter"),
    ({"hyperparameters": {"learning_rate": -1}}, "hyperparameters.learning_rate: must be > 0, got -1"),
    ({"hyperparameters": {"dtype": "fp8"}}, 'hyperparameters.dtype: must be one of "auto" | "float32" | "bfloat16" | "float16", got "fp8"'),
    ({"hyperparameters": {"scale_rewards": "max"}}, 'hyperparameters.scale_rewards: must be one of "group" | "batch" | "none", got "max"'),
    ({"hyperparameters": {"dialogue_history": "full"}}, 'hyperparameters.dialogue_history: must be one of "spoken" | "written", got "full"'),
    ({"hyperparameters": {"turn_credit": "turn"}}, 'hyperparameters.turn_credit: must be one of "to_go" | "total", got "turn"'),
    ({"hyperparameters": {"dialogue_history": "written", "turn_credit": "to_go"}}, "hyperparameters.turn_credit: to_go credits the one turn a rollout trains"),
    ({"hyperparameters": {"lora": "yes"}}, "hyperparameters.lora: must be true, false or {r, alpha, dropout, target_modules}"),
    ({"hyperparameters": {"lora": {"rank": 8}}}, "hyperparameters.lora.rank: unknown field"),
    ({"hyperparameters": {"load_in_4bit": True}}, "hyperparameters.load_in_4bit: a 4-bit model cannot be trained directly; add lora=true"),
    ({"hyperparameters": {"strategy": "fsdp"}}, "hyperparameters.strategy: fsdp needs num_workers >= 2"),
    ({"hyperparameters": {"num_workers": 2}}, "hyperparameters.num_workers: several workers need a strategy"),
    ({"hyperparameters": {"vllm": "colocate"}}, "hyperparameters.vllm: only GRPO generates"),
    ({"hyperparameters": {"rollout": "dialogue"}}, "hyperparameters.rollout: dialogue rollouts are for GRPO jobs"),
    ({"hyperparameters": {"max_steps": True}}, "hyperparameters.max_steps: must be a whole number, got true"),
    ({"resources": {"gpus": -1}}, "resources.gpus: must be a number >= 0"),
    ({"agent": {"base_url": "http://x", "model": "m", "api_key": "sk-1"}}, "agent.api_key: unknown field"),
    ({"hyperparameters": {"max_steps": 1.5}}, "hyperparameters.max_steps: must be a whole number"),
    ({"hyperparameters": {"bf16": "yes"}}, "hyperparameters.bf16: must be true or false"),
    ({"lora": {"rank": 8}}, "lora.rank: unknown field"),
    ({"judge": {"base_url": "ftp://x", "model": "m"}}, "judge.base_url: must start with http"),
    ({"judge": {"base_url": "http://x", "model": "m", "api_key": "sk-123"}}, "judge.api_key: unknown field"),
    ({"type": "grpo"}, "reward_spec: a grpo job needs the reward spec"),
    ({"type": "grpo", "reward_spec": {"components": [{"name": "formatt", "kind": "rule"}]}}, "reward_spec.components[0].name: 'formatt' is not a rule"),
    ({"type": "grpo", "reward_spec": {"components": [{"name": "mine", "kind": "judge"}]}}, "needs a rubric"),
    ({"extra": 1}, "extra: unknown field"),
])
def test_bad_fields_are_named(tmp_path, over, needle):
    with pytest.raises(JobError) as e:
        parse_job(base_job(tmp_path, **over), str(tmp_path))
    assert needle in str(e.value)


def test_bad_json_names_line(tmp_path):
    p = tmp_path / "job.json"
    p.write_text('{"type": "sft",\n "base_model": }')
    with pytest.raises(JobError, match=r"job.json:2:\d+: not valid JSON"):
        load_job(str(p))


def test_cli_exit_codes(tmp_path, capsys):
    p = tmp_path / "job.json"
    p.write_text(json.dumps(base_job(tmp_path)))
    assert main(["--job", str(p), "--check"]) == 0
    p.write_text(json.dumps(base_job(tmp_path, type="ppo")))
    assert main(["--job", str(p)]) == 2
    captured = capsys.readouterr()
    assert '"event": "error"' in captured.out and "type: must be one of" in captured.err
