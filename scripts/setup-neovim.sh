#!/usr/bin/env bash
# Installs Debian's neovim for the headless-Neovim language server test (test/editors/neovim.test.mjs).
# Idempotent and quick when it is already there.
set -euo pipefail
if command -v nvim >/dev/null 2>&1; then
  echo "setup-neovim: $(nvim --version | head -1) already installed"
  exit 0
fi
echo "setup-neovim: installing the Debian package neovim"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends neovim
nvim --version | head -1
