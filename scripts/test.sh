#!/usr/bin/env bash
# The README's test command after `npm ci`: installs and starts what the
# tests need, runs every test file on its own (uvu: each file is a program),
# and ends with one line `N passed, N failed`.
#
#   bash scripts/test.sh [test/some/dir-or-file ...]
#
# What it sets up: the MLflow virtual environment and a server on 127.0.0.1
# (scripts/mlflow-server.sh; its URI goes to the tests as MLFLOW_TEST_URI),
# stopped again on exit; a single-node SLURM cluster (scripts/slurm-setup.sh),
# stopped on exit; Debian's Chromium for the HTML report test; the
# notebook kernel, then executes the notebooks (each counts as a test).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup-chromium.sh >/dev/null || echo "warning: could not install Chromium; the HTML report test will fail" >&2

MLFLOW_STARTED=
SLURM_STARTED=
stop_services() {
  [[ -n "$MLFLOW_STARTED" ]] && bash scripts/mlflow-server.sh stop
  [[ -n "$SLURM_STARTED" ]] && bash scripts/slurm-stop.sh
}
trap stop_services EXIT

if [[ "${ECG_LAB_TEST_NO_MLFLOW:-}" != "1" ]]; then
  if uri="$(bash scripts/mlflow-server.sh start)"; then
    export MLFLOW_TEST_URI="${uri##*$'\n'}"
    MLFLOW_STARTED=1
    echo "mlflow server: $MLFLOW_TEST_URI"
  else
    echo "warning: could not start the MLflow server; MLflow tests will fail" >&2
  fi
fi

# A single-node SLURM cluster (munged, slurmctld, slurmd) for the launcher tests.
if [[ "${ECG_LAB_TEST_NO_SLURM:-}" != "1" ]]; then
  if bash scripts/slurm-setup.sh; then
    SLURM_STARTED=1
  else
    echo "warning: could not start SLURM; the SLURM tests will fail" >&2
  fi
fi

if [[ $# -gt 0 ]]; then
  mapfile -t files < <(find "$@" -name '*.test.ts' | sort)
else
  mapfile -t files < <(find test -name '*.test.ts' | sort)
fi

passed=0
failed=0
skipped=0
broken=()
log="$(mktemp)"
for file in "${files[@]}"; do
  start=$(date +%s)
  node --import tsx "$file" >"$log" 2>&1
  code=$?
  cat "$log"
  p=$(grep -E '^\s*Passed:' "$log" | tail -1 | grep -oE '[0-9]+' || true)
  t=$(grep -E '^\s*Total:' "$log" | tail -1 | grep -oE '[0-9]+' || true)
  s=$(grep -E '^\s*Skipped:' "$log" | tail -1 | grep -oE '[0-9]+' || true)
  if [[ -z "$t" ]]; then
    # The file crashed before uvu could count: one failure.
    failed=$((failed + 1))
    broken+=("$file (exit $code, no totals)")
  else
    passed=$((passed + p))
    skipped=$((skipped + ${s:-0}))
    # uvu's Total counts the tests that ran: test.skip ones are only in Skipped.
    f=$((t - p))
    failed=$((failed + f))
    if [[ $f -gt 0 || $code -ne 0 ]]; then
      [[ $f -eq 0 ]] && failed=$((failed + 1))
      broken+=("$file")
    fi
  fi
  echo "── $file: $(( $(date +%s) - start ))s"
done
rm -f "$log"

if [[ $# -eq 0 ]]; then
  notebooks=(notebooks/*.ipynb)
  nb_log="$(mktemp)"
  bash scripts/run-notebooks.sh >"$nb_log" 2>&1
  cat "$nb_log"
  executed=$(grep -c '^executed ' "$nb_log" || true)
  passed=$((passed + executed))
  if [[ $executed -lt ${#notebooks[@]} ]]; then
    failed=$((failed + ${#notebooks[@]} - executed))
    broken+=("notebooks ($executed of ${#notebooks[@]} executed)")
  fi
  rm -f "$nb_log"
fi

if [[ ${#broken[@]} -gt 0 ]]; then
  echo "failing test files:"
  printf '  %s\n' "${broken[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
