"""Reading the exported datasets (``userlm export --format sft|rl``) into 🤗 datasets."""

from __future__ import annotations

import json
from typing import Any

from datasets import Dataset

from .job import JobError


def read_jsonl(path: str, what: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise JobError(f"{what}: {path}:{n}: not valid JSON ({e.msg})") from None
            if not isinstance(row, dict):
                raise JobError(f"{what}: {path}:{n}: each line must be a JSON object")
            rows.append(row)
    if not rows:
        raise JobError(f"{what}: {path} has no samples")
    return rows


def _check_messages(messages: Any, where: str) -> list[dict[str, str]]:
    if not isinstance(messages, list) or not messages:
        raise JobError(f"{where}: 'messages' must be a non-empty list of {{role, content}}")
    out = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant") or not isinstance(m.get("content"), str):
            raise JobError(f"{where}: messages[{i}] must be {{role: system|user|assistant, content: string}}")
        out.append({"role": m["role"], "content": m["content"]})
    return out


def sft_dataset(path: str, what: str = "datasets.train") -> Dataset:
    """SFT rows ``{"messages": [...]}`` → prompt/completion pairs, so the loss is on the target only."""
    rows = []
    for n, row in enumerate(read_jsonl(path, what), 1):
        messages = _check_messages(row.get("messages"), f"{what}: {path}:{n}")
        if messages[-1]["role"] != "assistant":
            raise JobError(f"{what}: {path}:{n}: the last message must be the assistant's (the simulated user's) target")
        rows.append({"prompt": messages[:-1], "completion": [messages[-1]]})
    return Dataset.from_list(rows)


def rl_dataset(path: str, what: str = "datasets.train") -> Dataset:
    """RL rows ``{"prompt": [...], "context": {...}}``; the context travels as JSON text to the reward functions."""
    rows = []
    for n, row in enumerate(read_jsonl(path, what), 1):
        prompt = _check_messages(row.get("prompt"), f"{what}: {path}:{n}")
        context = row.get("context")
        if not isinstance(context, dict):
            raise JobError(f"{what}: {path}:{n}: 'context' must be an object (export with --format rl)")
        rows.append({"prompt": prompt, "context": json.dumps(context, sort_keys=True)})
    return Dataset.from_list(rows)
