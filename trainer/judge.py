"""An OpenAI-compatible judge for the judge reward components (POST {base_url}/chat/completions).

The key is read from the environment variable the job names (``judge.api_key_env``); it is never
in the job file, the logs or the artifacts.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from typing import Any, Optional

from .rewards.judge import JUDGE_SYSTEM, JudgeFn


class JudgeError(RuntimeError):
    pass


def chat_complete(base_url: str, model: str, messages: list[dict], api_key: Optional[str], timeout_s: float, max_retries: int) -> str:
    url = base_url.rstrip("/") + "/chat/completions"
    body = json.dumps({"model": model, "messages": messages, "temperature": 0}).encode()
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    delay = 0.5
    for attempt in range(max_retries + 1):
        try:
            req = urllib.request.Request(url, data=body, headers=headers, method="POST")
            with urllib.request.urlopen(req, timeout=timeout_s) as res:
                data = json.loads(res.read())
            msg = data["choices"][0]["message"]
            return msg.get("content") or msg.get("reasoning_content") or msg.get("reasoning") or ""
        except urllib.error.HTTPError as e:
            if e.code in (401, 403):
                raise JudgeError(f"judge at {base_url} refused the key ({e.code}); check the variable named in judge.api_key_env") from None
            if e.code != 429 and e.code < 500 or attempt == max_retries:
                raise JudgeError(f"judge at {base_url} answered {e.code}: {e.read()[:200]!r}") from None
        except (urllib.error.URLError, TimeoutError, KeyError, IndexError, json.JSONDecodeError) as e:
            if attempt == max_retries:
                raise JudgeError(f"judge at {base_url} failed: {e}") from None
        time.sleep(delay)
        delay *= 2
    raise JudgeError("unreachable")


def judge_from_job(judge: Optional[dict[str, Any]], spec: dict) -> Optional[JudgeFn]:
    """The judge function for the job, or None (judge components then have no value: "no judge")."""
    if not judge:
        return None
    key_env = judge.get("api_key_env")
    api_key = os.environ.get(key_env) if key_env else None
    if key_env and not api_key:
        raise JudgeError(f"judge.api_key_env names '{key_env}', which is not set in the job's environment")
    base_url, model = judge["base_url"], judge["model"]
    timeout_s, retries = float(judge.get("timeout_s", 60)), int(judge.get("max_retries", 3))

    def call(component: str, prompt: str, key: str) -> Optional[str]:
        return chat_complete(base_url, model, [{"role": "system", "content": JUDGE_SYSTEM}, {"role": "user", "content": prompt}],
                             api_key, timeout_s, retries)

    return call
