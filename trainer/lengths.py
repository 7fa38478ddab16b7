"""Token lengths of chat samples with a model's tokenizer (its chat template applied).

``python -m trainer.lengths --tokenizer DIR < samples.jsonl`` prints a JSON list of lengths, one per
``{"messages": [...]}`` line: what the CLI and the editor use to set ``max_length`` from the data
before uploading; the trainer uses ``chat_lengths`` the same way when ``max_length`` is left out.
"""

from __future__ import annotations

import argparse
import json
import sys


def chat_lengths(tokenizer, conversations: list[list[dict]]) -> list[int]:
    out = []
    for messages in conversations:
        text = tokenizer.apply_chat_template(messages, tokenize=False)
        out.append(len(tokenizer(text, add_special_tokens=False)["input_ids"]))
    return out


def max_length_for(lengths: list[int]) -> int:
    """The longest sample, rounded up to a multiple of 64."""
    return max(64, -(-max(lengths) // 64) * 64)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m trainer.lengths", description=__doc__)
    ap.add_argument("--tokenizer", required=True)
    ns = ap.parse_args(argv)
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(ns.tokenizer)
    if tok.chat_template is None:
        print(f"{ns.tokenizer}: the tokenizer has no chat template", file=sys.stderr)
        return 2
    convs = [json.loads(line)["messages"] for line in sys.stdin if line.strip()]
    print(json.dumps(chat_lengths(tok, convs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
