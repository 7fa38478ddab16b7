"""Running a job on the Ray cluster it was submitted to (``python -m trainer --job job.json --ray``).

The job's entrypoint reserves nothing; it asks Ray here for the job's ``resources`` and waits for
them, printing a ``{"event": "waiting"}`` line first. So a job that waits (a cluster without free
GPUs) is a running driver Ray can stop at once: cancelling works in every state.

- One worker (``num_workers`` 1): the training runs as one Ray task with the resources.
- Several workers (``strategy`` ddp | fsdp | deepspeed): Ray Train's ``TorchTrainer`` starts
  ``num_workers`` workers, each with the resources, and sets up ``torch.distributed`` (NCCL on GPUs,
  gloo on CPUs); transformers' Trainer (accelerate) then runs DDP, FSDP or DeepSpeed ZeRO as the
  hyperparameters say. Rank 0 writes the artifacts and the progress lines.
"""

from __future__ import annotations

import os
from typing import Any

from .job import Job, JobError
from .progress import emit


def _run_local(job_path: str) -> dict[str, Any]:
    from .job import load_job
    from .train import run_job

    return run_job(load_job(job_path))


def _worker_loop(config: dict) -> None:
    """One Ray Train worker: torch.distributed is up (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR set)."""
    from .job import load_job
    from .train import run_job

    job = load_job(config["job_path"])
    run_job(job, local=config["local"])


def resources_of(job: Job) -> dict[str, float]:
    return {"cpus": float(job.resources.get("cpus", 1)), "gpus": float(job.resources.get("gpus", 0))}


def run_on_ray(job_path: str, job: Job) -> dict[str, Any]:
    import ray
    from ray.exceptions import RayTaskError

    ray.init(address=os.environ.get("RAY_ADDRESS", "auto"), log_to_driver=True, configure_logging=False)
    res = resources_of(job)
    workers = job.hyperparameters["num_workers"]
    emit("waiting", resources={**res, "workers": workers})
    path = os.path.abspath(job_path)
    try:
        if workers == 1:
            task = ray.remote(_run_local).options(num_cpus=res["cpus"], num_gpus=res["gpus"], max_retries=0)
            return ray.get(task.remote(path))
        return _run_distributed(path, job, res, workers)
    except RayTaskError as e:
        cause = getattr(e, "cause", None)
        if isinstance(cause, JobError):
            raise cause from None
        raise


def _run_distributed(path: str, job: Job, res: dict[str, float], workers: int) -> dict[str, Any]:
    import json

    from ray.train import RunConfig, ScalingConfig
    from ray.train.torch import TorchTrainer

    from .artifacts import claim

    local = claim(job.output_dir, job.name)  # once, before the workers start: never another job's folder
    with open(os.path.join(local, "resolved_job.json"), "w", encoding="utf-8") as f:
        json.dump(job.resolved(), f, indent=2, sort_keys=True)
    use_gpu = res["gpus"] > 0
    per_worker = {"CPU": res["cpus"], **({"GPU": res["gpus"]} if use_gpu else {})}
    trainer = TorchTrainer(
        _worker_loop,
        train_loop_config={"job_path": path, "local": local},
        scaling_config=ScalingConfig(num_workers=workers, use_gpu=use_gpu, resources_per_worker=per_worker),
        run_config=RunConfig(name=job.name, storage_path=os.path.join(local, "ray-train")),
    )
    trainer.fit()
    with open(os.path.join(local, "summary.json"), encoding="utf-8") as f:
        summary = json.load(f)
    return {**summary, "workers": workers, "strategy": job.hyperparameters["strategy"]}
