"""GRPO throughput on the GPU: a randomly initialised ~100M-parameter Llama-style model, rule rewards
from the default reward spec, a fixed number of steps. Prints tokens/s, step time and peak memory
as one JSON line (and a readable summary).

    python test/gpu/grpo_throughput.py [--steps 20] [--batch 16] [--generations 8] [--completion 256]
    python test/gpu/grpo_throughput.py --tiny     # the same code path on CPU in seconds (CI)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from trainer.job import parse_job  # noqa: E402
from trainer.tiny import make_tiny_model, synthetic_dialogue_rows, synthetic_rl_rows  # noqa: E402

# Dense bf16 peak of the GPU, for MFU (model FLOPs utilisation = 6 · parameters · trained tokens/s ÷ peak).
PEAK_TFLOPS = {"H200": 989.0, "H100": 989.0, "A100": 312.0, "L40S": 362.0, "A10G": 125.0}
from trainer.train import run_job  # noqa: E402

RULE_SPEC = {"kind": "rewards", "components": [
    {"name": "format", "kind": "rule"}, {"name": "sections", "kind": "rule"},
    {"name": "rationale_length", "kind": "rule", "weight": 0.5, "params": {"min_tokens": 30, "max_tokens": 400}},
    {"name": "grounding", "kind": "rule", "weight": 0.5}, {"name": "state_validity", "kind": "rule", "weight": 0.5},
    {"name": "disclosure", "kind": "rule"}, {"name": "resistance", "kind": "rule", "weight": 1.5},
    {"name": "termination", "kind": "rule", "level": "session"},
]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tiny", action="store_true", help="tiny model, 2 steps, small batch (CPU smoke run)")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--batch", type=int, default=16, help="per-device batch (completions per step)")
    ap.add_argument("--generations", type=int, default=8)
    ap.add_argument("--completion", type=int, default=256, help="max completion tokens")
    ap.add_argument("--out", default=None)
    ap.add_argument("--size", choices=["100m", "500m"], default="100m", help="randomly initialised model size")
    ap.add_argument("--rollout", choices=["turn", "dialogue"], default="turn", help="single-turn or multi-turn GRPO (3 user turns)")
    ns = ap.parse_args()
    if ns.tiny:
        ns.steps, ns.batch, ns.generations, ns.completion = 2, 4, 2, 16

    import torch

    cuda = torch.cuda.is_available()
    work = ns.out or tempfile.mkdtemp(prefix="grpo-throughput-")
    model_dir = make_tiny_model(os.path.join(work, "model"), [os.path.join(ROOT, "samples")], "tiny" if ns.tiny else ns.size)
    params = sum(p.numel() for p in __import__("transformers").AutoModelForCausalLM.from_pretrained(model_dir).parameters())
    data = os.path.join(work, "rl.jsonl")
    with open(data, "w", encoding="utf-8") as f:
        make_rows = synthetic_dialogue_rows if ns.rollout == "dialogue" else synthetic_rl_rows
        for row in make_rows(max(8, ns.steps * ns.batch // ns.generations)):
            f.write(json.dumps(row) + "\n")
    job = parse_job({
        "type": "grpo", "base_model": model_dir, "datasets": {"train": data}, "output_dir": os.path.join(work, "out"),
        "reward_spec": RULE_SPEC,
        "hyperparameters": {"max_steps": ns.steps, "per_device_train_batch_size": ns.batch, "num_generations": ns.generations,
                            "max_completion_length": ns.completion, "learning_rate": 1e-5, "bf16": cuda, "logging_steps": 1,
                            "rollout": ns.rollout},
    }, work)
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    started = time.monotonic()
    summary = run_job(job)
    wall = time.monotonic() - started
    with open(os.path.join(job.output_dir, "metrics.jsonl"), encoding="utf-8") as f:
        lines = [json.loads(x) for x in f if x.strip()]
    steps = [x for x in lines if "reward" in x]
    tps = [x["tokens_per_s"] for x in steps if "tokens_per_s" in x]
    result = {
        "device": torch.cuda.get_device_name(0) if cuda else "cpu",
        "parameters": params,
        "steps": summary["global_step"],
        "batch": ns.batch, "num_generations": ns.generations, "max_completion_length": ns.completion,
        "wall_s": round(wall, 2),
        "step_time_s": round(wall / max(1, summary["global_step"]), 3),
        "tokens_per_s": round(sum(tps) / len(tps), 1) if tps else None,
        "peak_memory_gib": round((torch.cuda.max_memory_allocated() if cuda else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024) / 2**30, 3),
        "peak_memory_kind": "cuda max_memory_allocated" if cuda else "process max RSS",
        "reward_last": steps[-1].get("reward") if steps else None,
        "rollout": ns.rollout,
    }
    peak = next((v for k, v in PEAK_TFLOPS.items() if cuda and k in result["device"]), None)
    result["mfu"] = round(6 * params * result["tokens_per_s"] / (peak * 1e12), 4) if peak and result["tokens_per_s"] else None
    print(json.dumps({"grpo_throughput": result}), flush=True)
    print(f"GRPO {result['parameters'] / 1e6:.1f}M params on {result['device']}: {result['steps']} steps, "
          f"{result['step_time_s']} s/step, {result['tokens_per_s']} tokens/s, MFU {result['mfu']}, peak memory {result['peak_memory_gib']} GiB "
          f"({ns.rollout} rollouts)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
