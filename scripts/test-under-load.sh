#!/usr/bin/env bash
# The test suite on a busy machine: runs `npm test` (or only the steps named as arguments, e.g.
# `unit` for the mocha step, passed to scripts/test-all.mjs) RUNS times in a row while LOAD
# CPU-bound processes run beside it, then stops them and prints each run's result.
#
#   scripts/test-under-load.sh                 # npm test, 3 times, 2 busy processes
#   RUNS=5 LOAD=4 scripts/test-under-load.sh unit
#
# Exit status 0 when every run passed. Each run's full output is kept in $LOG_DIR
# (default test-artifacts/under-load/run-N.log).
set -u
cd "$(dirname "$0")/.."

RUNS="${RUNS:-3}"
LOAD="${LOAD:-2}"
LOG_DIR="${LOG_DIR:-test-artifacts/under-load}"
case "$RUNS$LOAD" in *[!0-9]*|'') echo "RUNS and LOAD must be whole numbers (got RUNS=$RUNS LOAD=$LOAD)" >&2; exit 2 ;; esac
if [ "$RUNS" -lt 1 ]; then echo "RUNS must be at least 1" >&2; exit 2; fi
mkdir -p "$LOG_DIR"

# The busy processes: each spins one core until stopped. Only these pids are ever signalled.
busy=()
stop_busy() {
  for pid in "${busy[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${busy[@]}"; do wait "$pid" 2>/dev/null; done
  busy=()
}
trap stop_busy EXIT
trap 'stop_busy; exit 130' INT TERM
for _ in $(seq 1 "$LOAD"); do
  node -e 'for (;;) {}' &
  busy+=("$!")
done
echo "under load: ${#busy[@]} CPU-bound processes (pids ${busy[*]}) on $(nproc 2>/dev/null || echo '?') cores; $RUNS run(s) of: node scripts/test-all.mjs $*"

results=()
failed=0
for run in $(seq 1 "$RUNS"); do
  log="$LOG_DIR/run-$run.log"
  start=$(date +%s)
  node scripts/test-all.mjs "$@" >"$log" 2>&1
  code=$?
  secs=$(( $(date +%s) - start ))
  counts=$(grep -E '^tests: ' "$log" | tail -1)
  if [ "$code" -eq 0 ]; then status=passed; else status="FAILED (exit $code)"; failed=$((failed + 1)); fi
  line="run $run/$RUNS: $status in ${secs} s; ${counts:-no count}"
  results+=("$line")
  echo "$line"
  if [ "$code" -ne 0 ]; then
    echo "  failures (full log: $log):"
    grep -E '^\s+[0-9]+\) |=== FAILED|AssertionError|Error:' "$log" | head -20 | sed 's/^/    /'
  fi
done
stop_busy

echo
echo "== under load ($LOAD busy processes): $((RUNS - failed))/$RUNS runs passed"
printf '%s\n' "${results[@]}"
[ "$failed" -eq 0 ]
