#!/usr/bin/env bash
# Installs what the real-VS-Code integration tests need, offline-friendly and idempotent:
#   code-server 4.100.3 (the newest that runs on Node 20) with its native modules built locally,
#   into .tools/code-server/, and the Debian packages chromium, ripgrep, libkrb5-dev.
# Recipe: shared/notes/real-vscode-offline.md. Fast (a few checks) when already installed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools/code-server"
VERSION=4.100.3
STAMP="$TOOLS/.installed-$VERSION"
export npm_config_yes=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v rg >/dev/null 2>&1 || need_apt+=(ripgrep)
command -v unzip >/dev/null 2>&1 || need_apt+=(unzip)  # unpacks the .vsix under test
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup-vscode: installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need_apt[@]}"
fi

if [ -f "$STAMP" ]; then
  echo "setup-vscode: code-server $VERSION already installed in $TOOLS"
  exit 0
fi

echo "setup-vscode: installing code-server $VERSION into $TOOLS (about 2-4 minutes)"
mkdir -p "$TOOLS"
cd "$TOOLS"
[ -f package.json ] || echo '{"name":"userlm-tools","private":true}' > package.json
npm install --ignore-scripts --no-save "code-server@$VERSION"
(cd node_modules/argon2 && npx @mapbox/node-pre-gyp install --fallback-to-build)
cd node_modules/code-server/lib/vscode
npm install --omit=dev --ignore-scripts
for m in kerberos @parcel/watcher @vscode/spdlog native-watchdog node-pty; do
  (cd "node_modules/$m" && { [ ! -f binding.gyp ] || npx node-gyp rebuild; })
done
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
ln -sfn node_modules node_modules.asar
(cd extensions && npm install --omit=dev --ignore-scripts)
touch "$STAMP"
echo "setup-vscode: done"
