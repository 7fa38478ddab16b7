"""The job file (``job.json``): parsing and validation with messages that name the field.

A job is::

    {
      "type": "sft" | "grpo",
      "base_model": "<local path or model id>",
      "tokenizer": "<optional path; default: base_model>",
      "datasets": {"train": "data/train.jsonl", "validation": "data/train.val.jsonl"},
      "output_dir": "out",                 # this job's own artifacts: a folder or a storage URI (s3://...)
      "hyperparameters": {...},           # schemas/hyperparameters.schema.json (lora, dtype, rollout, ...)
      "lora": {"r": 8, ...},              # older place for hyperparameters.lora (merged into it)
      "reward_spec": {...},               # grpo: the rewards YAML as JSON
      "judge": {"base_url": "...", "model": "...", "api_key_env": "JUDGE_API_KEY"},
      "agent": {"base_url": "...", "model": "...", "api_key_env": "..."},   # multi-turn GRPO, agent=endpoint
      "resume_from": "<artifacts of an earlier job>",   # continue from its last checkpoint
      "resources": {"gpus": 1, "cpus": 8}                # asked from Ray per worker (with --ray)
    }

Relative paths are resolved against the job file's folder. Secrets are never in the job: the
judge's key is read from the environment variable the job names.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from .errors import JobError
from .hparams import check_hyperparameters

__all__ = ["Job", "JobError", "load_job", "parse_job", "is_uri"]

JOB_TYPES = ("sft", "grpo")
TOP_LEVEL = ("type", "base_model", "tokenizer", "datasets", "output_dir", "hyperparameters", "lora", "reward_spec", "judge", "agent",
             "resume_from", "resources", "name")
LORA_KEYS = {"r": (int,), "alpha": (int, float), "dropout": (int, float), "target_modules": (str, list)}
ENDPOINT_KEYS = ("base_url", "model", "api_key_env", "timeout_s", "max_retries")
RESOURCE_KEYS = ("cpus", "gpus")


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
    agent: dict[str, Any] | None = None
    resume_from: str | None = None
    resources: dict[str, float] = field(default_factory=dict)

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
            "agent": self.agent,
            "resume_from": self.resume_from,
            "resources": self.resources,
        }


def _fail(where: str, what: str) -> None:
    raise JobError(f"job: {where}: {what}")


def is_uri(p: str) -> bool:
    """A storage URI (s3://, gs://, file://, ...) rather than a path."""
    return "://" in p and p.split("://", 1)[0].replace("+", "").replace("-", "").replace(".", "").isalnum()


def _resolve(base_dir: str, p: str) -> str:
    if is_uri(p):
        return p
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
    lora_top = raw.get("lora")
    if lora_top is not None:  # the older place for the LoRA settings: merged into hyperparameters.lora
        if not isinstance(lora_top, dict):
            _fail("lora", 'must be an object like {"r": 8, "alpha": 16} or null')
        for k, v in lora_top.items():
            if k not in LORA_KEYS:
                _fail(f"lora.{k}", f"unknown field; allowed: {', '.join(LORA_KEYS)}")
            if isinstance(v, bool) or not isinstance(v, LORA_KEYS[k]):
                _fail(f"lora.{k}", f"has the wrong type, got {json.dumps(v)}")
        hp_raw = {**hp_raw, "lora": lora_top}
    hp = check_hyperparameters(hp_raw, jtype)
    lora = hp["lora"]

    spec = raw.get("reward_spec")
    if jtype == "grpo":
        from .rewards.spec import SpecError, validate_spec  # local import: keeps job parsing light

        if spec is None:
            _fail("reward_spec", "a grpo job needs the reward spec (the rewards YAML as JSON)")
        try:
            validate_spec(spec, "reward_spec")
        except SpecError as e:
            raise JobError(str(e)) from None
    judge = _endpoint(raw, "judge")
    agent = _endpoint(raw, "agent")
    if jtype == "grpo" and hp["rollout"] == "dialogue" and hp["agent"] == "endpoint" and agent is None:
        _fail("agent", "hyperparameters.agent is endpoint: the job needs the agent endpoint {base_url, model, api_key_env?}")
    resume_from = raw.get("resume_from")
    if resume_from is not None:
        if not isinstance(resume_from, str) or not resume_from:
            _fail("resume_from", "must be the artifacts folder (or storage URI) of an earlier job")
        resume_from = _resolve(base_dir, resume_from)
    resources = raw.get("resources") or {}
    if not isinstance(resources, dict):
        _fail("resources", 'must be an object like {"gpus": 1, "cpus": 8}')
    for k, v in resources.items():
        if k not in RESOURCE_KEYS:
            _fail(f"resources.{k}", f"unknown field; allowed: {', '.join(RESOURCE_KEYS)}")
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
            _fail(f"resources.{k}", f"must be a number >= 0, got {json.dumps(v)}")
    name = raw.get("name", "userlm-job")
    if not isinstance(name, str):
        _fail("name", "must be a string")
    return Job(jtype, base_model, tokenizer, train, val, output_dir, hp, lora, spec, judge, name, raw, agent, resume_from, dict(resources))


def _endpoint(raw: dict, key: str) -> dict | None:
    """An OpenAI-compatible endpoint (judge, agent): base_url, model and the NAME of the key's variable."""
    ep = raw.get(key)
    if ep is None:
        return None
    if not isinstance(ep, dict):
        _fail(key, 'must be an object like {"base_url": "http://...", "model": "...", "api_key_env": "VAR"}')
    for k in ep:
        if k not in ENDPOINT_KEYS:
            _fail(f"{key}.{k}", f"unknown field; allowed: {', '.join(ENDPOINT_KEYS)} (the key itself never goes in the job)")
    for k in ("base_url", "model"):
        if not isinstance(ep.get(k), str) or not ep[k]:
            _fail(f"{key}.{k}", "must be a non-empty string")
    if not ep["base_url"].startswith(("http://", "https://")):
        _fail(f"{key}.base_url", f"must start with http:// or https://, got {json.dumps(ep['base_url'])}")
    return ep
