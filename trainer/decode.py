"""Generated token ids back to the text the rewards read.

Only the end and padding tokens are dropped. TRL's GRPOTrainer decodes completions with
``skip_special_tokens=True``, which also drops every other special token; a tokenizer may have
``<think>``, ``</think>``, ``<answer>`` and ``</answer>`` among them (the test suite's tiny one does), and
the rewards would then see a turn without its tags and score its format 0.
"""

from __future__ import annotations

from typing import Callable, Iterable


def end_ids(tokenizer, generation_config=None) -> set[int]:
    """The tokens a generated turn may end with: the tokenizer's end token and the model's generation ones."""
    ids = {tokenizer.eos_token_id}
    extra = getattr(generation_config, "eos_token_id", None)
    ids.update(extra if isinstance(extra, (list, tuple, set)) else [extra])
    return {i for i in ids if i is not None}


def turn_decoder(tokenizer, ends: Iterable[int]) -> Callable[[list[int]], str]:
    """A turn's ids → its text, with the end tokens ``ends`` and padding left out and every other token kept."""
    drop = set(ends) | {tokenizer.pad_token_id}
    return lambda ids: tokenizer.decode([t for t in ids if t not in drop]).strip()
