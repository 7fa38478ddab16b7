#!/usr/bin/env bash
# On a GPU machine: the trainer's environment in .venv-gpu (scripts/setup-python.sh; on a machine
# without this workplace's CPU wheel cache, pip's default index gives the CUDA build of the pinned
# torch), then the GRPO throughput check (about 100M parameters, fixed steps). Extra arguments go
# to the script, e.g. `--steps 30 --batch 32`.
set -euo pipefail
cd "$(dirname "$0")/../.."
USERLM_VENV=.venv-gpu bash scripts/setup-python.sh
.venv-gpu/bin/python -c 'import torch; assert torch.cuda.is_available(), "no CUDA device (or a CPU build of torch)"; print("GPU:", torch.cuda.get_device_name(0))'
exec .venv-gpu/bin/python test/gpu/grpo_throughput.py "$@"
