"""GRPO's generation from a merged copy of a LoRA policy (``merged_generation: true``).

TRL 1.16 generates through the PEFT-wrapped policy: every adapted layer runs its base layer and the
adapter's two small matmuls (and casts them) at every decoding step. With an adapter on every linear
layer that nearly doubled a prefill on 2 CPU cores (docs/training.md). Here the trainer keeps a plain
copy of the model (base weights plus the adapter's delta, in the generation dtype), refreshes its
adapted weights whenever the optimizer has stepped since the last refresh (as TRL refreshes vLLM's
weights) and generates from it with TRL's own generation settings. The sampled distribution is the
policy's (up to the rounding of the merged weights); log-probabilities for the loss are still computed
by the policy itself. The cost: a second copy of the model's weights in memory.

It replaces ``GRPOTrainer._generate_single_turn`` on the trainer instance (single-turn GRPO and the
dialogue rollout both generate through it), for text prompts; the checks that it needs LoRA and no
vLLM, 4-bit loading, FSDP or DeepSpeed are in the hyperparameters' cross-checks.
"""

from __future__ import annotations

import copy
from typing import Any


class MergedGenerator:
    def __init__(self, trainer: Any):
        self.trainer = trainer
        self.model: Any = None
        self.layers: dict[str, Any] = {}  # name in the plain model → the policy's LoRA layer
        self.synced_step = -1

    def _policy(self):
        return self.trainer.accelerator.unwrap_model(self.trainer.model_wrapped)

    def _build(self) -> None:
        import torch
        from peft.tuners.lora import LoraLayer

        policy = self._policy()
        base = policy.get_base_model()
        self.layers = {name: m for name, m in base.named_modules() if isinstance(m, LoraLayer)}
        plain = copy.deepcopy(policy).merge_and_unload()
        args = self.trainer.args
        if args.bf16:
            plain.to(torch.bfloat16)
        elif args.fp16:
            plain.to(torch.float16)
        plain.requires_grad_(False)
        plain.eval()
        plain.config.use_cache = True  # a policy trained with gradient checkpointing has the cache turned off
        # TRL's generation settings replace the model's own defaults (TRL does the same: transformers#42762)
        plain.generation_config = copy.deepcopy(self.trainer.generation_config)
        self.model = plain

    def sync(self) -> None:
        """Brings the copy's adapted weights up to the policy's, once per optimizer step."""
        import torch

        step = self.trainer.state.global_step
        if self.model is None:
            self._build()
        elif step == self.synced_step:
            return
        else:
            with torch.no_grad():
                for name, layer in self.layers.items():
                    weight = layer.get_base_layer().weight
                    merged = weight.float()
                    for adapter in layer.active_adapters:
                        if adapter in layer.lora_A:
                            merged = merged + layer.get_delta_weight(adapter).float()
                    self.model.get_submodule(name).weight.copy_(merged)
        self.synced_step = step

    def __call__(self, prompt_ids, images=None, multimodal_fields=None, num_generations=1, has_tool_images=False):
        import torch
        from trl.trainer.utils import pad

        if images or multimodal_fields:
            raise ValueError("merged_generation: text prompts only (this batch has images or other multimodal fields)")
        self.sync()
        t = self.trainer
        device = t.accelerator.device
        pad_id = t._tokenizer.pad_token_id
        prompts = [torch.tensor(ids) for ids in prompt_ids]
        ids = pad(prompts, padding_value=pad_id, padding_side="left", pad_to_multiple_of=t.pad_to_multiple_of).to(device)
        mask = pad([torch.ones_like(p) for p in prompts], padding_value=0, padding_side="left", pad_to_multiple_of=t.pad_to_multiple_of).to(device)
        with torch.no_grad():
            out = self.model.generate(input_ids=ids, attention_mask=mask, generation_config=self.model.generation_config)
        completions = out[:, ids.size(1):].cpu().tolist()
        eos = set(t.eos_token_ids)
        cut = []
        for c in completions:  # up to and with the first end token, as TRL cuts
            end = next((k for k, x in enumerate(c) if x in eos), None)
            cut.append(c if end is None else c[:end + 1])
        return cut, None


def use_merged_generation(trainer: Any) -> MergedGenerator:
    generator = MergedGenerator(trainer)
    trainer._generate_single_turn = generator
    return generator
