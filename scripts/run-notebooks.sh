#!/usr/bin/env bash
# Execute every notebook top to bottom on a run store (ECG_LAB_RUNS, else a
# fresh fixture store), so they cannot rot. The executed copies, with their
# outputs, are kept in notebooks/executed/ (git-ignored): open them in
# JupyterLab (npm run notebooks) or any notebook viewer. A notebook's
# diagnostics (Jupyter's and Deno's) are shown only when it fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup-notebooks.sh
VENV="${ECG_LAB_NOTEBOOK_VENV:-.venv/notebooks}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [[ -z "${ECG_LAB_RUNS:-}" ]]; then
  export ECG_LAB_RUNS="$work/runs"
  node --import tsx test/report/fixture-store.ts "$ECG_LAB_RUNS" >/dev/null
fi
export JUPYTER_PATH="$(cd "$VENV" && pwd)/share/jupyter"
export ECG_LAB_REPORT_OUT="$work"
export NO_COLOR=1 PYTHONWARNINGS=ignore
mkdir -p notebooks/executed
status=0
for nb in notebooks/*.ipynb; do
  name="$(basename "$nb" .ipynb)"
  # --output is relative to the notebook's folder: the kernel still runs in notebooks/ (its ../src imports hold).
  if "$VENV/bin/jupyter-execute" --kernel_name=ecg-lab-deno --timeout=300 --output="executed/$name" "$nb" >"$work/$name.log" 2>&1; then
    echo "executed $nb -> notebooks/executed/$name.ipynb"
  else
    cat "$work/$name.log" >&2
    echo "failed $nb" >&2
    status=1
  fi
done
exit $status
