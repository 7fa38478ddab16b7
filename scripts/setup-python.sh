#!/usr/bin/env bash
# Creates .venv with the trainer's pinned dependencies (trainer/requirements.txt), idempotently:
# nothing is done when .venv/.requirements-hash matches the requirements file.
# torch is installed first and on its own so nothing later pulls a different (CUDA) build.
set -euo pipefail
cd "$(dirname "$0")/.."
REQ=trainer/requirements.txt
VENV=${USERLM_VENV:-.venv}
PY=${PYTHON:-python3}
hash=$(sha256sum "$REQ" | cut -d' ' -f1)
stamp="$VENV/.requirements-hash"
if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ]; then
  echo "setup-python: $VENV is up to date"
  exit 0
fi
echo "setup-python: creating $VENV from $REQ"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
torch_pin=$(grep -E '^torch==' "$REQ")
"$VENV/bin/python" -m pip install --quiet "$torch_pin"
"$VENV/bin/python" -m pip install --quiet -r "$REQ" "$torch_pin"
"$VENV/bin/python" - <<'PY'
import torch
print("setup-python: torch", torch.__version__, "cuda" if torch.version.cuda else "cpu")
PY
echo "$hash" > "$stamp"
