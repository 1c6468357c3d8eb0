#!/usr/bin/env bash
# Starts or stops a throw-away MLflow tracking server for ecg-lab's tests or a
# local try-out: 127.0.0.1 on a free port, SQLite backend store and proxied
# artifacts (--serve-artifacts) under a fresh temporary folder.
#
#   uri=$(bash scripts/mlflow-server.sh start)   # prints http://127.0.0.1:<port>
#   export MLFLOW_TEST_URI=$uri                  # tests use it instead of their own
#   bash scripts/mlflow-server.sh stop           # kills it, removes its folder
#
# State (pid, folder, uri) lives in ECG_LAB_MLFLOW_STATE (default
# <repo>/.venv/mlflow-server.env), so `stop` finds what `start` left.
# The venv comes from scripts/mlflow-setup.sh, which `start` runs first.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${ECG_LAB_MLFLOW_STATE:-$repo_root/.venv/mlflow-server.env}"
timeout_s="${ECG_LAB_MLFLOW_START_TIMEOUT_S:-120}"

stop_server() {
  [[ -f "$state" ]] || return 0
  # shellcheck disable=SC1090
  source "$state"
  if [[ -n "${MLFLOW_SERVER_PID:-}" ]] && kill -0 "$MLFLOW_SERVER_PID" 2>/dev/null; then
    # The server runs in its own process group (setsid): end the group, so its
    # worker processes go too.
    kill -TERM -- "-$MLFLOW_SERVER_PID" 2>/dev/null || kill -TERM "$MLFLOW_SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$MLFLOW_SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$MLFLOW_SERVER_PID" 2>/dev/null || true
  fi
  [[ -n "${MLFLOW_SERVER_DIR:-}" && -d "$MLFLOW_SERVER_DIR" ]] && rm -rf "$MLFLOW_SERVER_DIR"
  rm -f "$state"
}

start_server() {
  if [[ -f "$state" ]]; then
    # shellcheck disable=SC1090
    source "$state"
    if [[ -n "${MLFLOW_SERVER_PID:-}" ]] && kill -0 "$MLFLOW_SERVER_PID" 2>/dev/null; then
      echo "$MLFLOW_SERVER_URI"
      return 0
    fi
    stop_server
  fi
  local bin
  bin="$(bash "$repo_root/scripts/mlflow-setup.sh" | tail -n 1)"
  local dir port uri
  dir="$(mktemp -d "${TMPDIR:-/tmp}/ecg-lab-mlflow.XXXXXX")"
  port="$("$bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
  uri="http://127.0.0.1:$port"
  # MLflow 3's job runner (huey workers for GenAI jobs) is not needed for tracking.
  MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false setsid "$bin/mlflow" server \
    --host 127.0.0.1 --port "$port" --workers 1 \
    --backend-store-uri "sqlite:///$dir/mlflow.db" \
    --serve-artifacts --artifacts-destination "$dir/artifacts" \
    >"$dir/server.log" 2>&1 </dev/null &
  local pid=$!
  mkdir -p "$(dirname "$state")"
  printf 'MLFLOW_SERVER_PID=%s\nMLFLOW_SERVER_DIR=%q\nMLFLOW_SERVER_URI=%s\n' "$pid" "$dir" "$uri" >"$state"
  local deadline=$((SECONDS + timeout_s))
  until curl -fsS "$uri/health" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "mlflow-server: the server exited during start; its log:" >&2
      tail -n 40 "$dir/server.log" >&2
      stop_server
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      echo "mlflow-server: no answer from $uri/health within ${timeout_s}s; its log:" >&2
      tail -n 40 "$dir/server.log" >&2
      stop_server
      exit 1
    fi
    sleep 0.5
  done
  echo "$uri"
}

case "${1:-}" in
  start) start_server ;;
  stop) stop_server ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
