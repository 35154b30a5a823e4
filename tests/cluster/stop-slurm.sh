#!/usr/bin/env bash
# Stops the one-node Slurm cluster that tests/cluster/start-slurm.sh started: slurmd, slurmctld and, when that script
# started it, munged. Daemons it did not start are left alone; the configuration stays, so starting again is quick.
set -uo pipefail

state=/run/ablations-slurm

stop() {   # stop NAME PIDFILE
    local name=$1 pidfile=$2 pid
    [ -f "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            echo "stop-slurm: $name (process $pid) did not stop in 10 s" >&2
            return 1
        fi
        echo "stop-slurm: stopped $name (process $pid)"
    fi
    rm -f "$pidfile"
}

[ -d "$state" ] || { echo "stop-slurm: nothing started by start-slurm.sh is running"; exit 0; }
status=0
stop slurmd "$state/slurmd.pid" || status=1
stop slurmctld "$state/slurmctld.pid" || status=1
if [ -f "$state/munged.started" ]; then
    stop munged /run/munge/munged.pid || status=1
    rm -f "$state/munged.started"
fi
exit $status
