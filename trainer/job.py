"""The job file (``job.json``): parsing and validation with messages that name the field.

A job is::

    {
      "type": "sft" | "grpo",
      "base_model": "<local path or model id>",
      "tokenizer": "<optional path; default: base_model>",
      "datasets": {"train": "data/train.jsonl", "validation": "data/train.val.jsonl"},
      "output_dir": "out",
      "hyperparameters": {...},           # see HYPERPARAMETERS
      "lora": {"r": 8, "alpha": 16, "dropout": 0.05, "target_modules": "all-linear"},
      "reward_spec": {...},               # grpo: the rewards YAML as JSON
      "judge": {"base_url": "...", "model": "...", "api_key_env": "JUDGE_API_KEY"}
    }

Relative paths are resolved against the job file's folder. Secrets are never in the job: the
judge's key is read from the environment variable the job names.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

JOB_TYPES = ("sft", "grpo")
TOP_LEVEL = ("type", "base_model", "tokenizer", "datasets", "output_dir", "hyperparameters", "lora", "reward_spec", "judge", "name")

# name -> (python type(s), default, what is allowed)
HYPERPARAMETERS: dict[str, tuple[tuple[type, ...], Any, str]] = {
    "learning_rate": ((int, float), 1e-5, "a positive number"),
    "num_train_epochs": ((int, float), 1, "a positive number"),
    "max_steps": ((int,), -1, "a whole number (-1: run the epochs)"),
    "per_device_train_batch_size": ((int,), 2, "a whole number >= 1"),
    "gradient_accumulation_steps": ((int,), 1, "a whole number >= 1"),
    "max_length": ((int,), 1024, "a whole number >= 8 (SFT: tokens per sample)"),
    "max_completion_length": ((int,), 256, "a whole number >= 1 (GRPO: tokens generated)"),
    "num_generations": ((int,), 4, "a whole number >= 2 (GRPO: completions per prompt)"),
    "temperature": ((int, float), 1.0, "a positive number"),
    "beta": ((int, float), 0.0, "a number >= 0 (GRPO: KL coefficient)"),
    "logging_steps": ((int,), 1, "a whole number >= 1"),
    "save_steps": ((int,), 0, "a whole number >= 0 (0: save only at the end)"),
    "warmup_ratio": ((int, float), 0.0, "a number in [0, 1)"),
    "seed": ((int,), 42, "a whole number"),
    "bf16": ((bool,), False, "true or false"),
    "gradient_checkpointing": ((bool,), False, "true or false"),
}
POSITIVE = {"learning_rate", "num_train_epochs", "temperature", "per_device_train_batch_size", "gradient_accumulation_steps", "logging_steps", "max_completion_length"}
LORA_KEYS = {"r": (int,), "alpha": (int, float), "dropout": (int, float), "target_modules": (str, list)}
JUDGE_KEYS = ("base_url", "model", "api_key_env", "timeout_s", "max_retries")


class JobError(ValueError):
    """A problem in the job file: the message says which field and what is allowed."""


@dataclass
class Job:
    type: str
    base_model: str
    tokenizer: str
    train_file: str
    validation_file: str | None
    output_dir: str
    hyperparameters: dict[str, Any]
    lora: dict[str, Any] | None
    reward_spec: dict[str, Any] | None
    judge: dict[str, Any] | None
    name: str = "userlm-job"
    raw: dict[str, Any] = field(default_factory=dict)

    def resolved(self) -> dict[str, Any]:
        """The job as it will run (defaults filled, paths absolute): written to resolved_job.json."""
        return {
            "type": self.type,
            "name": self.name,
            "base_model": self.base_model,
            "tokenizer": self.tokenizer,
            "datasets": {"train": self.train_file, "validation": self.validation_file},
            "output_dir": self.output_dir,
            "hyperparameters": self.hyperparameters,
            "lora": self.lora,
            "reward_spec": self.reward_spec,
            "judge": self.judge,
        }


def _fail(where: str, what: str) -> None:
    raise JobError(f"job: {where}: {what}")


def _resolve(base_dir: str, p: str) -> str:
    return p if os.path.isabs(p) else os.path.normpath(os.path.join(base_dir, p))


def _model_ref(base_dir: str, p: str, where: str) -> str:
    """A path-looking value (./x, /x, ~/x) or an existing folder is local and must exist; else a model id."""
    if p.startswith((".", "/", "~")):
        local = _resolve(base_dir, os.path.expanduser(p))
        if not os.path.isdir(local):
            _fail(where, f"no such model folder: {local} (give a local folder with config.json, or a model id the cluster can load)")
        return local
    candidate = _resolve(base_dir, p)
    return candidate if os.path.isdir(candidate) else p


def load_job(path: str) -> Job:
    try:
        with open(path, encoding="utf-8") as f:
            raw = json.load(f)
    except FileNotFoundError:
        raise JobError(f"job: cannot read {path}: no such file") from None
    except json.JSONDecodeError as e:
        raise JobError(f"job: {path}:{e.lineno}:{e.colno}: not valid JSON ({e.msg})") from None
    return parse_job(raw, os.path.dirname(os.path.abspath(path)))


def parse_job(raw: Any, base_dir: str) -> Job:
    if not isinstance(raw, dict):
        _fail("(top level)", "must be a JSON object")
    for k in raw:
        if k not in TOP_LEVEL:
            _fail(k, f"unknown field; allowed: {', '.join(TOP_LEVEL)}")
    jtype = raw.get("type")
    if jtype not in JOB_TYPES:
        _fail("type", f"must be one of {' | '.join(JOB_TYPES)}, got {json.dumps(jtype)}")
    base_model = raw.get("base_model")
    if not isinstance(base_model, str) or not base_model.strip():
        _fail("base_model", "must be a local path or a model id (a non-empty string)")
    base_model = _model_ref(base_dir, base_model, "base_model")
    tokenizer = raw.get("tokenizer")
    if tokenizer is None:
        tokenizer = base_model
    elif not isinstance(tokenizer, str) or not tokenizer:
        _fail("tokenizer", "must be a path or model id (a string)")
    else:
        tokenizer = _model_ref(base_dir, tokenizer, "tokenizer")

    ds = raw.get("datasets")
    if not isinstance(ds, dict):
        _fail("datasets", 'must be an object like {"train": "data/train.jsonl", "validation": "..."}')
    for k in ds:
        if k not in ("train", "validation"):
            _fail(f"datasets.{k}", "unknown field; allowed: train, validation")
    if not isinstance(ds.get("train"), str):
        _fail("datasets.train", "must be the path of a JSONL file")
    train = _resolve(base_dir, ds["train"])
    if not os.path.isfile(train):
        _fail("datasets.train", f"file not found: {train}")
    val = ds.get("validation")
    if val is not None:
        if not isinstance(val, str):
            _fail("datasets.validation", "must be the path of a JSONL file")
        val = _resolve(base_dir, val)
        if not os.path.isfile(val):
            _fail("datasets.validation", f"file not found: {val}")

    out = raw.get("output_dir")
    if not isinstance(out, str) or not out:
        _fail("output_dir", "must be a folder path (a string)")
    output_dir = _resolve(base_dir, out)

    hp_raw = raw.get("hyperparameters", {})
    if not isinstance(hp_raw, dict):
        _fail("hyperparameters", "must be an object")
    hp: dict[str, Any] = {}
    for k, v in hp_raw.items():
        if k not in HYPERPARAMETERS:
            _fail(f"hyperparameters.{k}", f"unknown hyperparameter; allowed: {', '.join(HYPERPARAMETERS)}")
        types, _, allowed = HYPERPARAMETERS[k]
        if isinstance(v, bool) and bool not in types or not isinstance(v, types):
            _fail(f"hyperparameters.{k}", f"must be {allowed}, got {json.dumps(v)}")
        if k in POSITIVE and v <= 0:
            _fail(f"hyperparameters.{k}", f"must be {allowed}, got {json.dumps(v)}")
        hp[k] = v
    for k, (_, default, _) in HYPERPARAMETERS.items():
        hp.setdefault(k, default)
    if hp["num_generations"] < 2:
        _fail("hyperparameters.num_generations", "must be >= 2 (GRPO compares completions within a group)")

    lora = raw.get("lora")
    if lora is not None:
        if not isinstance(lora, dict):
            _fail("lora", 'must be an object like {"r": 8, "alpha": 16} or null')
        for k, v in lora.items():
            if k not in LORA_KEYS:
                _fail(f"lora.{k}", f"unknown field; allowed: {', '.join(LORA_KEYS)}")
            if isinstance(v, bool) or not isinstance(v, LORA_KEYS[k]):
                _fail(f"lora.{k}", f"has the wrong type, got {json.dumps(v)}")
        lora = {"r": 8, "alpha": 16, "dropout": 0.05, "target_modules": "all-linear", **lora}

    spec = raw.get("reward_spec")
    if jtype == "grpo":
        from .rewards import SpecError, validate_spec  # local import: keeps job parsing light

        if spec is None:
            _fail("reward_spec", "a grpo job needs the reward spec (the rewards YAML as JSON)")
        try:
            validate_spec(spec, "reward_spec")
        except SpecError as e:
            raise JobError(str(e)) from None
    judge = raw.get("judge")
    if judge is not None:
        if not isinstance(judge, dict):
            _fail("judge", 'must be an object like {"base_url": "http://...", "model": "...", "api_key_env": "VAR"}')
        for k in judge:
            if k not in JUDGE_KEYS:
                _fail(f"judge.{k}", f"unknown field; allowed: {', '.join(JUDGE_KEYS)} (the key itself never goes in the job)")
        for k in ("base_url", "model"):
            if not isinstance(judge.get(k), str) or not judge[k]:
                _fail(f"judge.{k}", "must be a non-empty string")
        if not judge["base_url"].startswith(("http://", "https://")):
            _fail("judge.base_url", f"must start with http:// or https://, got {json.dumps(judge['base_url'])}")
    name = raw.get("name", "userlm-job")
    if not isinstance(name, str):
        _fail("name", "must be a string")
    return Job(jtype, base_model, tokenizer, train, val, output_dir, hp, lora, spec, judge, name, raw)
