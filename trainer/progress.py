"""Progress as JSON lines: one line per log step on stdout and in ``<output_dir>/metrics.jsonl``.

Each line: ``{"step", "loss", "reward", "reward/<component>", "learning_rate", "tokens_per_s", ...}``
(keys a trainer does not log are left out). Every line carries ``"userlm_progress": 1`` so a reader can pick
them out of a log mixed with library output.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from typing import Any

PROGRESS_TAG = "userlm_progress"


def progress_line(logs: dict[str, Any], step: int, tokens_per_s: float | None) -> dict[str, Any]:
    out: dict[str, Any] = {PROGRESS_TAG: 1, "step": step}
    for key, value in logs.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool) or (isinstance(value, float) and not math.isfinite(value)):
            continue
        if key.startswith("rewards/") and key.endswith("/mean"):
            out["reward/" + key[len("rewards/"):-len("/mean")]] = value
        elif key.startswith(("dialogue/", "eval_dialogue/")):  # multi-turn GRPO: user turns per dialogue, ...
            out[key] = value
        elif key.startswith("eval_rewards/") and key.endswith("/mean"):  # GRPO on the validation split
            out["eval_reward/" + key[len("eval_rewards/"):-len("/mean")]] = value
        elif key in ("loss", "reward", "reward_std", "learning_rate", "grad_norm", "epoch", "entropy", "kl",
                     "train_loss", "train_runtime", "eval_loss", "eval_reward", "eval_mean_token_accuracy",
                     "mean_token_accuracy", "num_tokens"):
            out[key] = value
    if tokens_per_s is not None:
        out["tokens_per_s"] = round(tokens_per_s, 2)
    return out


class JsonProgress:
    """Turns the trainer's logs into progress lines (used through ``make_callback``)."""

    def __init__(self, output_dir: str, stream=None, remote: str | None = None):
        os.makedirs(output_dir, exist_ok=True)
        self.output_dir = output_dir
        self.remote = remote
        self.path = os.path.join(output_dir, "metrics.jsonl")
        self.stream = stream or sys.stdout
        self._last_time = time.monotonic()
        self._last_tokens: float | None = None

    def on_train_begin(self, args, state, control, **kwargs):
        self._last_time = time.monotonic()
        self._last_tokens = 0.0

    def on_save(self, args, state, control, **kwargs):
        """A checkpoint was written: a storage-URI job uploads it (and the metrics so far) now."""
        if self.remote and state.is_world_process_zero:
            from .artifacts import sync_up

            sync_up(self.output_dir, self.remote, f"checkpoint-{state.global_step}")
            sync_up(self.output_dir, self.remote)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not logs or not getattr(state, "is_world_process_zero", True):
            return
        now = time.monotonic()
        tps = None
        tokens = logs.get("num_tokens")
        if isinstance(tokens, (int, float)) and self._last_tokens is not None and now > self._last_time:
            tps = max(0.0, (tokens - self._last_tokens) / (now - self._last_time))
            self._last_tokens = float(tokens)
        self._last_time = now
        line = progress_line(logs, state.global_step, tps)
        text = json.dumps(line, sort_keys=True)
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(text + "\n")
        print(text, file=self.stream, flush=True)


def make_callback(output_dir: str, remote: str | None = None):
    """A transformers TrainerCallback writing the progress lines (transformers imported only here);
    with a storage URI as ``remote``, each checkpoint is uploaded when saved."""
    from transformers import TrainerCallback

    from .job import is_uri

    class JsonProgressCallback(JsonProgress, TrainerCallback):
        pass

    return JsonProgressCallback(output_dir, remote=remote if remote and is_uri(remote) else None)


def emit(event: str, **fields: Any) -> None:
    """A lifecycle line (started, finished, error) in the same JSON-lines stream."""
    print(json.dumps({PROGRESS_TAG: 1, "event": event, **fields}, sort_keys=True), flush=True)
