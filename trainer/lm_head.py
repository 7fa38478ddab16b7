"""Training on CPU: TRL's fused LM head scores only the labelled positions.

SFT and GRPO compute their loss through TRL's fused LM head, which projects hidden states onto the vocabulary in
tiles. On Triton devices (CUDA, XPU) it scores only the positions that have a label; everywhere else it scores every
position, so that tile shapes stay fixed for compilers such as Neuron's. On CPU nothing is compiled, and a simulator
sample is a long prompt (system prompt, profile, dialogue: ~1,400 tokens) before a short reply (~200): every position
costs ~8x the LM-head work for the same numbers (figures: docs/training.md, "On CPU").

TRL decides with ``trl.trainer.utils._use_triton``, read at each call; it is pinned in requirements.txt.
``score_labelled_positions_on_cpu`` makes that answer "yes" for CPU tensors too (TRL's own rule stays as
``.trl_rule``). With another TRL that lacks the name, nothing changes (and the training is only slower).
"""

from __future__ import annotations


def score_labelled_positions_on_cpu() -> bool:
    """Installs the CPU rule once; returns whether it is in effect."""
    try:
        from trl.trainer import utils
    except ImportError:
        return False
    original = getattr(utils, "_use_triton", None)
    if original is None:
        return False
    if hasattr(original, "trl_rule"):
        return True

    def labelled_only(device) -> bool:
        return device.type == "cpu" or original(device)

    labelled_only.trl_rule = original  # type: ignore[attr-defined]
    utils._use_triton = labelled_only
    return True
