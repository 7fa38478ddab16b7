"""``python -m trainer --job job.json [--ray]``: runs one SFT or GRPO job; exit 0 on success, 2 on a bad job."""

from __future__ import annotations

import argparse
import sys

from .job import JobError, load_job
from .judge import JudgeError
from .progress import emit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trainer", description="UserLM Studio trainer: SFT and multi-reward GRPO.")
    parser.add_argument("--job", required=True, help="path of job.json")
    parser.add_argument("--check", action="store_true", help="validate the job file and exit")
    parser.add_argument("--ray", action="store_true", help="run on the Ray cluster of this job: ask Ray for the job's resources (and workers), then train")
    ns = parser.parse_args(argv)
    try:
        job = load_job(ns.job)
        if ns.check:
            print(f"job ok: {job.type} on {job.base_model}")
            return 0
        if ns.ray:
            from .launch import run_on_ray

            summary = run_on_ray(ns.job, job)
        else:
            from .train import run_job

            summary = run_job(job)
    except JobError as e:
        emit("error", message=str(e))
        print(f"trainer: {e}", file=sys.stderr)
        return 2
    except JudgeError as e:
        emit("error", message=str(e))
        print(f"trainer: {e}", file=sys.stderr)
        return 1
    emit("finished", **summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
