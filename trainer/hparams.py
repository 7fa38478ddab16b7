"""The hyperparameters, checked against ``schemas/hyperparameters.schema.json``: the schema the CLI
and the editor check before uploading (the job package carries a copy at the same path).

``check_hyperparameters(raw, job_type)`` returns them with the schema's defaults filled in, or
raises JobError naming the hyperparameter and what is allowed.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any

from .errors import JobError

SCHEMA_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "schemas", "hyperparameters.schema.json")
LORA_DEFAULTS = {"r": 8, "alpha": 16, "dropout": 0.05, "target_modules": "all-linear"}


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    try:
        with open(SCHEMA_PATH, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise JobError(f"job: hyperparameters: the schema {SCHEMA_PATH} is missing (the job package carries it as schemas/hyperparameters.schema.json)") from None


def _describe(error, raw: dict[str, Any]) -> str:
    path = list(error.absolute_path)
    where = ".".join(["hyperparameters", *map(str, path)])
    got = f", got {json.dumps(error.instance)}"
    kw, val = error.validator, error.validator_value
    if kw == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        allowed = ", ".join(error.schema.get("properties", {}))
        return f"{where}.{extra[0]}: unknown {'field' if path else 'hyperparameter'}; allowed: {allowed}"
    if kw == "enum":
        return f"{where}: must be one of {' | '.join(json.dumps(v) for v in val)}{got}"
    if kw == "type":
        return f"{where}: must be {'a whole number' if val == 'integer' else 'true or false' if val == 'boolean' else 'a ' + str(val)}{got}"
    if kw in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        op = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}[kw]
        return f"{where}: must be {op} {val}{got}"
    if kw == "oneOf" and path == ["lora"]:
        return f"{where}: must be true, false or {{r, alpha, dropout, target_modules}}{got}"
    return f"{where}: {error.message}"


def check_hyperparameters(raw: Any, job_type: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise JobError("job: hyperparameters: must be an object")
    from jsonschema import Draft7Validator

    s = schema()
    validator = Draft7Validator(s)
    # jsonschema treats True as an integer; the schema means a number, so booleans are refused first.
    for k, v in raw.items():
        t = s["properties"].get(k, {}).get("type")
        if isinstance(v, bool) and t in ("integer", "number"):
            raise JobError(f"job: hyperparameters.{k}: must be {'a whole number' if t == 'integer' else 'a number'}, got {json.dumps(v)}")
    errors = sorted(validator.iter_errors(raw), key=lambda e: (list(e.absolute_path), e.validator))
    if errors:
        best = next((e for e in errors if not (list(e.absolute_path) == ["lora"] and e.validator == "type")), errors[0])
        if best.validator == "oneOf":  # lora given as an object: the object branch's own error says more
            inner = [c for c in best.context or [] if c.validator != "type"]
            best = inner[0] if inner else best
        raise JobError("job: " + _describe(best, raw))
    hp = {k: v for k, v in raw.items()}
    for k, prop in s["properties"].items():
        if k not in hp and "default" in prop:
            hp[k] = prop["default"]
    lora = hp.get("lora")
    hp["lora"] = None if lora is False or lora is None else {**LORA_DEFAULTS, **(lora if isinstance(lora, dict) else {})}
    _cross_checks(hp, job_type)
    if raw.get("turn_credit") == "to_go" and hp["dialogue_history"] == "written":
        raise JobError("job: hyperparameters.turn_credit: to_go credits the one turn a rollout trains (dialogue_history=spoken); "
                       "written trains every turn with the dialogue's total")
    return hp


def generation_round(hp: dict[str, Any]) -> tuple[str, int]:
    """GRPO's optimizer steps per generation round (TRL's generation batch is per_device_train_batch_size × workers ×
    these) and the setting they come from: steps_per_generation, else gradient_accumulation_steps."""
    setting = "steps_per_generation" if hp.get("steps_per_generation") else "gradient_accumulation_steps"
    return setting, hp[setting]


def _cross_checks(hp: dict[str, Any], job_type: str) -> None:
    def fail(where: str, what: str) -> None:
        raise JobError(f"job: {where}: {what}")

    per_round, steps = generation_round(hp)
    if job_type == "grpo" and (hp["per_device_train_batch_size"] * steps) % hp["num_generations"]:
        fail("hyperparameters", f"per_device_train_batch_size × {per_round} "
             f"({hp['per_device_train_batch_size']} × {steps}) must be a multiple of num_generations ({hp['num_generations']})")
    if hp["load_in_4bit"] and not hp["lora"]:
        fail("hyperparameters.load_in_4bit", "a 4-bit model cannot be trained directly; add lora=true (QLoRA)")
    if hp["vllm"] == "server" and not hp.get("vllm_server_base_url"):
        fail("hyperparameters.vllm_server_base_url", "needed with vllm=server (the `trl vllm-serve` address)")
    if hp["vllm"] != "off" and job_type != "grpo":
        fail("hyperparameters.vllm", f"only GRPO generates (this is a {job_type} job)")
    if hp["strategy"] != "none" and hp["num_workers"] < 2:
        fail("hyperparameters.strategy", f"{hp['strategy']} needs num_workers >= 2")
    if hp["num_workers"] > 1 and hp["strategy"] == "none":
        fail("hyperparameters.num_workers", "several workers need a strategy (ddp, fsdp or deepspeed)")
    if job_type == "sft" and hp["rollout"] == "dialogue":
        fail("hyperparameters.rollout", "dialogue rollouts are for GRPO jobs")
