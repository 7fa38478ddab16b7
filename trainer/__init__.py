"""UserLM Studio trainer: SFT and multi-reward GRPO for user simulators (runs as a Ray job).

Run: ``python -m trainer --job job.json``. See ``trainer/job.py`` for the job file.
"""

__version__ = "0.1.0"
