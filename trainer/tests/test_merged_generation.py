"""merged_generation: GRPO generates from a plain copy of the LoRA policy with the adapter merged in,
refreshed once per optimizer step; the job's checks refuse the settings it cannot serve."""

from types import SimpleNamespace

import pytest

from trainer.hparams import check_hyperparameters
from trainer.job import JobError, parse_job
from trainer.merged_generation import MergedGenerator
from trainer.train import run_job

from test_train import SPEC, read_lines


def _policy_and_trainer(tiny_model):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig

    torch.manual_seed(0)
    tok = AutoTokenizer.from_pretrained(tiny_model)
    policy = get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_model, dtype=torch.float32),
                            LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules="all-linear"))
    end = tok.convert_tokens_to_ids("<|end|>")
    trainer = SimpleNamespace(
        accelerator=SimpleNamespace(unwrap_model=lambda m: m, device=torch.device("cpu")), model_wrapped=policy,
        args=SimpleNamespace(bf16=False, fp16=False), state=SimpleNamespace(global_step=0), _tokenizer=tok, pad_to_multiple_of=None,
        eos_token_ids=[end], generation_config=GenerationConfig(max_new_tokens=6, do_sample=True, temperature=1.0, eos_token_id=[end],
                                                               pad_token_id=tok.pad_token_id))
    return policy, trainer, tok


def _move_adapter(policy, scale: float):
    import torch

    with torch.no_grad():
        for name, p in policy.named_parameters():
            if "lora_" in name:
                p.add_(torch.randn_like(p) * scale)


def test_the_copy_gives_the_policys_logits_and_follows_each_step(tiny_model):
    import torch

    policy, trainer, tok = _policy_and_trainer(tiny_model)
    _move_adapter(policy, 0.2)  # a trained adapter: B is no longer zero
    base_before = {n: p.clone() for n, p in policy.named_parameters() if "base_layer" in n}
    ids = torch.tensor([tok("Agent intent: the agent wants me to upgrade today.")["input_ids"]])
    gen = MergedGenerator(trainer)
    gen.sync()
    with torch.no_grad():
        with policy.disable_adapter():
            unadapted = policy(input_ids=ids).logits
        want = policy(input_ids=ids).logits
        assert not torch.allclose(want, unadapted, atol=1e-3), "the adapter must change the logits for this test to mean anything"
        assert torch.allclose(gen.model(input_ids=ids).logits, want, atol=1e-4)
    assert all(torch.equal(p, base_before[n]) for n, p in policy.named_parameters() if "base_layer" in n), "the policy's weights are untouched"

    _move_adapter(policy, 0.2)  # the optimizer stepped
    with torch.no_grad():
        want = policy(input_ids=ids).logits
        gen.sync()  # same global_step: nothing refreshed
        assert not torch.allclose(gen.model(input_ids=ids).logits, want, atol=1e-4)
        trainer.state.global_step = 1
        gen.sync()
        assert torch.allclose(gen.model(input_ids=ids).logits, want, atol=1e-4)


def test_generation_returns_completions_cut_at_the_first_end_token(tiny_model):
    policy, trainer, tok = _policy_and_trainer(tiny_model)
    prompts = [tok("Hello there")["input_ids"], tok("State: trust 0.50 -> 0.40; patience 0.70 -> 0.60")["input_ids"]]
    completions, logprobs = MergedGenerator(trainer)(prompts)
    assert logprobs is None and len(completions) == 2
    end = trainer.eos_token_ids[0]
    for c in completions:
        assert 1 <= len(c) <= 6 and all(isinstance(x, int) for x in c)
        assert end not in c[:-1], "nothing after the first end token"
    with pytest.raises(ValueError, match="text prompts only"):
        MergedGenerator(trainer)(prompts, images=[["img"]])


@pytest.mark.parametrize("rollout", ["dialogue", "turn"])
def test_grpo_generates_from_the_merged_copy_refreshed_each_step(tmp_path, tiny_model, datasets, monkeypatch, rollout):
    import trainer.merged_generation as mg

    synced: list[int] = []
    real_call = mg.MergedGenerator.__call__

    def recording(self, *args, **kwargs):
        out = real_call(self, *args, **kwargs)
        synced.append(self.synced_step)
        return out

    monkeypatch.setattr(mg.MergedGenerator, "__call__", recording)
    job = parse_job({
        "type": "grpo", "base_model": tiny_model, "datasets": {"train": datasets[rollout if rollout == "dialogue" else "rl"]}, "output_dir": "out",
        "reward_spec": SPEC, "hyperparameters": {"rollout": rollout, "max_steps": 2, "per_device_train_batch_size": 2, "num_generations": 2, "max_completion_length": 8,
                            "learning_rate": 1e-3, "lora": {"r": 4, "alpha": 8, "dropout": 0}, "merged_generation": True},
    }, str(tmp_path))
    summary = run_job(job)
    assert summary["global_step"] == 2 and summary["merged_generation"] is True
    assert synced and sorted(set(synced)) == [0, 1], f"every generation from the copy, refreshed at each step: {synced}"
    train = [m for m in read_lines(tmp_path / "out" / "metrics.jsonl") if "reward" in m]
    assert len(train) == 2 and all(("reward/total" if rollout == "dialogue" else "reward/format") in m for m in train)


@pytest.mark.parametrize("hp,why", [
    ({"merged_generation": True}, "needs lora"),
    ({"merged_generation": True, "lora": True, "vllm": "colocate"}, "not with vllm"),
    ({"merged_generation": True, "lora": True, "load_in_4bit": True}, "not with load_in_4bit"),
    ({"merged_generation": True, "lora": True, "strategy": "deepspeed", "num_workers": 2}, "not with strategy=deepspeed"),
])
def test_settings_it_cannot_serve_are_refused(hp, why):
    with pytest.raises(JobError, match=f"hyperparameters.merged_generation: {why}"):
        check_hyperparameters(hp, "grpo")
    assert check_hyperparameters({"merged_generation": True, "lora": True}, "grpo")["merged_generation"] is True
