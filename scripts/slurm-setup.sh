#!/usr/bin/env bash
# A single-node SLURM cluster on this machine for ecg-lab's SLURM tests (or a
# local try-out of `ecg-lab run --launcher slurm`): Debian's slurm-wlm and
# munge, a minimal slurm.conf for one node `localhost` on loopback, then
# munged, slurmctld and slurmd, and a wait until `sinfo` shows the node idle.
# Idempotent: re-running it with the daemons up is a quick no-op. Needs root.
#
#   bash scripts/slurm-setup.sh     # then sbatch/squeue/scancel work
#   bash scripts/slurm-stop.sh      # stops the daemons again
#
# Environment: ECG_LAB_SLURM_DIR (default /var/spool/ecg-lab-slurm) holds
# the state, logs and pid files; ECG_LAB_SLURM_START_TIMEOUT_S (default 60).
set -euo pipefail

dir="${ECG_LAB_SLURM_DIR:-/var/spool/ecg-lab-slurm}"
timeout_s="${ECG_LAB_SLURM_START_TIMEOUT_S:-60}"
conf=/etc/slurm/slurm.conf

if [[ $EUID -ne 0 ]]; then
  echo "slurm-setup: needs root (it installs packages and starts daemons)" >&2
  exit 1
fi

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null || ! command -v sbatch >/dev/null; then
  echo "slurm-setup: installing slurm-wlm and munge (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq slurm-wlm munge >&2
fi

mkdir -p "$dir"/{ctld,d,log,run} /etc/slurm /run/munge /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge
chmod 0755 /run/munge

# --- munge -------------------------------------------------------------------
if [[ ! -s /etc/munge/munge.key ]]; then
  mkdir -p /etc/munge
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
fi
chown munge:munge /etc/munge /etc/munge/munge.key
chmod 0700 /etc/munge
chmod 0400 /etc/munge/munge.key
if ! munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged --force
  for _ in $(seq 1 50); do munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
fi

# --- slurm.conf --------------------------------------------------------------
# CPUs and memory as slurmd itself sees them, so the node is never drained
# for having less than the configuration claims.
cpus="$(slurmd -C | grep -oE 'CPUs=[0-9]+' | head -1 | cut -d= -f2)"
mem="$(slurmd -C | grep -oE 'RealMemory=[0-9]+' | head -1 | cut -d= -f2)"
want="$(mktemp)"
cat >"$want" <<CONF
# Written by ecg-lab scripts/slurm-setup.sh: one node on loopback.
ClusterName=ecg-lab
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
KillWait=10
MinJobAge=600
StateSaveLocation=$dir/ctld
SlurmdSpoolDir=$dir/d
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
changed=0
if ! cmp -s "$want" "$conf"; then
  cp "$want" "$conf"
  chmod 0644 "$conf"
  changed=1
fi
rm -f "$want"

running() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }
if [[ $changed -eq 1 ]]; then
  # A new configuration: restart what runs with the old one.
  running "$dir/run/slurmd.pid" && kill "$(cat "$dir/run/slurmd.pid")" || true
  running "$dir/run/slurmctld.pid" && kill "$(cat "$dir/run/slurmctld.pid")" || true
  sleep 1
fi
running "$dir/run/slurmctld.pid" || /usr/sbin/slurmctld
running "$dir/run/slurmd.pid" || /usr/sbin/slurmd -N localhost

deadline=$((SECONDS + timeout_s))
until sinfo --noheader --nodes=localhost --format=%t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; do
  state="$(sinfo --noheader --nodes=localhost --format=%t 2>/dev/null || true)"
  if [[ "$state" =~ ^(down|drain|drng|fail) ]]; then
    scontrol update NodeName=localhost State=RESUME >/dev/null 2>&1 || true
  fi
  if ((SECONDS >= deadline)); then
    echo "slurm-setup: node localhost is not idle within ${timeout_s}s (sinfo: ${state:-no answer}); logs:" >&2
    tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
    exit 1
  fi
  sleep 0.5
done
echo "slurm-setup: localhost up ($(sinfo --noheader --format='%P %t %c CPUs'))" >&2
