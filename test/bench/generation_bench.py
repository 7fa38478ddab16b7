"""GRPO's generation step side by side: TRL's own (through the LoRA-wrapped policy) and ``merged_generation``
(a merged copy of the policy, trainer/merged_generation.py), on the same trainer, prompts and settings.

    python test/bench/generation_bench.py --model DIR --data dialogue.jsonl [--batch 4] [--max-new 320] [--repeats 2]

The trainer is built as a GRPO job builds it (``trainer.train``'s model loading, LoRA config and GRPOConfig:
bf16, LoRA r16 on every linear layer with dropout 0, as ``npm run bench:train``), and prepared by accelerate
as training prepares it (the bf16 autocast of a CPU worker). Each generation writes exactly ``--max-new``
tokens (``min_new_tokens``) so both sides do the same work; the two alternate, ``--repeats`` times. Prints one
JSON line: seconds per call, tokens/s, the ratio, and the time a refresh of the merged weights takes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True, help="dialogue rows (the bench's dialogue.jsonl)")
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--max-new", type=int, default=320)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()

    import torch
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    from trainer.job import parse_job
    from trainer.merged_generation import MergedGenerator
    from trainer.train import _load_model_and_tokenizer, _peft_config

    torch.set_num_threads(a.threads)
    with open(a.data, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    out = tempfile.mkdtemp(prefix="userlm-genbench-")
    job = parse_job({"type": "grpo", "base_model": a.model, "datasets": {"train": a.data}, "output_dir": out,
                     "reward_spec": {"components": [{"name": "format", "kind": "rule"}]},
                     "hyperparameters": {"lora": {"r": 16, "alpha": 32, "dropout": 0}, "bf16": True}}, out)
    model, tok = _load_model_and_tokenizer(job)
    args = GRPOConfig(output_dir=out, per_device_train_batch_size=a.batch, num_generations=a.batch, max_completion_length=a.max_new,
                      temperature=1.0, bf16=True, use_cpu=not torch.cuda.is_available(), gradient_checkpointing=False, report_to="none")
    trainer = GRPOTrainer(model=model, reward_funcs=[lambda completions, **_: [0.0] * len(completions)], args=args,
                          train_dataset=Dataset.from_list([{"prompt": r["prompt"]} for r in rows]), processing_class=tok,
                          peft_config=_peft_config(job))
    trainer.model_wrapped = trainer.accelerator.prepare_model(trainer.model)  # bf16 autocast, as in training
    with torch.no_grad():  # a trained adapter: B away from zero
        for name, p in trainer.model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.01)
    trainer.generation_config.min_new_tokens = a.max_new
    text = tok.apply_chat_template(rows[0]["prompt"], tokenize=False, add_generation_prompt=True)
    prompts = [tok(text, add_special_tokens=False)["input_ids"]] * a.batch
    merged = MergedGenerator(trainer)
    t0 = time.perf_counter()
    merged.sync()
    build = time.perf_counter() - t0
    seconds: dict[str, list[float]] = {"adapter": [], "merged": []}
    for _ in range(a.repeats):
        for side, fn in (("adapter", lambda: GRPOTrainer._generate_single_turn(trainer, prompts, None, {}, 1)), ("merged", lambda: merged(prompts))):
            t0 = time.perf_counter()
            completions, _ = fn()
            seconds[side].append(time.perf_counter() - t0)
            assert all(len(c) == a.max_new or c[-1] in trainer.eos_token_ids for c in completions)
    trainer.state.global_step += 1
    t0 = time.perf_counter()
    merged.sync()
    refresh = time.perf_counter() - t0
    mean = {k: statistics.fmean(v) for k, v in seconds.items()}
    tokens = a.batch * a.max_new
    print(json.dumps({"prompt_tokens": len(prompts[0]), "batch": a.batch, "new_tokens": a.max_new, "seconds": seconds,
                      "tokens_per_s": {k: round(tokens / v, 1) for k, v in mean.items()}, "speedup": round(mean["adapter"] / mean["merged"], 2),
                      "copy_seconds": round(build, 2), "refresh_seconds": round(refresh, 2), "threads": a.threads}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
