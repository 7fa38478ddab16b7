"""SFT (TRL SFTTrainer) and multi-reward GRPO (TRL GRPOTrainer) from a parsed job."""

from __future__ import annotations

import json
import os
from typing import Any

from .job import Job, JobError
from .progress import emit, make_callback


def _common_args(job: Job) -> dict[str, Any]:
    hp = job.hyperparameters
    return dict(
        output_dir=job.output_dir,
        learning_rate=float(hp["learning_rate"]),
        num_train_epochs=float(hp["num_train_epochs"]),
        max_steps=hp["max_steps"],
        per_device_train_batch_size=hp["per_device_train_batch_size"],
        gradient_accumulation_steps=hp["gradient_accumulation_steps"],
        logging_steps=hp["logging_steps"],
        save_strategy="steps" if hp["save_steps"] > 0 else "no",
        save_steps=hp["save_steps"] or 500,
        warmup_steps=float(hp["warmup_ratio"]),  # transformers 5: a float < 1 is a ratio of the steps
        seed=hp["seed"],
        bf16=hp["bf16"],
        **({"gradient_checkpointing": True} if hp["gradient_checkpointing"] else {}),
        report_to="none",
        disable_tqdm=True,
        dataloader_num_workers=0,
    )


def _peft_config(job: Job):
    if not job.lora:
        return None
    from peft import LoraConfig

    return LoraConfig(
        r=job.lora["r"],
        lora_alpha=job.lora["alpha"],
        lora_dropout=float(job.lora["dropout"]),
        target_modules=job.lora["target_modules"],
        task_type="CAUSAL_LM",
    )


def _load_model_and_tokenizer(job: Job):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(job.tokenizer)
        model = AutoModelForCausalLM.from_pretrained(job.base_model)
    except OSError as e:
        raise JobError(f"job: base_model: cannot load '{job.base_model}': {str(e).splitlines()[0]}") from None
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    if tokenizer.chat_template is None:
        raise JobError(f"job: tokenizer: '{job.tokenizer}' has no chat template; the datasets are chat-format")
    return model, tokenizer


def run_sft(job: Job) -> dict[str, Any]:
    from trl import SFTConfig, SFTTrainer

    from .data import sft_dataset

    train = sft_dataset(job.train_file)
    val = sft_dataset(job.validation_file, "datasets.validation") if job.validation_file else None
    model, tokenizer = _load_model_and_tokenizer(job)
    args = SFTConfig(
        **_common_args(job),
        max_length=job.hyperparameters["max_length"],
        completion_only_loss=True,
        eval_strategy="epoch" if val is not None else "no",
        per_device_eval_batch_size=job.hyperparameters["per_device_train_batch_size"],
    )
    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=train,
        eval_dataset=val,
        processing_class=tokenizer,
        peft_config=_peft_config(job),
        callbacks=[make_callback(job.output_dir)],
    )
    if len(trainer.train_dataset) == 0:  # TRL drops samples whose target is cut off by max_length
        raise JobError(
            f"job: hyperparameters.max_length: no training sample fits in {job.hyperparameters['max_length']} tokens "
            "(the simulator prompt and dialogue come first and the target was cut off); raise max_length"
        )
    return _train_and_save(trainer, tokenizer, job, samples=len(trainer.train_dataset))


def run_grpo(job: Job) -> dict[str, Any]:
    from trl import GRPOConfig, GRPOTrainer

    from .data import rl_dataset
    from .judge import judge_from_job
    from .rewards import SpecError, reward_functions

    hp = job.hyperparameters
    if (hp["per_device_train_batch_size"] * hp["gradient_accumulation_steps"]) % hp["num_generations"]:
        raise JobError(
            "job: hyperparameters: per_device_train_batch_size × gradient_accumulation_steps "
            f"({hp['per_device_train_batch_size']} × {hp['gradient_accumulation_steps']}) must be a multiple of "
            f"num_generations ({hp['num_generations']})"
        )
    train = rl_dataset(job.train_file)
    assert job.reward_spec is not None
    try:
        funcs, weights, skipped = reward_functions(job.reward_spec, judge_from_job(job.judge, job.reward_spec))
    except SpecError as e:
        raise JobError(str(e)) from None
    model, tokenizer = _load_model_and_tokenizer(job)
    args = GRPOConfig(
        **_common_args(job),
        num_generations=hp["num_generations"],
        max_completion_length=hp["max_completion_length"],
        temperature=float(hp["temperature"]),
        beta=float(hp["beta"]),
        reward_weights=weights,
    )
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=funcs,
        args=args,
        train_dataset=train,
        processing_class=tokenizer,
        peft_config=_peft_config(job),
        callbacks=[make_callback(job.output_dir)],
    )
    return _train_and_save(trainer, tokenizer, job, samples=len(train), components=[f.__name__ for f in funcs],
                           skipped={c["name"]: c["reason"] for c in skipped})


def _train_and_save(trainer, tokenizer, job: Job, **info: Any) -> dict[str, Any]:
    from transformers.trainer_callback import PrinterCallback

    trainer.remove_callback(PrinterCallback)  # our JSON lines replace its printed dicts
    emit("started", type=job.type, name=job.name, **info)
    result = trainer.train()
    trainer.save_model(job.output_dir)
    tokenizer.save_pretrained(job.output_dir)
    summary = {"global_step": result.global_step, "training_loss": result.training_loss, **info,
               "artifact": "adapter" if job.lora else "model"}
    with open(os.path.join(job.output_dir, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2, sort_keys=True)
    return summary


def run_job(job: Job) -> dict[str, Any]:
    os.makedirs(job.output_dir, exist_ok=True)
    with open(os.path.join(job.output_dir, "resolved_job.json"), "w", encoding="utf-8") as f:
        json.dump(job.resolved(), f, indent=2, sort_keys=True)
    metrics = os.path.join(job.output_dir, "metrics.jsonl")
    if os.path.exists(metrics):
        os.remove(metrics)
    return run_sft(job) if job.type == "sft" else run_grpo(job)
