#!/usr/bin/env bash
# Broker vs bare Vert.x baseline, side by side on this machine, with the same client and the same JVM flags:
#   - connects per second (0 -> 10,000 and 10,000 -> 19,000 sessions) and server CPU per connect,
#   - heap after GC, live bytes (jmap -histo:live) and RSS per idle session at each level,
#   - per-session bytes by owner (Netty, Vert.x, broker classes, ConcurrentHashMap nodes...),
#   - whether the node held every session,
#   - revoke-to-last-4001: on a single node started here, and on a cluster given with --revoke-nodes.
# Writes docs/BENCHMARKS.md (and raw files under loadtest/target/bench/). Traffic goes to loopback only, every
# wait is bounded, and every process it starts is stopped by its pid when it ends.
#
# Usage: loadtest/bench.sh [options]
#   --levels "10000 19000"      session counts held per node, ascending (each < open-file limit - 500)
#   --clients-per-step 3        client processes that open each step's sessions (each holds < 9,000)
#   --concurrency 16            handshakes in flight per client process
#   --jvm-flags "..."           flags for both servers (default: -Xms256m -Xmx2g -XX:+UseG1GC)
#   --pg-url URL                run the broker on PostgreSQL instead of the dev in-memory store
#   --revoke-nodes ws://a,ws://b,ws://c   delegate URLs of a running cluster: runs RevokeUnderLoad across them
#   --revoke-admin http://a-admin         its admin URL (required with --revoke-nodes)
#   --revoke-key KEY            its root admin key (default: $BROKER_ADMIN_KEY)
#   --revoke-sessions 2000      victims + survivors of each revoke run (half each)
#   --no-single-revoke          skip the revoke run on a single node started here
#   --skip-build                use the jars already built
#   --report-only               only rewrite the report from the raw data of the last run (loadtest/target/bench)
#   --revoke-only               only the revoke runs (keeps the last run's other data), then rewrite the report
#   --out docs/BENCHMARKS.md
#   --floor                     only the headline (loadtest/floor-bench.sh): one node on PostgreSQL beside the bare
#                               server, 15,000 sessions: connects, CPU, heap/RSS, revoke-to-last-4001 (its options follow)
#   --revoke-floor              only the mass revocation beside its floor (loadtest/revoke-floor.sh): N sessions
#                               closed by the bare server from one POST, revoked on one broker node and on three
#                               (the options after it are revoke-floor.sh's: --sessions 12000, --runs, ...)
#   --three-full                only three nodes full (loadtest/three-full.sh): 15,000 sessions of one token on each of
#                               three nodes, held, revoked at once, beside three bare servers closing as many
#                               (the options after it are three-full.sh's: --sessions-per-node, --hold-minutes, ...)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib/common.sh
. "$ROOT/loadtest/lib/common.sh"
cd "$ROOT"

LEVELS="10000 19000"
CLIENTS_PER_STEP=3
CONCURRENCY=16
PER_DELEGATE=4
WARMUP=3000
JVM_FLAGS="-Xms256m -Xmx2g -XX:+UseG1GC"
CLIENT_FLAGS="-Xmx512m -XX:+UseSerialGC"
BROKER_PORT=18080
ADMIN_PORT=18081
BASE_PORT=18090
PG_URL=""
REVOKE_NODES=""
REVOKE_ADMIN=""
REVOKE_KEY="${BROKER_ADMIN_KEY:-}"
REVOKE_SESSIONS=2000
SINGLE_REVOKE=true
SKIP_BUILD=false
REPORT_ONLY=false
REVOKE_ONLY=false
OUT=docs/BENCHMARKS.md
WORK=loadtest/target/bench
BENCH_KEY="bench-root-key-$(date +%s)-0123456789"

while [ $# -gt 0 ]; do
  case "$1" in
    --floor) shift; exec bash "$ROOT/loadtest/floor-bench.sh" "$@" ;;
    --revoke-floor) shift; exec "$ROOT/loadtest/revoke-floor.sh" "$@" ;;
    --three-full) shift; exec "$ROOT/loadtest/three-full.sh" "$@" ;;
    --levels) LEVELS="$2"; shift 2 ;;
    --clients-per-step) CLIENTS_PER_STEP="$2"; shift 2 ;;
    --concurrency) CONCURRENCY="$2"; shift 2 ;;
    --jvm-flags) JVM_FLAGS="$2"; shift 2 ;;
    --pg-url) PG_URL="$2"; shift 2 ;;
    --revoke-nodes) REVOKE_NODES="$2"; shift 2 ;;
    --revoke-admin) REVOKE_ADMIN="$2"; shift 2 ;;
    --revoke-key) REVOKE_KEY="$2"; shift 2 ;;
    --revoke-sessions) REVOKE_SESSIONS="$2"; shift 2 ;;
    --no-single-revoke) SINGLE_REVOKE=false; shift ;;
    --skip-build) SKIP_BUILD=true; shift ;;
    --report-only) REPORT_ONLY=true; shift ;;
    --revoke-only) REVOKE_ONLY=true; shift ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,33p' "$0"; exit 0 ;;
    *) echo "bench: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

log() { echo "bench: $(date +%H:%M:%S) $*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }

for tool in java jcmd jmap curl jq awk mvn; do
  command -v "$tool" >/dev/null || die "$tool is required"
done
NOFILE=$(ulimit -n)
for n in $LEVELS; do
  [ "$n" -lt $((NOFILE - 500)) ] || die "level $n does not fit the open-file limit $NOFILE of one server process"
done
PER_CLIENT_MAX=9000
case ",$REVOKE_NODES," in
  *,ws://127.*|*,ws://localhost*|,,) ;;
  *) die "--revoke-nodes must be loopback ws:// URLs" ;;
esac

mkdir -p "$WORK" "$(dirname "$OUT")"
if [ "$REPORT_ONLY" != true ]; then
if [ "$REVOKE_ONLY" = true ]; then
  [ -f "$WORK/run.env" ] || die "--revoke-only needs the data of an earlier full run in $WORK"
else
  rm -f "$WORK"/*.json "$WORK"/*.stop "$WORK"/*.histo "$WORK"/*.log "$WORK"/*.txt "$WORK"/run.env 2>/dev/null || true
fi

# ---------------------------------------------------------------------------------------------------------------
# Processes we started, stopped by pid on exit whatever happens.
SERVER_PID=""
CLIENT_PIDS=()
STOP_FILES=()
cleanup() {
  for f in "${STOP_FILES[@]}"; do touch "$f" 2>/dev/null || true; done
  for p in "${CLIENT_PIDS[@]}"; do
    for _ in $(seq 1 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
    kill "$p" 2>/dev/null || true
  done
  if [ -n "$SERVER_PID" ]; then stop_pid "$SERVER_PID"; fi
}
trap cleanup EXIT

if [ "$SKIP_BUILD" != true ]; then
  log "building broker.jar and loadtest-tools.jar"
  mvn -B -o -q -pl loadtest -am package -DskipTests
fi
[ -f broker/target/broker.jar ] && [ -f loadtest/target/loadtest-tools.jar ] || die "jars missing; build first"
TOOLS=loadtest/target/loadtest-tools.jar
CLK_TCK=$(getconf CLK_TCK)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# What the report needs besides the raw files, so that --report-only can rewrite it later.
[ "$REVOKE_ONLY" = true ] || {
  printf 'STARTED_AT=%q\nLOAD_BEFORE=%q\nJVM_FLAGS=%q\nLEVELS=%q\n' "$STARTED_AT" "$LOAD_BEFORE" "$JVM_FLAGS" "$LEVELS"
  printf 'CLIENTS_PER_STEP=%q\nCONCURRENCY=%q\nPG_URL=%q\nWARMUP=%q\n' "$CLIENTS_PER_STEP" "$CONCURRENCY" "$PG_URL" "$WARMUP"
  printf 'COMMIT=%q\n' "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- broker 2>/dev/null || echo '+changes')"
} > "$WORK/run.env"

for p in $BROKER_PORT $ADMIN_PORT $BASE_PORT; do
  ! port_busy "$p" || die "port $p is in use; stop what listens there"
done

fds() { ls "/proc/$1/fd" | wc -l; }

# Client processes get their own loopback source address each, so that no two runs share ephemeral ports.
NEXT_IP=10
next_ip() { NEXT_IP=$((NEXT_IP + 1)); echo "127.0.0.$NEXT_IP"; }

start_server() { # name [log tag] -> SERVER_PID, DELEGATE_URL
  local name=$1 logname=${2:-$1}
  if [ "$name" = broker ]; then
    # shellcheck disable=SC2086
    env BROKER_DEV=true BROKER_ADMIN_KEY="$BENCH_KEY" BROKER_HOST=127.0.0.1 BROKER_DELEGATE_PORT=$BROKER_PORT \
      BROKER_ADMIN_PORT=$ADMIN_PORT BROKER_NODE_ID=bench-node ${PG_URL:+BROKER_PG_URL=$PG_URL} \
      java $JVM_FLAGS -jar broker/target/broker.jar > "$WORK/$logname-server.log" 2>&1 &
    SERVER_PID=$!
    DELEGATE_URL="ws://127.0.0.1:$BROKER_PORT"
    for _ in $(seq 1 120); do
      curl -sf "http://127.0.0.1:$ADMIN_PORT/health/ready" >/dev/null 2>&1 && return 0
      kill -0 "$SERVER_PID" 2>/dev/null || die "broker did not start: $(tail -3 "$WORK/$logname-server.log")"
      sleep 0.5
    done
  else
    # shellcheck disable=SC2086
    java $JVM_FLAGS -cp "$TOOLS" io.delegatebroker.loadtest.BaselineServer --port $BASE_PORT --host 127.0.0.1 \
      > "$WORK/$name-server.log" 2>&1 &
    SERVER_PID=$!
    DELEGATE_URL="ws://127.0.0.1:$BASE_PORT"
    for _ in $(seq 1 120); do
      port_busy $BASE_PORT && return 0
      kill -0 "$SERVER_PID" 2>/dev/null || die "baseline did not start: $(tail -3 "$WORK/$name-server.log")"
      sleep 0.5
    done
  fi
  die "$name not ready after 60 s"
}

ACCOUNT=none
TOKEN=none
make_account() { # for the broker: an account and its default token
  local body
  body=$(curl -sf -XPOST -H "Authorization: Bearer $BENCH_KEY" -H 'content-type: application/json' \
    -d "{\"name\":\"bench-$(date +%s)\"}" "http://127.0.0.1:$ADMIN_PORT/v1/accounts") || die "cannot create account"
  ACCOUNT=$(jq -r .id <<<"$body")
  TOKEN=$(jq -r .defaultToken.value <<<"$body")
}

# run_step name step total nclients hold(-1: until stopped, 0: close at once) -> waits until every client holds
run_step() {
  local name=$1 step=$2 total=$3 n=$4 hold=$5 i count rest
  rest=$total
  for i in $(seq 1 "$n"); do
    count=$(( total / n + (i <= total % n ? 1 : 0) ))
    [ "$count" -le $PER_CLIENT_MAX ] || die "step $step: $count sessions per client; raise --clients-per-step"
    local tag="$name-$step-$i"
    STOP_FILES+=("$WORK/$tag.stop")
    # shellcheck disable=SC2086
    HOLD_TOKEN=$TOKEN java $CLIENT_FLAGS -cp "$TOOLS" io.delegatebroker.loadtest.HoldClient \
      --url "$DELEGATE_URL" --account "$ACCOUNT" --sessions "$count" --concurrency "$CONCURRENCY" \
      --name-prefix "$tag" --instances-per-delegate $PER_DELEGATE --local-address "$(next_ip)" \
      --status-file "$WORK/$tag.json" --stop-file "$WORK/$tag.stop" --hold-seconds "$hold" --max-seconds 1200 \
      > "$WORK/$tag.log" 2>&1 &
    CLIENT_PIDS+=($!)
  done
  local deadline=$(( $(date +%s) + 300 ))
  while :; do
    local waiting=0
    for i in $(seq 1 "$n"); do
      local f="$WORK/$name-$step-$i.json"
      if [ ! -f "$f" ] || [ "$(jq -r .phase "$f" 2>/dev/null)" = connecting ]; then waiting=$((waiting + 1)); fi
    done
    [ "$waiting" -eq 0 ] && break
    [ "$(date +%s)" -lt "$deadline" ] || { log "step $step: $waiting client(s) still connecting after 300 s"; break; }
    sleep 0.5
  done
  if [ "$hold" = 0 ]; then
    for i in $(seq 1 "$n"); do
      for _ in $(seq 1 60); do [ "$(jq -r .phase "$WORK/$name-$step-$i.json" 2>/dev/null)" = done ] && break; sleep 0.5; done
    done
  fi
}

# step_summary name step -> JSON: opened, failed, connects/s over all clients of the step, welcome latency
step_summary() {
  jq -s '{opened: (map(.opened) | add), failed: (map(.failed) | add),
          seconds: (((map(.lastWelcomeAtMillis) | max) - (map(.startedAtMillis) | min)) / 1000),
          p50: (map(.welcomeMillis.p50) | sort | .[length / 2 | floor]), p99: (map(.welcomeMillis.p99) | max),
          failures: (map(.failures) | add), serverCloses: (map(.serverCloses) | add)}
         | .rate = (if .seconds > 0 then (.opened / .seconds * 10 | round / 10) else 0 end)' \
    "$WORK/$1-$2"-*.json
}

# measure pid label -> JSON: heap used after GC (KiB), live bytes (histo total), RSS (KiB), fds
measure() {
  local pid=$1 label=$2 heap
  jcmd "$pid" GC.run >/dev/null; sleep 1; jcmd "$pid" GC.run >/dev/null; sleep 1
  heap=$(jcmd "$pid" GC.heap_info | awk '/heap/ && /used/ {for (i = 1; i <= NF; i++) if ($i == "used") {v = $(i + 1); gsub(/[^0-9]/, "", v); print v; exit}}')
  jmap -histo:live "$pid" > "$WORK/$label.histo"
  jq -n --argjson heap "${heap:-0}" --argjson live "$(awk '/^Total/ {print $3}' "$WORK/$label.histo")" \
    --argjson rss "$(rss_kb "$pid")" --argjson fds "$(fds "$pid")" '{heapKiB: $heap, liveBytes: $live, rssKiB: $rss, fds: $fds}'
}


run_target() {
  local name=$1 prev=0 step=0 level t0 t1 held
  log "$name: starting"
  start_server "$name"
  ACCOUNT=none; TOKEN=none
  [ "$name" = broker ] && make_account
  log "$name: warm-up ($WARMUP sessions opened and closed)"
  run_step "$name" warmup "$WARMUP" 1 0
  CLIENT_PIDS=(); STOP_FILES=()
  sleep 3
  measure "$SERVER_PID" "$name-0" > "$WORK/$name-m0.json"
  local levels_json="[]"
  for level in $LEVELS; do
    step=$((step + 1))
    log "$name: $prev -> $level sessions"
    t0=$(cpu_ticks "$SERVER_PID")
    run_step "$name" "s$step" $((level - prev)) "$CLIENTS_PER_STEP" -1
    t1=$(cpu_ticks "$SERVER_PID")
    sleep 5
    local m s open closes
    s=$(step_summary "$name" "s$step")
    m=$(measure "$SERVER_PID" "$name-$level")
    open=$(jq -s 'map(.open) | add' "$WORK/$name"-s*-*.json)
    closes=$(jq -s 'map(.serverCloses) | add' "$WORK/$name"-s*-*.json)
    held=$open
    if [ "$name" = broker ]; then
      held=$(curl -sf -H "Authorization: Bearer $BENCH_KEY" "http://127.0.0.1:$ADMIN_PORT/v1/cluster" \
        | jq '[.nodes[] | select(.self) | .sessions] | add // 0')
    fi
    levels_json=$(jq --argjson level "$level" --argjson from "$prev" --argjson s "$s" --argjson m "$m" \
      --argjson open "$open" --argjson held "$held" --argjson closes "$closes" \
      --argjson cpu "$(awk -v a="$t0" -v b="$t1" -v hz="$CLK_TCK" 'BEGIN {print (b - a) / hz}')" \
      '. + [{level: $level, from: $from, connect: $s, cpuSeconds: $cpu, memory: $m, clientOpen: $open,
             serverHeld: $held, serverCloses: $closes}]' <<<"$levels_json")
    log "$name: $level: $(jq -c '{rate: .connect.rate, failed: .connect.failed, heapKiB: .memory.heapKiB, rssKiB: .memory.rssKiB, held: .serverHeld}' <<<"$(jq '.[-1]' <<<"$levels_json")")"
    prev=$level
  done
  stop_clients
  stop_pid "$SERVER_PID"; SERVER_PID=""
  jq -n --arg name "$name" --argjson m0 "$(cat "$WORK/$name-m0.json")" --argjson levels "$levels_json" \
    '{name: $name, idle: $m0, levels: $levels}' > "$WORK/$name.json"
  sleep 2
}

if [ "$REVOKE_ONLY" != true ]; then
  run_target baseline
  run_target broker
fi

# ---------------------------------------------------------------------------------------------------------------
# Revoke-to-last-4001 (RevokeUnderLoad, Gatling).
run_revoke() { # label targets adminUrl key what-runs-there
  local label=$1 targets=$2 admin=$3 key=$4 where=$5 half=$((REVOKE_SESSIONS / 2))
  log "revoke ($label): $half victims + $half survivors over $targets"
  if mvn -B -o -pl loadtest -am test-compile gatling:test \
      -Dgatling.simulationClass=io.delegatebroker.loadtest.sim.RevokeUnderLoad \
      -Dtargets="$targets" -DadminUrl="$admin" -DadminKey="$key" -Dvictims=$half -Dsurvivors=$half \
      -DrampSeconds=15 -DsettleSeconds=5 -DgraceSeconds=3 -DresultFile="$ROOT/$WORK/revoke-$label.json" \
      > "$WORK/revoke-$label.log" 2>&1; then
    log "revoke ($label): passed"
  else
    log "revoke ($label): FAILED, see $WORK/revoke-$label.log"
  fi
  grep -o 'loadtest/target/gatling/revokeunderload-[0-9]*' "$WORK/revoke-$label.log" | tail -1 > "$WORK/revoke-$label.report.txt" || true
  local f="$WORK/revoke-$label.json"
  if [ -f "$f" ]; then
    jq --arg w "$where" --arg c "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" '. + {servers: $w, commit: $c}' "$f" > "$f.tmp" && mv "$f.tmp" "$f"
  fi
}
if [ "$SINGLE_REVOKE" = true ]; then
  start_server broker broker-revoke
  run_revoke single "ws://127.0.0.1:$BROKER_PORT" "http://127.0.0.1:$ADMIN_PORT" "$BENCH_KEY" \
    "one node started here ($( [ -n "$PG_URL" ] && echo PostgreSQL || echo in-memory) store)"
  stop_pid "$SERVER_PID"; SERVER_PID=""
fi
if [ -n "$REVOKE_NODES" ]; then
  [ -n "$REVOKE_KEY" ] || die "--revoke-key (or BROKER_ADMIN_KEY) is required with --revoke-nodes"
  [ -n "$REVOKE_ADMIN" ] || die "--revoke-admin (an admin URL of one of the nodes) is required with --revoke-nodes"
  run_revoke cluster "$REVOKE_NODES" "$REVOKE_ADMIN" "$REVOKE_KEY" "a running cluster (${REVOKE_CLUSTER_NOTE:-given with --revoke-nodes})"
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
[ "$REVOKE_ONLY" = true ] || printf 'LOAD_AFTER=%q\n' "$LOAD_AFTER" >> "$WORK/run.env"
fi # measurement

# ---------------------------------------------------------------------------------------------------------------
# Report (also alone, with --report-only, from loadtest/target/bench/).
[ -f "$WORK/run.env" ] && [ -f "$WORK/broker.json" ] && [ -f "$WORK/baseline.json" ] || die "no raw data in $WORK"
# shellcheck disable=SC1091
. "$WORK/run.env"
TOOLS=loadtest/target/loadtest-tools.jar

B="$WORK/baseline.json"
K="$WORK/broker.json"
fmt() { awk -v v="$1" -v d="${2:-1}" 'BEGIN {printf "%." d "f", v}'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN {if (b == 0) print "n/a"; else printf "%.2f", a / b}'; }
per() { # json-file level field(heapKiB|rssKiB: KiB; liveBytes: bytes) -> bytes per session over idle
  jq --argjson l "$1" -r --arg f "$2" '
    (.idle[$f]) as $z | (.levels[] | select(.level == $l)) as $x
    | (($x.memory[$f] - $z) * (if $f == "liveBytes" then 1 else 1024 end) / $l) | round' "$3"
}
lv() { jq --argjson l "$1" -r "(.levels[] | select(.level == \$l)) | $2" "$3"; }

MACHINE_CPU=$(nproc)
MACHINE_MEM=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
MACHINE_MODEL=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
JAVA_VERSION=$(java -version 2>&1 | tr '\n' ' ' | sed 's/  */ /g')
KERNEL=$(uname -r)
FIRST_LEVEL=${LEVELS%% *}
LAST_LEVEL=${LEVELS##* }

{
  echo "# Benchmarks: broker vs bare Vert.x baseline"
  echo
  echo "Generated by \`loadtest/bench.sh\` on $STARTED_AT at commit ${COMMIT:-unknown}. Raw data: \`loadtest/target/bench/\` (status JSON of every"
  echo "client process, \`jmap -histo:live\` of each server at each level, server logs)."
  echo
  # The headline block of loadtest/floor-bench.sh is carried over.
  if [ -f "$OUT" ] && grep -q '^<!-- floor:begin' "$OUT"; then
    sed -n '/^<!-- floor:begin/,/^<!-- floor:end/p' "$OUT"
    echo
  fi
  echo "## Machine"
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| CPUs (nproc) | $MACHINE_CPU ($MACHINE_MODEL) |"
  echo "| memory | $MACHINE_MEM |"
  echo "| kernel | $KERNEL |"
  echo "| java -version | $JAVA_VERSION |"
  echo "| open-file limit per process | $NOFILE |"
  echo "| load average before / after | $LOAD_BEFORE / $LOAD_AFTER |"
  echo
  echo "Clients and server share the same cores, so connect rates are what one machine does for both sides; the"
  echo "load average shows how much else was running (this machine is shared with other builds)."
  echo
  echo "## Method"
  echo
  echo "- **Servers.** The broker (\`java $JVM_FLAGS -jar broker/target/broker.jar\`, dev mode,"
  echo "  $( [ -n "$PG_URL" ] && echo "PostgreSQL store" || echo "in-memory store"), loopback) and the baseline"
  echo "  (\`java $JVM_FLAGS -cp loadtest/target/loadtest-tools.jar io.delegatebroker.loadtest.BaselineServer\`): a bare"
  echo "  Vert.x 5.0.10 WebSocket server with the broker's delegate-port options and one listener per event loop, that"
  echo "  accepts every upgrade on \`/v1/delegates/connect\`, sends a welcome-like frame and answers heartbeats; no"
  echo "  auth, no index, no metrics. Same Vert.x/Netty versions (the BOM), same JVM flags. Run one after the other."
  echo "- **Client.** \`HoldClient\` (Vert.x, in \`loadtest-tools.jar\`): $CLIENTS_PER_STEP processes per step, each with"
  echo "  $CONCURRENCY handshakes in flight and its own loopback source address; real contract headers (token, account,"
  echo "  delegate name with $PER_DELEGATE instances per name); a session counts as open when its welcome frame arrived."
  echo "  Sessions heartbeat at the welcome's interval (30 s) while held."
  echo "- **Warm-up.** $WARMUP sessions opened and closed before anything is measured (JIT, pools)."
  echo "- **Connect rate.** Sessions opened in a step / (last welcome - first connect) over all client processes of"
  echo "  the step. Server CPU per connect = server process CPU time (utime+stime) during the step / sessions."
  echo "- **Memory.** At 0 sessions (after warm-up) and at each level, 5 s after the last welcome: \`jcmd GC.run\`"
  echo "  twice, then heap used (\`jcmd GC.heap_info\`), live bytes (\`jmap -histo:live\` total), RSS (\`VmRSS\`)."
  echo "  Per session = (value at level - value at 0) / sessions."
  echo "- **Held.** Client-side open sessions after the step; for the broker also the node's own count (\`GET /v1/cluster\`)."
  echo
  echo "## Results"
  echo
  echo "| metric | baseline | broker | broker / baseline | target |"
  echo "|---|---:|---:|---:|---|"
  for l in $LEVELS; do
    echo "| connects/s to $l (from $(lv "$l" .from "$B")) | $(lv "$l" .connect.rate "$B") | $(lv "$l" .connect.rate "$K") | $(div "$(lv "$l" .connect.rate "$K")" "$(lv "$l" .connect.rate "$B")") | ≥ 0.8 |"
    echo "| welcome latency p50 / p99 ms, step to $l | $(lv "$l" .connect.p50 "$B") / $(lv "$l" .connect.p99 "$B") | $(lv "$l" .connect.p50 "$K") / $(lv "$l" .connect.p99 "$K") | | |"
    bc=$(lv "$l" "(.cpuSeconds * 1000 / (.level - .from))" "$B"); kc=$(lv "$l" "(.cpuSeconds * 1000 / (.level - .from))" "$K")
    echo "| server CPU ms per connect, step to $l | $(fmt "$bc" 2) | $(fmt "$kc" 2) | $(div "$kc" "$bc") | |"
  done
  for l in $LEVELS; do
    bh=$(per "$l" heapKiB "$B"); kh=$(per "$l" heapKiB "$K")
    bl=$(per "$l" liveBytes "$B"); kl=$(per "$l" liveBytes "$K")
    br=$(per "$l" rssKiB "$B"); kr=$(per "$l" rssKiB "$K")
    echo "| heap after GC per session at $l (bytes) | $bh | $kh | $(div "$kh" "$bh") | ≤ 1.25 |"
    echo "| live bytes (histo) per session at $l | $bl | $kl | $(div "$kl" "$bl") | ≤ 1.25 |"
    echo "| RSS per session at $l (bytes) | $br | $kr | $(div "$kr" "$br") | |"
  done
  for l in $LEVELS; do
    echo "| sessions held at $l (client open / server count) | $(lv "$l" .clientOpen "$B") | $(lv "$l" .clientOpen "$K") / $(lv "$l" .serverHeld "$K") | | all |"
    echo "| failed connects / server closes, step to $l | $(lv "$l" .connect.failed "$B") / $(lv "$l" '(.serverCloses | length)' "$B") | $(lv "$l" .connect.failed "$K") / $(lv "$l" '(.serverCloses | length)' "$K") | | 0 / 0 |"
  done
  echo "| heap after GC at 0 sessions (MiB) | $(jq '.idle.heapKiB / 1024 | round' "$B") | $(jq '.idle.heapKiB / 1024 | round' "$K") | | |"
  echo "| RSS at 0 sessions (MiB) | $(jq '.idle.rssKiB / 1024 | round' "$B") | $(jq '.idle.rssKiB / 1024 | round' "$K") | | |"
  echo "| RSS at $LAST_LEVEL sessions (MiB) | $(lv "$LAST_LEVEL" '.memory.rssKiB / 1024 | round' "$B") | $(lv "$LAST_LEVEL" '.memory.rssKiB / 1024 | round' "$K") | | |"
  echo
  echo "Reference point: a bare Vert.x 5.0.10 WebSocket server is known to hold about 15.7 KB of heap per idle session"
  echo "after GC."
  echo
  echo "## Where the per-session bytes go ($LAST_LEVEL sessions, \`jmap -histo:live\`, level minus idle)"
  echo
  java -cp "$TOOLS" io.delegatebroker.loadtest.HistoDiff "$LAST_LEVEL" \
    broker "$WORK/broker-0.histo" "$WORK/broker-$LAST_LEVEL.histo" \
    baseline "$WORK/baseline-0.histo" "$WORK/baseline-$LAST_LEVEL.histo"
  echo "## Revocation: revoke to last 4001"
  echo
  echo "\`RevokeUnderLoad\` (Gatling): half the sessions on a token that is revoked, half on one that is not, spread"
  echo "round-robin over the nodes; the time is from sending \`POST .../revoke\` to the last 4001 close frame"
  echo "reaching its client."
  echo
  echo "| run | servers, commit | nodes | victims | survivors | evicted | revoke answered (ms) | to first 4001 (ms) | to last 4001 (ms) | verdict |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
  for label in single cluster; do
    f="$WORK/revoke-$label.json"
    if [ -f "$f" ]; then
      jq -r --arg l "$label" '"| \($l) | \(.servers // "?"), \(.commit // "?") | \(.nodes) | \(.victims) | \(.survivors) | \(.evicted) | \(.revokeAnswerMillis) | \(.revokeToFirst4001Millis) | \(.revokeToLast4001Millis) | \(.verdict) |"' "$f"
    fi
  done
  if [ ! -f "$WORK/revoke-cluster.json" ]; then
    echo "| 3-node cluster | | 3 | | | | | | _not measured yet_ | |"
    echo
    echo "**3-node revoke-to-last-4001: placeholder.** Start three nodes with \`cluster-config/run-local-cluster.sh\`"
    echo "(delegate ports 8081-8083, admin 8091-8093) and run \`loadtest/bench.sh --revoke-only --no-single-revoke"
    echo "--revoke-nodes ws://127.0.0.1:8081,ws://127.0.0.1:8082,ws://127.0.0.1:8083 --revoke-admin http://127.0.0.1:8091"
    echo "--revoke-key local-cluster-root-key-change-me\`, or the Gatling command in loadtest/README.md."
  fi
  echo
  echo "Gatling reports: \`loadtest/target/gatling/<simulation>-<timestamp>/index.html\`"
  for label in single cluster; do
    [ -s "$WORK/revoke-$label.report.txt" ] && echo "(this run's $label revoke: \`$(cat "$WORK/revoke-$label.report.txt")\`)"
  done
  echo
  echo "## Reproduce"
  echo
  echo '```'
  echo "# the headline (one node on PostgreSQL beside the bare server, 15,000 sessions; ~10 min on 2 cores under load, plus the build):"
  echo "bash loadtest/floor-bench.sh"
  echo
  echo "# the levels above (dev store unless --pg-url):"
  echo "loadtest/bench.sh --levels \"$LEVELS\" --clients-per-step $CLIENTS_PER_STEP --concurrency $CONCURRENCY"
  echo
  echo "# 3-node revoke only, against a cluster started with cluster-config/run-local-cluster.sh:"
  echo "loadtest/bench.sh --revoke-only --no-single-revoke --revoke-nodes ws://127.0.0.1:8081,ws://127.0.0.1:8082,ws://127.0.0.1:8083 \\"
  echo "  --revoke-admin http://127.0.0.1:8091 --revoke-key local-cluster-root-key-change-me"
  echo '```'
  echo
  echo "One run takes about 5 to 8 minutes on 2 cores. It needs nothing else listening on ports $BROKER_PORT,"
  echo "$ADMIN_PORT and $BASE_PORT, and an open-file limit above the highest level."
  # The block of loadtest/revoke-floor.sh and a hand-written "## Analysis" section of the previous report are carried
  # over, so re-running keeps them.
  if [ -f "$OUT" ] && grep -q '^<!-- revoke-floor:begin' "$OUT"; then
    echo
    sed -n '/^<!-- revoke-floor:begin/,/^<!-- revoke-floor:end/p' "$OUT"
  fi
  if [ -f "$OUT" ] && grep -q '^## Analysis' "$OUT"; then
    echo
    sed -n '/^## Analysis/,$p' "$OUT"
  fi
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
log "wrote $OUT"
