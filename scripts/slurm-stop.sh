#!/usr/bin/env bash
# Stops the daemons scripts/slurm-setup.sh started (slurmd, slurmctld,
# munged), by the pids they recorded. Jobs still queued are lost with the
# controller's state folder left in place (a later setup restores them).
set -uo pipefail

dir="${ECG_LAB_SLURM_DIR:-/var/spool/ecg-lab-slurm}"

stop_pid() {
  local pidfile=$1
  [[ -f "$pidfile" ]] || return 0
  local pid
  pid="$(cat "$pidfile")"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

stop_pid "$dir/run/slurmd.pid"
stop_pid "$dir/run/slurmctld.pid"
stop_pid /run/munge/munged.pid
echo "slurm-stop: daemons stopped" >&2
