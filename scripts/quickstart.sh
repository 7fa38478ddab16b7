#!/usr/bin/env bash
# One command on a fresh machine: install dependencies (when missing), build, and preview a
# sample scenario on the built-in agenda simulator (no API key, no network).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent
node dist/cli.js run samples/scenarios/telecom-upgrade.scenario.yaml "$@"
