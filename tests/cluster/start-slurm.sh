#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine for the integration tests: installs Debian's slurm-wlm and munge
# when they are missing, writes a configuration for this machine (its CPUs and memory, no cgroups, no accounting
# database) and starts munged, slurmctld and slurmd directly (no systemd needed). Idempotent: a cluster that already
# answers is left as it is. Run as root. tests/cluster/stop-slurm.sh stops what this script started.
set -euo pipefail

state=/run/ablations-slurm            # pid files of the daemons this script started
conf=/etc/slurm/slurm.conf
marker="# written by ablations tests/cluster/start-slurm.sh"

say() { echo "start-slurm: $*"; }
die() { echo "start-slurm: error: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (it installs packages and starts daemons)"

node_ready() {
    local s
    s=$(sinfo -h -N -o '%t' 2>/dev/null | head -n 1) || return 1
    case "$s" in idle*|mix*|alloc*|comp*) return 0 ;; *) return 1 ;; esac
}

if command -v sinfo >/dev/null && node_ready; then
    say "a Slurm cluster already answers: $(sinfo -h -o '%P %D nodes %c CPUs %t' | head -n 1)"
    exit 0
fi

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
    say "installing slurm-wlm and munge"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi

if [ -f "$conf" ] && ! grep -qF "$marker" "$conf"; then
    die "$conf exists and was not written by this script; not touching a configured cluster"
fi

node=$(hostname -s)
cpus=$(nproc)
mem_mb=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
real_mb=$(( mem_mb * 9 / 10 ))       # leave the operating system its share

mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm "$state"
chown slurm:slurm /var/spool/slurmctld /var/log/slurm
cat > "$conf.tmp" <<CONF
$marker
# One node (this machine) that is its own controller. Jobs are placed by CPU (cons_tres with CR_CPU), so two
# one-CPU tasks run side by side on two cores; memory is advertised but not a scheduled resource.
ClusterName=ablations
SlurmctldHost=$node(127.0.0.1)
SlurmUser=slurm
SlurmctldPort=6817
SlurmdPort=6818
AuthType=auth/munge
# A requeued job may start again once its credential has expired: seconds, not the default two minutes.
AuthInfo=cred_expire=10
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
# No cgroups in a container: processes are tracked through /proc.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
# Finished jobs stay visible to squeue for five minutes (there is no accounting database to ask later).
MinJobAge=300
KillWait=30
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$real_mb State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
mv "$conf.tmp" "$conf"
say "wrote $conf: node $node, $cpus CPUs, ${real_mb} MB"

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# munged: the authentication every Slurm message carries.
mkdir -p /run/munge
chown munge:munge /run/munge
chmod 0755 /run/munge
if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
fi
if ! running /run/munge/munged.pid; then
    runuser -u munge -- /usr/sbin/munged
    touch "$state/munged.started"
fi
for _ in $(seq 50); do munge -n </dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
munge -n </dev/null | unmunge >/dev/null || die "munged does not answer"

if ! running "$state/slurmctld.pid"; then /usr/sbin/slurmctld; fi
if ! running "$state/slurmd.pid"; then /usr/sbin/slurmd; fi

for _ in $(seq 60); do node_ready && break; sleep 0.5; done
if ! node_ready; then
    # A node left down by an earlier, unclean stop comes back on request.
    scontrol update nodename="$node" state=resume 2>/dev/null || true
    for _ in $(seq 20); do node_ready && break; sleep 0.5; done
fi
node_ready || die "slurmd did not come up: $(sinfo -N -h -o '%N %t %E' 2>&1); see /var/log/slurm/"
say "ready: $(sinfo -h -o '%P %D node(s) %c CPUs %t')"
