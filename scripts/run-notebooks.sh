#!/usr/bin/env bash
# Execute every notebook top to bottom on a run store (ECG_LAB_RUNS, else a
# fresh fixture store), so they cannot rot. Outputs go to a temp folder.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup-notebooks.sh
VENV="${ECG_LAB_NOTEBOOK_VENV:-.venv/notebooks}"
out="$(mktemp -d)"
if [[ -z "${ECG_LAB_RUNS:-}" ]]; then
  export ECG_LAB_RUNS="$out/runs"
  node --import tsx test/report/fixture-store.ts "$ECG_LAB_RUNS" >/dev/null
fi
export JUPYTER_PATH="$(cd "$VENV" && pwd)/share/jupyter"
export ECG_LAB_REPORT_OUT="$out"
for nb in notebooks/*.ipynb; do
  "$VENV/bin/jupyter-execute" --kernel_name=ecg-lab-deno --timeout=300 "$nb"
  echo "executed $nb"
done
