#!/usr/bin/env bash
# The notebook tool: Jupyter's executor (nbclient) with Deno's TypeScript kernel,
# both from PyPI, in .venv/notebooks. Idempotent: a second run is a fast no-op.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV="${ECG_LAB_NOTEBOOK_VENV:-.venv/notebooks}"
STAMP="$VENV/.ecg-lab-notebooks-3"
if [[ -f "$STAMP" ]]; then exit 0; fi
[[ -x "$VENV/bin/deno" ]] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check deno==2.9.8 nbclient==0.11.0 nbformat==5.11.1
KDIR="$VENV/share/jupyter/kernels/ecg-lab-deno"
mkdir -p "$KDIR"
cat >"$KDIR/kernel.json" <<JSON
{
  "argv": ["$(cd "$VENV" && pwd)/bin/deno", "jupyter", "--quiet", "--kernel", "--unstable-sloppy-imports", "--conn", "{connection_file}"],
  "display_name": "ecg-lab (Deno TypeScript)",
  "language": "typescript"
}
JSON
touch "$STAMP"
