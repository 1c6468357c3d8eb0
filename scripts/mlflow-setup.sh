#!/usr/bin/env bash
# Installs the MLflow tracking server that ecg-lab's tests run against into a
# project-local virtual environment (.venv/mlflow, git-ignored). Re-running it
# is a fast no-op while the installed version matches the pin below.
#
#   bash scripts/mlflow-setup.sh        # prints the venv's bin/ folder
#
# Environment: ECG_LAB_MLFLOW_VENV (default <repo>/.venv/mlflow),
#              PYTHON (default python3.11, else python3).
set -euo pipefail

# The one place the MLflow server version is pinned.
MLFLOW_VERSION="3.17.2"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${ECG_LAB_MLFLOW_VENV:-$repo_root/.venv/mlflow}"
stamp="$venv/.ecg-lab-mlflow-version"

if [[ -x "$venv/bin/mlflow" && -f "$stamp" && "$(cat "$stamp")" == "$MLFLOW_VERSION" ]]; then
  echo "$venv/bin"
  exit 0
fi

python="${PYTHON:-}"
if [[ -z "$python" ]]; then
  if command -v python3.11 >/dev/null 2>&1; then python=python3.11; else python=python3; fi
fi
if ! command -v "$python" >/dev/null 2>&1; then
  echo "mlflow-setup: $python not found; install Python 3.10+ (with venv) first" >&2
  exit 1
fi

echo "mlflow-setup: installing mlflow==$MLFLOW_VERSION into $venv (one time, a few minutes)" >&2
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip >&2
"$venv/bin/python" -m pip install --quiet "mlflow==$MLFLOW_VERSION" >&2
"$venv/bin/mlflow" --version >&2
echo "$MLFLOW_VERSION" > "$stamp"
echo "$venv/bin"
