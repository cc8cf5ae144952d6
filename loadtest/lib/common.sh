# Sourced by the benchmark scripts (bench.sh, floor-bench.sh, revoke-floor.sh, three-full.sh): how they stop what
# they started and how they read a process. The caller keeps its client processes in CLIENT_PIDS with their stop
# files in STOP_FILES, and its server processes in SERVER_PIDS.

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

# stop_servers: stops every process in SERVER_PIDS at once (stop_pid each) and empties it.
stop_servers() {
  local p
  for p in "${SERVER_PIDS[@]}"; do stop_pid "$p" & done
  wait
  SERVER_PIDS=()
}

# port_busy port: true when something accepts connections on 127.0.0.1:port.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# now_ms: wall-clock milliseconds.
now_ms() { date +%s%3N; }
# cpu_ticks pid: the process's utime + stime, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# rss_kb pid: the process's resident set, KiB.
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
# ratio a b: a / b with two decimals, "n/a" when b is not positive.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b <= 0) print "n/a"; else printf "%.2f", a / b}'; }
