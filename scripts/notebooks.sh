#!/usr/bin/env bash
# Open the notebooks in JupyterLab with ecg-lab's Deno TypeScript kernel:
#   npm run notebooks            (extra arguments go to `jupyter lab`, e.g. --port 8899)
# Installs what is missing into .venv/notebooks (Deno's kernel and Jupyter's
# executor via scripts/setup-notebooks.sh, JupyterLab from PyPI), then serves
# notebooks/ on 127.0.0.1 only. The notebooks read ECG_LAB_RUNS (default
# runs/) and show ECG_LAB_EXPERIMENT, else the experiment with the newest
# finished sweep. Ctrl-C stops the server.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup-notebooks.sh
VENV="${ECG_LAB_NOTEBOOK_VENV:-.venv/notebooks}"
if [[ ! -x "$VENV/bin/jupyter-lab" ]]; then
  echo "installing JupyterLab into $VENV (once)" >&2
  "$VENV/bin/pip" install -q --disable-pip-version-check jupyterlab==4.4.10
fi
export JUPYTER_PATH="$(cd "$VENV" && pwd)/share/jupyter"
if [[ -n "${ECG_LAB_RUNS:-}" ]]; then export ECG_LAB_RUNS="$(cd "$ECG_LAB_RUNS" && pwd)"; fi
# As root (a container), Jupyter refuses to start without --allow-root.
root=(); if [[ "$(id -u)" == 0 ]]; then root=(--allow-root); fi
exec "$VENV/bin/jupyter-lab" "${root[@]}" --ip=127.0.0.1 --no-browser --ServerApp.root_dir="$(pwd)/notebooks" \
  --MultiKernelManager.default_kernel_name=ecg-lab-deno "$@"
