# Sourced by the benchmark scripts (floor-bench.sh, revoke-floor.sh, three-full.sh): how they stop what they started.
# The caller keeps its client processes in CLIENT_PIDS and their stop files in STOP_FILES.

# stop_pid pid: SIGTERM, up to 30 s to exit, then SIGKILL.
stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  kill -KILL "$pid" 2>/dev/null || true
}

# stop_clients: touches every client's stop file (a HoldClient leaves by itself and writes its last status), waits up
# to 30 s for each, then kills what is left; empties CLIENT_PIDS and STOP_FILES.
stop_clients() {
  local f p
  for f in "${STOP_FILES[@]}"; do touch "$f" 2>/dev/null || true; done
  for p in "${CLIENT_PIDS[@]}"; do
    for _ in $(seq 1 60); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$p" 2>/dev/null || true
  done
  CLIENT_PIDS=(); STOP_FILES=()
}
