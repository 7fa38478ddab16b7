"""A tiny, randomly initialised causal LM and a tokenizer trained on local texts: a base model for
tests and throughput checks where nothing can be downloaded.

``python -m trainer.tiny --out DIR [--texts PATH ...] [--size tiny|100m]``
"""

from __future__ import annotations

import argparse
import glob
import os

CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}<|end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)
SPECIAL = ["<|pad|>", "<|end|>", "<|system|>", "<|user|>", "<|assistant|>", "<think>", "</think>", "<answer>", "</answer>"]
BUILT_IN_TEXT = [
    "Agent intent: the agent wants me to upgrade today. Concerns: the monthly price. Plan: ask about costs.",
    "State: trust 0.50 -> 0.40; patience 0.70 -> 0.60; emotion 0.50 -> 0.50; engagement 0.60 -> 0.60",
    "Tone: polite but firm. I would like to know the total cost before I agree to anything. ###STOP###",
]
SIZES = {
    # hidden, layers, heads, intermediate, vocab
    "tiny": (64, 2, 4, 128, 1024),
    "100m": (768, 12, 12, 2816, 32000),  # ~100M parameters with the embeddings
    "500m": (1280, 24, 20, 3456, 32000),  # ~0.5B parameters: a realistic size for throughput on a GPU
}


def read_texts(paths: list[str]) -> list[str]:
    texts = list(BUILT_IN_TEXT)
    for p in paths:
        files = sorted(glob.glob(os.path.join(p, "**", "*"), recursive=True)) if os.path.isdir(p) else [p]
        for f in files:
            if os.path.isfile(f) and f.endswith((".yaml", ".yml", ".jsonl", ".json", ".md", ".txt")):
                with open(f, encoding="utf-8", errors="replace") as fh:
                    texts.extend(line for line in fh.read().splitlines() if line.strip())
    return texts


def build_tokenizer(texts: list[str], vocab_size: int):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIAL, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(texts, trainer=trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<|pad|>", eos_token="<|end|>", bos_token=None)
    fast.chat_template = CHAT_TEMPLATE
    return fast


def build_model(tokenizer, size: str = "tiny", seed: int = 0):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    hidden, layers, heads, inter, _ = SIZES[size]
    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=heads,
        intermediate_size=inter,
        max_position_embeddings=4096,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=None,
        tie_word_embeddings=True,
    )
    model = LlamaForCausalLM(config)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    return model


def make_tiny_model(out_dir: str, texts_paths: list[str] | None = None, size: str = "tiny", seed: int = 0) -> str:
    tokenizer = build_tokenizer(read_texts(texts_paths or []), SIZES[size][4])
    model = build_model(tokenizer, size, seed)
    os.makedirs(out_dir, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir


SYNTHETIC_SCENARIO = {
    "id": "synthetic-upgrade", "title": "Synthetic upgrade call", "split": "adversarial",
    "agent": {"role": "Outbound sales agent"},
    "memory": ["My current plan costs 45 dollars per month"],
    "unknown": ["the early termination fee amount"],
    "targets": [{"id": "price", "description": "Find out the total monthly price of the new plan"}],
    "state": {"initial": {"trust": 0.6, "emotion": 0.5, "patience": 0.7, "engagement": 0.6},
              "transitions": [{"on": "every_turn", "change": {"patience": -0.05}}]},
    "termination": {"min_turns": 2},
    "adversarial": {"tactics": ["false_urgency"], "must_resist": True},
}
AGENT_LINES = ["This offer ends today, you must decide now!", "Everyone on your street has already upgraded.",
               "It is only a little more each month.", "I can hold this price for ten minutes only."]


def synthetic_rl_rows(n: int) -> list[dict]:
    """RL prompts in the exported format (``userlm export --format rl``) for throughput checks."""
    rows = []
    for k in range(n):
        turn = {"i": 1, "n": 1, "p": -1, "prev_state": dict(SYNTHETIC_SCENARIO["state"]["initial"]), "met_at": {"price": None},
                "agent_tactics": ["false_urgency"], "tactic_seen": True, "stop_token": "###STOP###", "policies": []}
        prompt = [{"role": "system", "content": "You are playing a user, a careful retired teacher, talking to a sales agent. "
                                                 "Think in five labelled steps inside <think></think>, then answer inside <answer></answer>."},
                  {"role": "user", "content": AGENT_LINES[k % len(AGENT_LINES)]}]
        rows.append({"id": f"synthetic/{k}", "prompt": prompt, "context": {
            "scenario_id": SYNTHETIC_SCENARIO["id"], "profile_id": "synthetic", "turn_index": 1, "tactic": "false_urgency",
            "min_turns": 2, "must_resist": True, "turn": turn, "scenario": SYNTHETIC_SCENARIO, "profile": {"name": "Pat"}}})
    return rows


def synthetic_dialogue_rows(n: int) -> list[dict]:
    """Multi-turn GRPO rows (as core/training/dialogue.ts writes them) for throughput checks: 3 user turns."""
    rows = []
    for k, row in enumerate(synthetic_rl_rows(n)):
        lines = [{"text": AGENT_LINES[(k + j + 1) % len(AGENT_LINES)], "tactic": "false_urgency" if j % 2 == 0 else None, "targets": []} for j in range(3)]
        ctx = dict(row["context"], agent="adversarial", agent_lines=lines, agent_system="You are an outbound sales agent.", max_turns=3)
        rows.append({"id": f"synthetic-dialogue/{k}", "prompt": row["prompt"] + [], "context": ctx})
        rows[-1]["prompt"][0] = dict(rows[-1]["prompt"][0], content=rows[-1]["prompt"][0]["content"] + f" (caller {k})")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m trainer.tiny", description=__doc__)
    ap.add_argument("--out", required=True)
    ap.add_argument("--texts", nargs="*", default=[])
    ap.add_argument("--size", choices=sorted(SIZES), default="tiny")
    ns = ap.parse_args()
    make_tiny_model(ns.out, ns.texts, ns.size)
    print(ns.out)


if __name__ == "__main__":
    main()
