"""Training on CPU: the fused LM head scores only labelled positions (trainer/lm_head.py), and bf16 autocasts on a CPU worker."""

import torch
from trl.trainer import utils

from trainer.job import parse_job
from trainer.lm_head import score_labelled_positions_on_cpu
from trainer.train import run_job


def test_cpu_rule_scores_labelled_positions_only_with_the_same_results(tiny_model, monkeypatch):
    from transformers import AutoModelForCausalLM

    # the rule is global and any earlier training job installed it: TRL's own rule for this test, restored after it
    monkeypatch.setattr(utils, "_use_triton", getattr(utils._use_triton, "trl_rule", utils._use_triton))
    scored = []
    real = utils._ChunkedLogProbFunction

    class Spy:
        @staticmethod
        def apply(hidden, *rest):
            scored.append(hidden.shape[0])
            return real.apply(hidden, *rest)

    monkeypatch.setattr(utils, "_ChunkedLogProbFunction", Spy)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    utils.add_fused_lm_head(model, outputs=("log_probs", "entropy", "is_top1"))
    ids = torch.randint(0, model.config.vocab_size, (2, 40))
    labels = ids.clone()
    labels[:, :30] = -100  # a long prompt, a short labelled reply

    def forward():
        model.zero_grad()
        out = model(input_ids=ids, labels=labels, fused_lm_head=True)
        out.loss.backward()
        grad = next(p.grad.clone() for p in model.parameters() if p.grad is not None)
        return out, grad

    every, every_grad = forward()
    assert score_labelled_positions_on_cpu() and score_labelled_positions_on_cpu()  # installs once, idempotent
    labelled, labelled_grad = forward()
    assert scored == [2 * 39, 2 * 10]  # next-token positions: all of them, then only those with a label
    assert torch.equal(every.log_probs, labelled.log_probs) and torch.equal(every.entropy, labelled.entropy)
    assert torch.equal(every.is_top1, labelled.is_top1) and torch.allclose(every_grad, labelled_grad)
    assert every.log_probs[:, :29].abs().sum() == 0 and every.log_probs[:, 29:].abs().sum() > 0


def test_sft_in_bf16_without_a_gpu(tmp_path, tiny_model, datasets):  # CI's workers have none: bf16 is CPU autocast there
    job = parse_job({
        "type": "sft", "base_model": tiny_model, "datasets": {"train": datasets["sft"]}, "output_dir": "out",
        "hyperparameters": {"max_steps": 1, "per_device_train_batch_size": 2, "max_length": 256, "bf16": True},
    }, str(tmp_path))
    summary = run_job(job)
    assert summary["global_step"] == 1 and summary["training_loss"] > 0
