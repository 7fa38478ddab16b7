"""SFT (TRL SFTTrainer) and multi-reward GRPO (TRL GRPOTrainer, single-turn or whole dialogues) from a parsed job."""

from __future__ import annotations

import json
import os
from typing import Any

from .artifacts import claim, resume_checkpoint, sync_up
from .job import Job, JobError, is_uri
from .lm_head import score_labelled_positions_on_cpu
from .progress import emit, make_callback

DTYPES = {"float32": "float32", "bfloat16": "bfloat16", "float16": "float16"}


def need(module: str, what: str, install: str) -> None:
    """A clear error when a setting needs a package the cluster's Python lacks."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise JobError(f"job: {what} needs the '{module}' package, which is not installed on the cluster: pip install {install}")


def _distributed_args(job: Job) -> dict[str, Any]:
    """FSDP or DeepSpeed ZeRO settings for the TrainingArguments (DDP needs none: torch.distributed is set up by the launcher)."""
    hp = job.hyperparameters
    if hp["strategy"] == "fsdp":
        return {"fsdp": "full_shard auto_wrap", "fsdp_config": {"use_orig_params": True}}
    if hp["strategy"] == "deepspeed":
        need("deepspeed", "hyperparameters.strategy=deepspeed", "deepspeed")
        stage = hp["zero_stage"]
        ds = {"zero_optimization": {"stage": stage, **({"stage3_gather_16bit_weights_on_model_save": True} if stage == 3 else {})},
              "bf16": {"enabled": "auto"}, "fp16": {"enabled": "auto"},
              "train_micro_batch_size_per_gpu": "auto", "gradient_accumulation_steps": "auto", "train_batch_size": "auto"}
        return {"deepspeed": ds}
    return {}


def _common_args(job: Job, output_dir: str) -> dict[str, Any]:
    hp = job.hyperparameters
    return dict(
        output_dir=output_dir,
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
        **({"use_cpu": True} if hp["bf16"] and not _has_gpu() else {}),  # bf16 autocast on a CPU worker
        gradient_checkpointing=hp["gradient_checkpointing"],  # TRL's own default is True: the schema's default (false) must be passed
        report_to="none",
        disable_tqdm=True,
        dataloader_num_workers=0,
        **_distributed_args(job),
    )


def _has_gpu() -> bool:
    import torch

    return torch.cuda.is_available()


def _eval_args(job: Job, has_validation: bool) -> dict[str, Any]:
    if not has_validation:
        return {"eval_strategy": "no"}
    steps = job.hyperparameters["eval_steps"]
    return {"eval_strategy": "steps", "eval_steps": steps} if steps > 0 else {"eval_strategy": "epoch"}


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


def model_kwargs(job: Job) -> dict[str, Any]:
    """from_pretrained arguments for dtype, attention and 4-bit loading, with a clear error for a missing package or GPU."""
    hp = job.hyperparameters
    kw: dict[str, Any] = {}
    if hp["dtype"] != "auto":
        import torch

        kw["dtype"] = getattr(torch, DTYPES[hp["dtype"]])
    attn = hp.get("attn_implementation")
    if attn:
        if attn.startswith("flash_attention"):
            need("flash_attn" if attn == "flash_attention_2" else "flash_attn_interface", f"hyperparameters.attn_implementation={attn}", "flash-attn")
        kw["attn_implementation"] = attn
    if hp["load_in_4bit"]:
        need("bitsandbytes", "hyperparameters.load_in_4bit", "bitsandbytes")
        import torch
        from transformers import BitsAndBytesConfig

        if not _has_gpu():
            raise JobError("job: hyperparameters.load_in_4bit: 4-bit loading (bitsandbytes) needs a CUDA GPU on the worker")
        kw["quantization_config"] = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                                                       bnb_4bit_compute_dtype=torch.bfloat16)
    return kw


def _load_model_and_tokenizer(job: Job):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(job.tokenizer)
        model = AutoModelForCausalLM.from_pretrained(job.base_model, **model_kwargs(job))
    except OSError as e:
        raise JobError(f"job: base_model: cannot load '{job.base_model}': {str(e).splitlines()[0]}") from None
    except ImportError as e:  # e.g. flash-attn present but not matching torch
        raise JobError(f"job: base_model: cannot load '{job.base_model}' with these settings: {str(e).splitlines()[0]}") from None
    if job.hyperparameters["load_in_4bit"]:
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=job.hyperparameters["gradient_checkpointing"])
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    if tokenizer.chat_template is None:
        raise JobError(f"job: tokenizer: '{job.tokenizer}' has no chat template; the datasets are chat-format")
    return model, tokenizer


def run_sft(job: Job, output_dir: str) -> dict[str, Any]:
    from trl import SFTConfig, SFTTrainer

    from .data import sft_dataset
    from .lengths import chat_lengths, max_length_for

    train = sft_dataset(job.train_file)
    val = sft_dataset(job.validation_file, "datasets.validation") if job.validation_file else None
    model, tokenizer = _load_model_and_tokenizer(job)
    info: dict[str, Any] = {}
    if job.hyperparameters.get("max_length") is None:  # set from the data, measured with the tokenizer
        lengths = chat_lengths(tokenizer, [r["prompt"] + r["completion"] for r in train])
        job.hyperparameters["max_length"] = max_length_for(lengths)
        info["max_length_from_data"] = job.hyperparameters["max_length"]
    args = SFTConfig(
        **_common_args(job, output_dir),
        **_eval_args(job, val is not None),
        max_length=job.hyperparameters["max_length"],
        completion_only_loss=True,
        per_device_eval_batch_size=job.hyperparameters["per_device_train_batch_size"],
    )
    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=train,
        eval_dataset=val,
        processing_class=tokenizer,
        peft_config=_peft_config(job),
        callbacks=[make_callback(output_dir, job.output_dir)],
    )
    if len(trainer.train_dataset) == 0:  # TRL drops samples whose target is cut off by max_length
        raise JobError(
            f"job: hyperparameters.max_length: no training sample fits in {job.hyperparameters['max_length']} tokens "
            "(the simulator prompt and dialogue come first and the target was cut off); raise max_length or leave it out"
        )
    return _train_and_save(trainer, tokenizer, job, output_dir, samples=len(trainer.train_dataset), **info)


def _vllm_args(job: Job) -> dict[str, Any]:
    hp = job.hyperparameters
    if hp["vllm"] == "off":
        return {}
    need("vllm", f"hyperparameters.vllm={hp['vllm']}", "vllm (the version TRL supports, see `pip install trl[vllm]`)")
    out: dict[str, Any] = {"use_vllm": True, "vllm_mode": hp["vllm"]}
    if hp["vllm"] == "server":
        out["vllm_server_base_url"] = hp["vllm_server_base_url"]
    else:
        out["vllm_gpu_memory_utilization"] = float(hp["vllm_gpu_memory_utilization"])
    return out


def run_grpo(job: Job, output_dir: str) -> dict[str, Any]:
    from trl import GRPOConfig, GRPOTrainer

    from .data import rl_dataset
    from .decode import end_ids, turn_decoder
    from .hparams import generation_round
    from .judge import judge_from_job
    from .rewards.spec import SpecError
    from .rewards.grpo import reward_functions

    hp = job.hyperparameters
    train = rl_dataset(job.train_file)
    val = rl_dataset(job.validation_file, "datasets.validation") if job.validation_file else None
    # a generation round takes this many distinct prompts; TRL's sampler drops a round it cannot fill, so fewer rows train 0 steps
    per_round, steps = generation_round(hp)
    prompts_per_round = hp["per_device_train_batch_size"] * hp["num_workers"] * steps // hp["num_generations"]
    if len(train) < prompts_per_round:
        raise JobError(f"job: datasets.train: {len(train)} row(s), fewer than the {prompts_per_round} distinct prompts a generation round takes "
                       f"(per_device_train_batch_size × num_workers × {per_round} / num_generations): GRPO would train no step")
    assert job.reward_spec is not None
    judge = judge_from_job(job.judge, job.reward_spec)
    extra: dict[str, Any] = {}
    info: dict[str, Any] = {"rollout": hp["rollout"]}
    contexts: dict[str, dict] = {}
    if hp["rollout"] == "dialogue":  # the rows are checked before the model is loaded
        from .rollout import prompt_key

        for ds in (train, val):
            for row in ds or []:
                ctx = json.loads(row["context"])
                if "agent_lines" not in ctx:
                    raise JobError("job: datasets: rollout=dialogue needs dialogue rows (built by `userlm train submit` with rollout=dialogue), "
                                   "not single-turn RL rows")
                contexts[prompt_key(row["prompt"])] = ctx
    model, tokenizer = _load_model_and_tokenizer(job)
    if hp["rollout"] == "dialogue":
        from .rollout import dialogue_reward_functions, make_rollout_func

        credit = hp["turn_credit"] if hp["dialogue_history"] == "spoken" else "total"
        funcs, weights = dialogue_reward_functions(job.reward_spec, credit)
        extra["rollout_func"] = make_rollout_func(job.reward_spec, judge, contexts, job.agent, hp["dialogue_history"], hp["seed"], credit)
        info.update(dialogues=len(train), agent=hp["agent"], dialogue_history=hp["dialogue_history"], turn_credit=credit)
        skipped: dict[str, str] = {} if judge else {c["name"]: "no judge configured" for c in job.reward_spec["components"] if c["kind"] == "judge"}
    else:
        try:  # the rewards read the sampled turns from their ids: TRL's text has lost any special-token tags
            funcs, weights, skipped_list = reward_functions(job.reward_spec, judge, turn_decoder(tokenizer, end_ids(tokenizer, model.generation_config)))
        except SpecError as e:
            raise JobError(str(e)) from None
        skipped = {c["name"]: c["reason"] for c in skipped_list}
    args = GRPOConfig(
        **_common_args(job, output_dir),
        **_eval_args(job, val is not None),
        per_device_eval_batch_size=hp["per_device_train_batch_size"],
        num_generations=hp["num_generations"],
        **({"steps_per_generation": hp["steps_per_generation"]} if hp.get("steps_per_generation") else {}),
        max_completion_length=hp["max_completion_length"],
        temperature=float(hp["temperature"]),
        beta=float(hp["beta"]),
        scale_rewards=hp["scale_rewards"],
        reward_weights=weights,
        **_vllm_args(job),
    )
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=funcs,
        args=args,
        train_dataset=train,
        eval_dataset=val,
        processing_class=tokenizer,
        peft_config=_peft_config(job),
        callbacks=[make_callback(output_dir, job.output_dir)],
        **extra,
    )
    return _train_and_save(trainer, tokenizer, job, output_dir, samples=len(train), components=[f.__name__ for f in funcs],
                           skipped=skipped, **info)


def _train_and_save(trainer, tokenizer, job: Job, output_dir: str, **info: Any) -> dict[str, Any]:
    from transformers.trainer_callback import PrinterCallback

    trainer.remove_callback(PrinterCallback)  # our JSON lines replace its printed dicts
    score_labelled_positions_on_cpu()
    resume = resume_checkpoint(job.resume_from) if job.resume_from else None
    if resume:
        info["resumed_from"] = resume
    emit("started", type=job.type, name=job.name, output_dir=job.output_dir, **info)
    result = trainer.train(resume_from_checkpoint=resume)
    if trainer.eval_dataset is not None and not any("eval_loss" in h or "eval_reward" in h for h in trainer.state.log_history):
        trainer.evaluate()  # the validation split is always used: at the end when no evaluation ran during training
    trainer.save_model(output_dir)
    tokenizer.save_pretrained(output_dir)
    summary = {"global_step": result.global_step, "training_loss": result.training_loss, **info,
               "artifact": "adapter" if job.lora else "model"}
    if is_main_process():
        with open(os.path.join(output_dir, "summary.json"), "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=2, sort_keys=True)
    return summary


def is_main_process() -> bool:
    return int(os.environ.get("RANK", "0")) == 0


def run_job(job: Job, local: str | None = None) -> dict[str, Any]:
    """Runs the job into its own artifacts folder (refusing one that holds another job's files).
    With several workers the launcher claims the folder once and passes it as ``local``."""
    if local is None:
        local = claim(job.output_dir, job.name)
        with open(os.path.join(local, "resolved_job.json"), "w", encoding="utf-8") as f:
            json.dump(job.resolved(), f, indent=2, sort_keys=True)
    try:
        summary = run_sft(job, local) if job.type == "sft" else run_grpo(job, local)
    finally:
        if is_main_process():
            sync_up(local, job.output_dir)  # a storage URI gets whatever was written, failed jobs included
    if is_uri(job.output_dir):
        summary["uploaded_to"] = job.output_dir
    return summary
