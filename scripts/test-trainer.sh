#!/usr/bin/env bash
# The trainer's tests: sets up .venv when missing (scripts/setup-python.sh), starts a real Ray head
# on 127.0.0.1 (token auth, dashboard on a free port, 2 CPUs, temp dir under /tmp), runs pytest
# (trainer/tests) and the Ray mocha tests (out/test/ray) with RAY_ADDRESS set, and always stops the
# Ray head it started, and only that one (its processes are found by its own temp dir: other Ray
# heads on the machine are left alone; never `ray stop`, which stops every head of the user).
# Exits non-zero when any test fails. `--ray-only` skips pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-python.sh
VENV=${USERLM_VENV:-.venv}
PY="$VENV/bin/python"
npx tsc -b

TMP=$(mktemp -d -p /tmp)  # short path: Ray puts Unix sockets under it
read -r GCS_PORT DASH_PORT CLIENT_PORT AGENT_PORT < <("$PY" - <<'PY'
import socket
socks = [socket.socket() for _ in range(4)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
PY
)
export RAY_AUTH_MODE=token
RAY_AUTH_TOKEN=$("$PY" -c 'import secrets; print(secrets.token_hex(16))')
export RAY_AUTH_TOKEN
# The judge key lives in the cluster's environment only; jobs name the variable, never the value.
USERLM_TEST_JUDGE_KEY="sk-judge-$("$PY" -c 'import secrets; print(secrets.token_hex(8))')"
export USERLM_TEST_JUDGE_KEY
export RAY_USAGE_STATS_ENABLED=0
# Ray starts task workers at nice 15 (its `worker_niceness`), and the trainer trains in a task. On a
# shared machine (CI) any CPU-bound neighbour at nice 0 then leaves the training a few percent of a
# core: with two busy processes beside it, a 3-step tiny SFT job took 266 s instead of 21 s. The test
# head runs its workers at the same priority as everything else.
export RAY_worker_niceness=0
# The head runs from the venv, so job entrypoints (`python -m trainer ...`) find the trainer's deps.
PATH="$(cd "$VENV/bin" && pwd):$PATH"
export PATH

# The PIDs of this head's processes: their command lines name its temp dir (session, logs, sockets).
our_ray_pids() { pgrep -f -- "$TMP/ray/" || true; }
stop_our_ray() {
  local pids
  pids=$(our_ray_pids)
  if [ -n "$pids" ]; then
    kill $pids 2>/dev/null || true
    for _ in $(seq 1 30); do
      pids=$(our_ray_pids); [ -z "$pids" ] && break; sleep 0.5
    done
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null || true
  fi
}
cleanup() {
  stop_our_ray
  rm -rf "$TMP"
}
trap cleanup EXIT

# On a busy machine the raylet may miss Ray's fixed 30 s start-up window: up to 3 tries, each after
# stopping what the last one left (only this head's processes).
started=0
for attempt in 1 2 3; do
  echo "test-trainer: starting a Ray head (dashboard 127.0.0.1:$DASH_PORT, try $attempt)"
  if "$VENV/bin/ray" start --head --node-ip-address 127.0.0.1 --port "$GCS_PORT" \
    --dashboard-host 127.0.0.1 --dashboard-port "$DASH_PORT" --include-dashboard true \
    --ray-client-server-port "$CLIENT_PORT" --dashboard-agent-listen-port "$AGENT_PORT" \
    --min-worker-port 30000 --max-worker-port 30999 \
    --num-cpus 2 --temp-dir "$TMP/ray" --disable-usage-stats > "$TMP/ray-start.log" 2>&1; then
    started=1; break
  fi
  tail -3 "$TMP/ray-start.log"
  stop_our_ray
done
[ "$started" = 1 ] || { cat "$TMP/ray-start.log"; exit 1; }
# Wait (up to 180 s: busy machines) for the dashboard's /api/version with the token.
"$PY" - "$DASH_PORT" <<'PY' || { echo "test-trainer: the Ray dashboard did not come up"; cat "$TMP/ray-start.log"; exit 1; }
import os, sys, time, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/api/version"
req = urllib.request.Request(url, headers={"Authorization": "Bearer " + os.environ["RAY_AUTH_TOKEN"]})
for _ in range(180):
    try:
        urllib.request.urlopen(req, timeout=5).read()
        sys.exit(0)
    except Exception:
        time.sleep(1)
sys.exit(1)
PY

status=0
if [ "${1:-}" != "--ray-only" ]; then  # --ray-only: just the Ray tests (pytest needs no Ray head)
  echo "test-trainer: pytest trainer/tests"
  "$PY" -m pytest -q -p no:cacheprovider trainer/tests || status=1
fi
echo "test-trainer: mocha out/test/ray"
RAY_ADDRESS="http://127.0.0.1:$DASH_PORT" USERLM_TEST_RAY_TOKEN="$RAY_AUTH_TOKEN" \
  npx mocha --no-config --timeout 600000 --exit 'out/test/ray/**/*.test.js' || status=1
exit $status
