"""The GPU throughput script runs end to end (on CPU, with --tiny)."""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_grpo_throughput_tiny(tmp_path):
    r = subprocess.run([sys.executable, os.path.join(ROOT, "test", "gpu", "grpo_throughput.py"), "--tiny", "--out", str(tmp_path)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    line = next(x for x in r.stdout.splitlines() if x.startswith('{"grpo_throughput"'))
    res = json.loads(line)["grpo_throughput"]
    assert res["steps"] == 2 and res["device"] == "cpu"
    assert res["step_time_s"] > 0 and res["peak_memory_gib"] > 0 and res["parameters"] > 0


def test_grpo_throughput_tiny_dialogue_rollouts(tmp_path):
    r = subprocess.run([sys.executable, os.path.join(ROOT, "test", "gpu", "grpo_throughput.py"), "--tiny", "--rollout", "dialogue", "--out", str(tmp_path)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads(next(x for x in r.stdout.splitlines() if x.startswith('{"grpo_throughput"')))["grpo_throughput"]
    assert res["rollout"] == "dialogue" and res["steps"] == 2 and res["mfu"] is None  # no GPU, no MFU
