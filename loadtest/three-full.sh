#!/usr/bin/env bash
# Three broker nodes full (issue 15, point 2), beside its floor, in one run (also `loadtest/bench.sh --three-full`):
#   floor   three bare Vert.x BaselineServer processes, each holding --sessions-per-node sessions of the same client
#           fleet, all closed with 4001 by one POST /close-all sent to the three at the same instant (curl --parallel)
#   broker  three broker nodes (one Hazelcast cluster on loopback, TCP-IP join, a cluster name unique to the run, one
#           fresh PostgreSQL database), each holding --sessions-per-node sessions of ONE token of one account, plus
#           --survivors sessions of a second token of that account spread over the three; held --hold-minutes with
#           heartbeats on the announced period, then that one token revoked through node 1's admin API.
# Checks (any failure: exit 1, after the report): every session opened; none dropped, refused or left without a
# heartbeat ack during the hold (client status and each node's own count, GET /v1/cluster); the revoke answers
# evicted = every victim session exactly, complete:true, unconfirmed:[]; every victim closed with 4001 within
# --close-deadline (60 s) of the revoke request, nothing else closed; every survivor still open and acknowledged.
# Reports per server process: heap after GC (jcmd GC.run + GC.heap_info), VmRSS and CPU (utime+stime) at idle, full
# and after the close, and the CPU spent connecting, holding and closing. The clients are HoldClient processes (each
# < 9,000 sockets, own loopback source address 127.0.0.101...). Traffic stays on loopback; every wait is bounded;
# every process started here is stopped by its pid; the database is dropped at the end.
# The block between the three-full markers in docs/BENCHMARKS.md is replaced (--out none: only the raw report).
#
# Usage: loadtest/three-full.sh [options]
#   --sessions-per-node 15000   victim sessions on each node (all of one token)
#   --clients-per-node 2        HoldClient processes per node (each holds sessions-per-node / clients-per-node <= 9000)
#   --survivors 300             sessions of a second token of the same account, round-robin over the nodes (0: none)
#   --hold-minutes 3            hold before the revoke (decimals allowed: 0.5)
#   --floor-hold-seconds 30     hold of the floor fleet before its close-all (one heartbeat period)
#   --no-floor                  skip the floor run
#   --heartbeat-seconds 30      BROKER_HEARTBEAT_SECONDS, and what the floor announces
#   --concurrency 16            handshakes in flight per client process
#   --close-deadline 60         seconds from the close request within which every session must be closed
#   --pg-admin postgresql://postgres@127.0.0.1:5432   server the run's database is created on and dropped from
#   --jvm-flags "..."           server JVM flags (default -Xms256m -Xmx2g -XX:+UseG1GC, as bench.sh)
#   --skip-build                use the jars already built
#   --out docs/BENCHMARKS.md    file whose three-full block is replaced; "none" to leave every file alone
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

PER_NODE=15000
CLIENTS_PER_NODE=2
SURVIVORS=300
HOLD_MINUTES=3
FLOOR_HOLD=30
FLOOR=true
HEARTBEAT=30
CONCURRENCY=16
CLOSE_DEADLINE=60
PG_ADMIN=postgresql://postgres@127.0.0.1:5432
JVM_FLAGS="-Xms256m -Xmx2g -XX:+UseG1GC"
CLIENT_FLAGS="-Xmx512m -XX:+UseSerialGC"
SKIP_BUILD=false
OUT=docs/BENCHMARKS.md
WORK=loadtest/target/bench/three-full
KEY="three-full-root-key-$(date +%s)-0123456789"
# Ports apart from bench.sh (18080-18090) and revoke-floor.sh (18090-18107, 15701-15703), so they can run beside it.
node_delegate() { echo $((18200 + 2 * $1)); }
node_admin() { echo $((18201 + 2 * $1)); }
node_cluster() { echo $((15800 + $1)); }
base_port() { echo $((18220 + 2 * $1)); }
base_admin() { echo $((18221 + 2 * $1)); }

while [ $# -gt 0 ]; do
  case "$1" in
    --sessions-per-node) PER_NODE="$2"; shift 2 ;;
    --clients-per-node) CLIENTS_PER_NODE="$2"; shift 2 ;;
    --survivors) SURVIVORS="$2"; shift 2 ;;
    --hold-minutes) HOLD_MINUTES="$2"; shift 2 ;;
    --floor-hold-seconds) FLOOR_HOLD="$2"; shift 2 ;;
    --no-floor) FLOOR=false; shift ;;
    --heartbeat-seconds) HEARTBEAT="$2"; shift 2 ;;
    --concurrency) CONCURRENCY="$2"; shift 2 ;;
    --close-deadline) CLOSE_DEADLINE="$2"; shift 2 ;;
    --pg-admin) PG_ADMIN="$2"; shift 2 ;;
    --jvm-flags) JVM_FLAGS="$2"; shift 2 ;;
    --skip-build) SKIP_BUILD=true; shift ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,32p' "$0"; exit 0 ;;
    *) echo "three-full: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

RUN_START=$(date +%s)
log() { echo "three-full: $(date +%H:%M:%S) $*" >&2; }
die() { echo "three-full: $*" >&2; exit 1; }
for tool in java jcmd curl jq awk psql mvn; do command -v "$tool" >/dev/null || die "$tool is required"; done
case "$PG_ADMIN" in postgresql://*@127.*|postgresql://*@localhost*) ;; *) die "--pg-admin must be a loopback server" ;; esac
int() { [[ "$2" =~ ^[0-9]+$ ]] || die "$1 must be a whole number, got '$2'"; }
int --sessions-per-node "$PER_NODE"; int --clients-per-node "$CLIENTS_PER_NODE"; int --survivors "$SURVIVORS"
int --floor-hold-seconds "$FLOOR_HOLD"; int --heartbeat-seconds "$HEARTBEAT"; int --concurrency "$CONCURRENCY"
int --close-deadline "$CLOSE_DEADLINE"
[[ "$HOLD_MINUTES" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--hold-minutes must be a number, got '$HOLD_MINUTES'"
HOLD_SECONDS=$(awk -v m="$HOLD_MINUTES" 'BEGIN {printf "%d", m * 60}')
[ "$HOLD_SECONDS" -le 3600 ] || die "--hold-minutes must be at most 60"
[ "$PER_NODE" -ge 1 ] && [ "$CLIENTS_PER_NODE" -ge 1 ] && [ "$PER_NODE" -ge "$CLIENTS_PER_NODE" ] \
  || die "--sessions-per-node must be at least --clients-per-node (>= 1)"
PER_CLIENT=$(( (PER_NODE + CLIENTS_PER_NODE - 1) / CLIENTS_PER_NODE ))
[ "$PER_CLIENT" -le 9000 ] || die "$PER_CLIENT sessions per client process: raise --clients-per-node (each < 9,000)"
[ "$SURVIVORS" -le 9000 ] || die "--survivors must be at most 9000 (one client process)"
NOFILE=$(ulimit -n)
[ $((PER_NODE + SURVIVORS)) -lt $((NOFILE - 500)) ] || die "$PER_NODE sessions per node do not fit the open-file limit $NOFILE"
[ "$HEARTBEAT" -ge 1 ] || die "--heartbeat-seconds must be at least 1"
TOTAL=$((3 * PER_NODE))
[ $((3 * CLIENTS_PER_NODE)) -le 150 ] || die "at most 50 client processes per node"

mkdir -p "$WORK"
rm -f "$WORK"/*.json "$WORK"/*.stop "$WORK"/*.go "$WORK"/*.log "$WORK"/*.txt "$WORK"/*.md 2>/dev/null || true

# ---------------------------------------------------------------------------------------------------------------
# Processes and the database we made, stopped and dropped on exit whatever happens.
SERVER_PIDS=()
CLIENT_PIDS=()
STOP_FILES=()
DB=""
. "$ROOT/loadtest/lib/common.sh"
cleanup() {
  stop_clients
  stop_servers
  [ -z "$DB" ] || psql "$PG_ADMIN/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 \
    || echo "three-full: could not drop database $DB" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for i in 1 2 3; do
  for p in "$(node_delegate "$i")" "$(node_admin "$i")" "$(node_cluster "$i")" "$(base_port "$i")" "$(base_admin "$i")"; do
    ! port_busy "$p" || die "port $p is in use; stop what listens there"
  done
done

if [ "$SKIP_BUILD" != true ]; then
  log "building broker.jar and loadtest-tools.jar"
  mvn -B -o -q -pl loadtest -am package -DskipTests 2>/dev/null || mvn -B -q -pl loadtest -am package -DskipTests
fi
TOOLS=loadtest/target/loadtest-tools.jar
[ -f broker/target/broker.jar ] && [ -f "$TOOLS" ] || die "jars missing; build first (mvn -B -q package -DskipTests)"

FAILS=()
check() { # condition-exit-status message
  if [ "$1" -ne 0 ]; then FAILS+=("$2"); log "CHECK FAILED: $2"; fi
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
CLK_TCK=$(getconf CLK_TCK)
LOAD_START=$(loadavg)
STARTED_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- broker loadtest 2>/dev/null || echo '+changes')"

cpu_s() { awk -v hz="$CLK_TCK" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
# measure pid -> JSON {cpuS (before the GC), cpuAfterGcS, heapKiB (after GC), rssKiB, fds}
measure() {
  local pid=$1 cpu heap
  cpu=$(cpu_s "$pid")
  timeout 60 jcmd "$pid" GC.run >/dev/null 2>&1 || true
  heap=$(timeout 60 jcmd "$pid" GC.heap_info 2>/dev/null | awk '/heap/ && /used/ {for (i = 1; i <= NF; i++) if ($i == "used") {v = $(i + 1); gsub(/[^0-9]/, "", v); print v; exit}}')
  jq -n --argjson cpu "$cpu" --argjson gc "$(cpu_s "$pid")" --argjson heap "${heap:-0}" --argjson rss "$(rss_kib "$pid")" \
    --argjson fds "$(ls "/proc/$pid/fd" | wc -l)" '{cpuS: $cpu, cpuAfterGcS: $gc, heapKiB: $heap, rssKiB: $rss, fds: $fds}'
}
# measure_all run point pid... -> $WORK/<run>-<point>.json: [{...} per process, in order]
measure_all() {
  local run=$1 point=$2 pid; shift 2
  for pid in "$@"; do measure "$pid"; done | jq -s . > "$WORK/$run-$point.json"
}
cpu_all() { local pid; for pid in "$@"; do cpu_s "$pid"; echo; done | jq -s .; }
# client_cpu run point -> adds the CPU seconds of all client processes so far to $WORK/<run>-client-cpu.json
client_cpu() {
  local f="$WORK/$1-client-cpu.json" total
  total=$({ for pid in "${CLIENT_PIDS[@]}"; do cpu_s "$pid" 2>/dev/null && echo; done || true; } | jq -s 'add // 0')
  [ -f "$f" ] || echo '{}' > "$f"
  jq --arg p "$2" --argjson t "$total" '.[$p] = $t' "$f" > "$f.tmp" && mv "$f.tmp" "$f"
}
# await_deadline run sent -> OPEN_AT_DEADLINE: victim sockets still open --close-deadline after the close request
await_deadline() {
  local until=$(($2 + CLOSE_DEADLINE * 1000))
  while [ "$(now_ms)" -lt "$until" ] && [ "$(closes_of "$1" v)" -lt "$TOTAL" ]; do sleep 0.25; done
  OPEN_AT_DEADLINE=$(sum "$1" v open)
}

# status run kind -> the status JSON of every client process of that kind (v: victims, s: survivors, [vs]: all)
# shellcheck disable=SC2086
status() { { cat "$WORK/$1-"$2[0-9]*.json 2>/dev/null || true; } | jq -s . ; }
sum() { status "$1" "$2" | jq "[.[].$3] | add // 0"; }
closes_of() { status "$1" "$2" | jq '[.[].serverCloses | to_entries[] | .value] | add // 0'; }

NEXT_IP=100
# start_client run kind index url(s) token account count
start_client() {
  local run=$1 kind=$2 idx=$3 urls=$4 token=$5 account=$6 count=$7 tag
  tag="$run-$kind$idx"
  NEXT_IP=$((NEXT_IP + 1))
  STOP_FILES+=("$WORK/$tag.stop")
  # shellcheck disable=SC2086
  HOLD_TOKEN=$token java $CLIENT_FLAGS -cp "$TOOLS" io.delegatebroker.loadtest.HoldClient \
    --url "$urls" --account "$account" --sessions "$count" --concurrency "$CONCURRENCY" \
    --name-prefix "$tag" --instances-per-delegate 4 --retries 5 --local-address "127.0.0.$NEXT_IP" \
    --status-file "$WORK/$tag.json" --stop-file "$WORK/$tag.stop" --go-file "$WORK/$run.go" --hold-seconds -1 \
    --max-seconds $((HOLD_SECONDS + FLOOR_HOLD + 1200)) > "$WORK/$tag.log" 2>&1 &
  CLIENT_PIDS+=($!)
}
# start_fleet run token account url1 url2 url3: CLIENTS_PER_NODE victim processes per node
start_fleet() {
  local run=$1 token=$2 account=$3 n c count idx=0; shift 3
  local urls=("$@")
  NEXT_IP=100
  for n in 1 2 3; do
    for c in $(seq 1 "$CLIENTS_PER_NODE"); do
      idx=$((idx + 1))
      count=$(( PER_NODE / CLIENTS_PER_NODE + (c <= PER_NODE % CLIENTS_PER_NODE ? 1 : 0) ))
      start_client "$run" v "$idx" "${urls[$((n - 1))]}" "$token" "$account" "$count"
    done
  done
}
# await_holding run processes -> once every client process is up, lets them all connect at once (the go file), waits
# until all hold; CONNECT_SECONDS = first handshake to last welcome over the victims; bounded
await_holding() {
  local run=$1 want=$2 deadline holding
  deadline=$(( $(date +%s) + 180 ))
  while [ "$(status "$run" "[vs]" | jq '[.[] | select(.phase == "waiting")] | length' 2>/dev/null || echo 0)" -lt "$want" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || die "$run: client processes not up after 180 s (see $WORK/$run-*.log)"
    sleep 0.5
  done
  client_cpu "$run" up
  touch "$WORK/$run.go"
  deadline=$(( $(date +%s) + 120 + TOTAL / 100 ))
  while :; do
    holding=$(status "$run" "[vs]" | jq '[.[] | select(.phase == "holding")] | length' 2>/dev/null || echo 0)
    [ "${holding:-0}" -ge "$want" ] && break
    [ "$(date +%s)" -lt "$deadline" ] || die "$run: clients still connecting after $((120 + TOTAL / 100)) s ($(sum "$run" v open) open)"
    sleep 1
  done
  CONNECT_SECONDS=$(status "$run" "[vs]" | jq '(((map(.lastWelcomeAtMillis) | max) - (map(.startedAtMillis) | min)) / 1000)')
  client_cpu "$run" connected
}
# await_closed run expected since_ms -> waits until the victims saw `expected` server closes, at most 60 s after since
await_closed() {
  local run=$1 want=$2 since=$3 closed
  while :; do
    closed=$(closes_of "$run" v 2>/dev/null || echo 0)
    [ "${closed:-0}" -ge "$want" ] && return 0
    [ "$(now_ms)" -lt $((since + 60000)) ] || return 0
    sleep 0.25
  done
}
# close_result run sent answered answer-json -> $WORK/<run>-close.json
close_result() {
  local run=$1 sent=$2 answered=$3 answer=$4
  sleep 1 # one more status write of every client
  status "$run" v | jq --argjson sent "$sent" --argjson answered "$answered" --argjson answer "$answer" '
    {answer: $answer, answerMillis: ($answered - $sent),
     firstCloseMillis: ((map(.firstServerCloseAtMillis) | map(select(. > 0)) | min // $sent) - $sent),
     lastCloseMillis: ((map(.lastServerCloseAtMillis) | max) - $sent),
     closes: (reduce (.[].serverCloses | to_entries[]) as $e ({}; .[$e.key] += $e.value)),
     stillOpen: (map(.open) | add)}' > "$WORK/$run-close.json"
  log "$run: $(jq -c '{answerMillis, firstCloseMillis, lastCloseMillis, closes, stillOpen}' "$WORK/$run-close.json")"
}
# hold_check run seconds -> watches the fleet for `seconds`: every session open, no server close, no failure
hold_check() {
  local run=$1 seconds=$2 end open closes failed drops=0 nodes
  end=$(( $(date +%s) + seconds ))
  while [ "$(date +%s)" -lt "$end" ]; do
    open=$(sum "$run" v open); closes=$(closes_of "$run" v); failed=$(sum "$run" v failed)
    if [ "$open" -ne "$TOTAL" ] || [ "$closes" -ne 0 ] || [ "$failed" -ne 0 ]; then drops=1; fi
    if [ "$run" = broker ]; then
      nodes=$(node_counts)
      [ "$nodes" = "$(expect_nodes)" ] || drops=1
      [ "$(sum "$run" s open)" -eq "$SURVIVORS" ] && [ "$(closes_of "$run" s)" -eq 0 ] || drops=1
      echo "$(date +%s) open=$open closes=$closes failed=$failed survivors=$(sum "$run" s open) nodes=$nodes" >> "$WORK/$run-hold.txt"
    else
      echo "$(date +%s) open=$open closes=$closes failed=$failed" >> "$WORK/$run-hold.txt"
    fi
    sleep "$(( $(date +%s) + 5 < end ? 5 : (end > $(date +%s) ? end - $(date +%s) : 0) ))"
  done
  HOLD_DROPS=$drops
}

# ---------------------------------------------------------------------------------------------------------------
# Floor: three BaselineServers, closed from one request fanned out to all three at once.
if [ "$FLOOR" = true ]; then
  log "floor: three BaselineServer processes, $PER_NODE sessions each"
  for i in 1 2 3; do
    # shellcheck disable=SC2086
    java $JVM_FLAGS -cp "$TOOLS" io.delegatebroker.loadtest.BaselineServer --port "$(base_port "$i")" \
      --admin-port "$(base_admin "$i")" --host 127.0.0.1 --heartbeat-seconds "$HEARTBEAT" > "$WORK/floor-server$i.log" 2>&1 &
    SERVER_PIDS+=($!)
  done
  FLOOR_PIDS=("${SERVER_PIDS[@]}")
  for i in 1 2 3; do
    for _ in $(seq 1 120); do port_busy "$(base_admin "$i")" && break; sleep 0.5; done
    port_busy "$(base_admin "$i")" || die "baseline $i did not start: $(tail -3 "$WORK/floor-server$i.log")"
  done
  sleep 2
  measure_all floor idle "${FLOOR_PIDS[@]}"
  start_fleet floor none none "ws://127.0.0.1:$(base_port 1)" "ws://127.0.0.1:$(base_port 2)" "ws://127.0.0.1:$(base_port 3)"
  await_holding floor $((3 * CLIENTS_PER_NODE))
  FLOOR_CONNECT_SECONDS=$CONNECT_SECONDS
  cpu_all "${FLOOR_PIDS[@]}" > "$WORK/floor-connected-cpu.json"
  log "floor: $(sum floor v open) of $TOTAL open in $CONNECT_SECONDS s"
  check $([ "$(sum floor v open)" -eq "$TOTAL" ]; echo $?) "floor: $(sum floor v open) of $TOTAL sessions opened"
  sleep 3
  measure_all floor full "${FLOOR_PIDS[@]}"
  hold_check floor "$FLOOR_HOLD"
  check "$HOLD_DROPS" "floor: a session dropped during the hold (see $WORK/floor-hold.txt)"
  cpu_all "${FLOOR_PIDS[@]}" > "$WORK/floor-held-cpu.json"
  client_cpu floor held
  urls=(); for i in 1 2 3; do urls+=("http://127.0.0.1:$(base_admin "$i")/close-all"); done
  sent=$(now_ms)
  answer=$(curl -s -m 30 -Z --parallel-immediate -XPOST "${urls[@]}" 2>/dev/null | jq -cs . 2>/dev/null || echo '[]')
  answered=$(now_ms)
  await_deadline floor "$sent"
  FLOOR_OPEN_AT_DEADLINE=$OPEN_AT_DEADLINE
  await_closed floor "$TOTAL" "$sent"
  close_result floor "$sent" "$answered" "$answer"
  client_cpu floor closed
  check $(jq -e --argjson t "$TOTAL" '.closes["4001 token_revoked"] == $t and (.closes | length) == 1' "$WORK/floor-close.json" >/dev/null; echo $?) \
    "floor: closes seen $(jq -c .closes "$WORK/floor-close.json"), want 4001 token_revoked: $TOTAL"
  sleep 2
  measure_all floor after "${FLOOR_PIDS[@]}"
  stop_clients; stop_servers
  sleep 2
fi

# ---------------------------------------------------------------------------------------------------------------
# Broker: three nodes on one fresh database.
DB="three_full_$(date +%s)_$$"
psql "$PG_ADMIN/postgres" -qc "CREATE DATABASE $DB" >/dev/null || { DB=""; die "cannot create a database on $PG_ADMIN"; }
PG_URL="$PG_ADMIN/$DB"
CLUSTER_NAME="three-full-$(hostname)-$$-$(date +%s)"
MEMBERS=""; for i in 1 2 3; do MEMBERS="$MEMBERS${MEMBERS:+,}127.0.0.1:$(node_cluster "$i")"; done
log "broker: three nodes (cluster $CLUSTER_NAME, database $DB), $PER_NODE sessions each + $SURVIVORS survivors"
for i in 1 2 3; do
  # shellcheck disable=SC2086
  env BROKER_ADMIN_KEY="$KEY" BROKER_PG_URL="$PG_URL" BROKER_HOST=127.0.0.1 BROKER_NODE_ID="full-$i" \
    BROKER_DELEGATE_PORT="$(node_delegate "$i")" BROKER_ADMIN_PORT="$(node_admin "$i")" \
    BROKER_CLUSTER_MEMBERS="$MEMBERS" BROKER_CLUSTER_PORT="$(node_cluster "$i")" BROKER_CLUSTER_NAME="$CLUSTER_NAME" \
    BROKER_HEARTBEAT_SECONDS="$HEARTBEAT" \
    java $JVM_FLAGS -jar broker/target/broker.jar > "$WORK/broker-node$i.log" 2>&1 &
  SERVER_PIDS+=($!)
done
NODE_PIDS=("${SERVER_PIDS[@]}")
admin() { echo "http://127.0.0.1:$(node_admin "$1")"; }
for i in 1 2 3; do
  for _ in $(seq 1 240); do
    curl -sf "$(admin "$i")/health/ready" >/dev/null 2>&1 && break
    kill -0 "${NODE_PIDS[$((i - 1))]}" 2>/dev/null || die "node $i exited: $(tail -3 "$WORK/broker-node$i.log")"
    sleep 0.5
  done
  curl -sf "$(admin "$i")/health/ready" >/dev/null 2>&1 || die "node $i not ready after 120 s: $(tail -3 "$WORK/broker-node$i.log")"
done
for i in 1 2 3; do
  for _ in $(seq 1 120); do
    [ "$(curl -s -m 5 -H "Authorization: Bearer $KEY" "$(admin "$i")/v1/cluster" | jq '.nodes | length' 2>/dev/null)" = 3 ] && break
    sleep 0.5
  done
  [ "$(curl -s -m 5 -H "Authorization: Bearer $KEY" "$(admin "$i")/v1/cluster" | jq '.nodes | length' 2>/dev/null)" = 3 ] \
    || die "node $i does not see three members"
done
body=$(curl -sf -m 10 -XPOST -H "Authorization: Bearer $KEY" -H 'content-type: application/json' \
  -d '{"name":"three-full"}' "$(admin 1)/v1/accounts") || die "cannot create an account"
ACC=$(jq -r .id <<<"$body"); TOKEN=$(jq -r .defaultToken.value <<<"$body")
body=$(curl -sf -m 10 -XPOST -H "Authorization: Bearer $KEY" -H 'content-type: application/json' \
  -d '{"name":"survivor"}' "$(admin 1)/v1/accounts/$ACC/tokens") || die "cannot create the survivor token"
SURVIVOR_TOKEN=$(jq -r .value <<<"$body")
sleep 2
measure_all broker idle "${NODE_PIDS[@]}"
start_fleet broker "$TOKEN" "$ACC" "ws://127.0.0.1:$(node_delegate 1)" "ws://127.0.0.1:$(node_delegate 2)" "ws://127.0.0.1:$(node_delegate 3)"
WANT=$((3 * CLIENTS_PER_NODE))
if [ "$SURVIVORS" -gt 0 ]; then
  start_client broker s 1 "ws://127.0.0.1:$(node_delegate 1),ws://127.0.0.1:$(node_delegate 2),ws://127.0.0.1:$(node_delegate 3)" \
    "$SURVIVOR_TOKEN" "$ACC" "$SURVIVORS"
  WANT=$((WANT + 1))
fi
await_holding broker "$WANT"
BROKER_CONNECT_SECONDS=$CONNECT_SECONDS
cpu_all "${NODE_PIDS[@]}" > "$WORK/broker-connected-cpu.json"
log "broker: $(sum broker v open) of $TOTAL victims and $(sum broker s open) of $SURVIVORS survivors open in $CONNECT_SECONDS s"
check $([ "$(sum broker v open)" -eq "$TOTAL" ]; echo $?) "broker: $(sum broker v open) of $TOTAL victim sessions opened"
check $([ "$(sum broker s open)" -eq "$SURVIVORS" ]; echo $?) "broker: $(sum broker s open) of $SURVIVORS survivor sessions opened"
sleep 3 # connect-time work (lastUsedAt flush, registrations) settles
# Each node's own count: its share of victims and of the survivors (round-robin: session i on node i mod 3).
expect_nodes() { local i; for i in 0 1 2; do echo $((PER_NODE + SURVIVORS / 3 + (i < SURVIVORS % 3 ? 1 : 0))); done | jq -sc .; }
node_counts() { # -> [sessions of full-1, full-2, full-3] as node 1 lists them
  curl -s -m 10 -H "Authorization: Bearer $KEY" "$(admin 1)/v1/cluster" \
    | jq -c '[.nodes[] | {(.id): .sessions}] | add | [.["full-1"], .["full-2"], .["full-3"]]' 2>/dev/null || echo '"no answer"'
}
NODES_FULL=$(node_counts)
check $([ "$NODES_FULL" = "$(expect_nodes)" ]; echo $?) "broker: nodes hold $NODES_FULL, want $(expect_nodes)"
measure_all broker full "${NODE_PIDS[@]}"
log "broker: holding $HOLD_SECONDS s (nodes hold $NODES_FULL)"
HB0=$(sum broker v heartbeatsSent)
hold_check broker "$HOLD_SECONDS"
check "$HOLD_DROPS" "broker: a session dropped or a count moved during the hold (see $WORK/broker-hold.txt)"
NODES_HELD=$(node_counts)
check $([ "$NODES_HELD" = "$(expect_nodes)" ]; echo $?) "broker: after the hold nodes hold $NODES_HELD, want $(expect_nodes)"
HOLD_HB=$(( $(sum broker v heartbeatsSent) - HB0 ))
LATE=$(( $(sum broker v lateAcks) + $(sum broker s lateAcks) ))
check $([ "$LATE" -eq 0 ]; echo $?) "broker: $LATE heartbeats went unacknowledged for a whole period"
if [ "$HOLD_SECONDS" -ge $((2 * HEARTBEAT)) ]; then
  check $([ "$HOLD_HB" -ge "$TOTAL" ]; echo $?) "broker: only $HOLD_HB heartbeats in the hold for $TOTAL sessions"
fi
cpu_all "${NODE_PIDS[@]}" > "$WORK/broker-held-cpu.json"
client_cpu broker held
LOAD_REVOKE=$(loadavg)
log "broker: revoking the token of $TOTAL sessions through node 1 (load average $LOAD_REVOKE)"
sent=$(now_ms)
code=$(curl -s -m 30 -o "$WORK/revoke-answer.txt" -w '%{http_code}' -XPOST -H "Authorization: Bearer $KEY" \
  "$(admin 1)/v1/accounts/$ACC/tokens/default/revoke" || true)
answered=$(now_ms)
answer=$(jq -c . "$WORK/revoke-answer.txt" 2>/dev/null || jq -nc --arg c "$code" '{error: "no JSON answer", http: $c}')
await_deadline broker "$sent"
await_closed broker "$TOTAL" "$sent"
close_result broker "$sent" "$answered" "$answer"
client_cpu broker closed
check $([ "$code" = 200 ]; echo $?) "broker: revoke answered HTTP $code"
check $(jq -e --argjson t "$TOTAL" '.evicted == $t and .complete == true and .unconfirmed == []' <<<"$answer" >/dev/null; echo $?) \
  "broker: revoke answered $answer, want evicted $TOTAL, complete:true, unconfirmed:[]"
check $([ "$OPEN_AT_DEADLINE" -eq 0 ]; echo $?) "broker: $OPEN_AT_DEADLINE victim sessions still open $CLOSE_DEADLINE s after the revoke"
check $(jq -e --argjson t "$TOTAL" '.closes["4001 token_revoked"] == $t and (.closes | length) == 1' "$WORK/broker-close.json" >/dev/null; echo $?) \
  "broker: closes seen $(jq -c .closes "$WORK/broker-close.json"), want 4001 token_revoked: $TOTAL"
check $(jq -e --argjson d $((CLOSE_DEADLINE * 1000)) '.lastCloseMillis <= $d' "$WORK/broker-close.json" >/dev/null; echo $?) \
  "broker: last 4001 after $(jq .lastCloseMillis "$WORK/broker-close.json") ms, over the $CLOSE_DEADLINE s deadline"
cpu_all "${NODE_PIDS[@]}" > "$WORK/broker-closed-cpu.json"
if [ "$SURVIVORS" -gt 0 ]; then
  # Survivors: still open, never closed, every heartbeat acknowledged, and still what the nodes hold.
  sleep 2
  s_open=$(sum broker s open); s_closes=$(closes_of broker s); s_late=$(sum broker s lateAcks)
  check $([ "$s_open" -eq "$SURVIVORS" ] && [ "$s_closes" -eq 0 ] && [ "$s_late" -eq 0 ]; echo $?) \
    "broker: survivors open $s_open of $SURVIVORS, closed $s_closes, late acks $s_late"
fi
NODES_AFTER=$(node_counts)
want_after=$(for i in 0 1 2; do echo $((SURVIVORS / 3 + (i < SURVIVORS % 3 ? 1 : 0))); done | jq -sc .)
check $([ "$NODES_AFTER" = "$want_after" ]; echo $?) "broker: after the revoke nodes hold $NODES_AFTER, want $want_after"
measure_all broker after "${NODE_PIDS[@]}"
# each node's one summary line of the bulk close (SessionEndLog), from "sessions closed:" on
grep -ho "sessions closed: .*" "$WORK"/broker-node*.log > "$WORK/broker-evictions.txt" || true
stop_clients
stop_servers
psql "$PG_ADMIN/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 && DB=""
LOAD_END=$(loadavg)
RUN_SECONDS=$(( $(date +%s) - RUN_START ))

# ---------------------------------------------------------------------------------------------------------------
# Report block
mib() { jq -r --argjson i "$2" ".[\$i].$3 / 1024 | round" "$1"; }
# rows run label-prefix pidcount: one row per server process of the run
rows() { # run label hold-seconds
  local run=$1 label=$2 hold=$3 i held
  for i in 0 1 2; do
    held=$PER_NODE
    [ "$run" = broker ] && held=$(jq -r --argjson i "$i" '.[$i]' <<<"$NODES_FULL")
    jq -rn --arg l "$label $((i + 1))" --argjson i "$i" --argjson n "$held" --argjson hold "$hold" \
      --slurpfile idle "$WORK/$run-idle.json" --slurpfile full "$WORK/$run-full.json" --slurpfile after "$WORK/$run-after.json" \
      --slurpfile c1 "$WORK/$run-connected-cpu.json" --slurpfile c2 "$WORK/$run-held-cpu.json" \
      --slurpfile c3 "$WORK/$run-closed-cpu.json" '
      def m: . / 1024 | round;
      ($idle[0][$i]) as $a | ($full[0][$i]) as $b | ($after[0][$i]) as $z |
      "| \($l) | \($n) | \($a.heapKiB | m) / \($a.rssKiB | m) | \($b.heapKiB | m) / \($b.rssKiB | m) | \((($b.heapKiB - $a.heapKiB) * 1024 / $n) | round) / \((($b.rssKiB - $a.rssKiB) * 1024 / $n) | round) | \($z.heapKiB | m) / \($z.rssKiB | m) | \(($c1[0][$i] - $a.cpuS) * 100 | round / 100) | \((($c1[0][$i] - $a.cpuS) * 1000000 / $n) | round) | \(($c2[0][$i] - $b.cpuAfterGcS) * 100 | round / 100) (\(if $hold > 0 then (($c2[0][$i] - $b.cpuAfterGcS) * 100 / $hold * 10 | round / 10) else 0 end) %) | \(($c3[0][$i] - $c2[0][$i]) * 100 | round / 100) |"'
  done
}
if [ "$FLOOR" = true ]; then
  # The floor's "closed" CPU point is its after-measurement's (taken before that GC).
  jq '[.[].cpuS]' "$WORK/floor-after.json" > "$WORK/floor-closed-cpu.json"
fi
BLOCK="$WORK/report.md"
VERDICT="PASS: every check held"
[ ${#FAILS[@]} -eq 0 ] || VERDICT="FAIL: $(printf '%s\n' "${FAILS[@]}" | paste -sd';' | sed 's/;/; /g')"
{
  echo "<!-- three-full:begin (written by loadtest/three-full.sh; replaced on every run) -->"
  echo "\`loadtest/three-full.sh --sessions-per-node $PER_NODE --hold-minutes $HOLD_MINUTES\` on $STARTED_AT, commit $COMMIT;"
  echo "load average at start / before the revoke / at the end: $LOAD_START / $LOAD_REVOKE / $LOAD_END ($(nproc) CPUs,"
  echo "$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)); the whole run took $RUN_SECONDS s. **$VERDICT.**"
  echo
  echo "| | floor: 3 BaselineServers | broker: 3 nodes | broker / floor |"
  echo "|---|---:|---:|---:|"
  fl() { [ "$FLOOR" = true ] && jq -r "$1" "$WORK/floor-close.json" || echo "—"; }
  bl() { jq -r "$1" "$WORK/broker-close.json"; }
  echo "| sessions closed (held) | $( [ "$FLOOR" = true ] && echo "$TOTAL" || echo —) | $TOTAL (+ $SURVIVORS of another token, kept) | |"
  rate() { awk -v s="$1" -v n="$2" 'BEGIN {if (s <= 0) print "—"; else printf "%.0f", n / s}'; }
  echo "| connect: first handshake to last welcome (s), sessions/s | ${FLOOR_CONNECT_SECONDS:-—}, $(rate "${FLOOR_CONNECT_SECONDS:-0}" "$TOTAL") | $BROKER_CONNECT_SECONDS, $(rate "$BROKER_CONNECT_SECONDS" "$((TOTAL + SURVIVORS))") | $( [ "$FLOOR" = true ] && echo "$(ratio "$(rate "$BROKER_CONNECT_SECONDS" "$((TOTAL + SURVIVORS))")" "$(rate "$FLOOR_CONNECT_SECONDS" "$TOTAL")") (rate)" || echo —) |"
  echo "| hold before the close | ${FLOOR_HOLD} s | $HOLD_SECONDS s, heartbeats every $HEARTBEAT s ($HOLD_HB sent, $LATE late) | |"
  echo "| close request answered (ms) | $(fl .answerMillis) | $(bl .answerMillis) | |"
  echo "| first close seen (ms) | $(fl .firstCloseMillis) | $(bl .firstCloseMillis) | |"
  echo "| **last 4001 seen (ms)** | $(fl .lastCloseMillis) | $(bl .lastCloseMillis) | **$(ratio "$(bl .lastCloseMillis)" "$( [ "$FLOOR" = true ] && fl .lastCloseMillis || echo 0)")** |"
  echo "| closes seen by the clients | $(fl '.closes | to_entries | map("\(.key): \(.value)") | join(", ")') | $(bl '.closes | to_entries | map("\(.key): \(.value)") | join(", ")') | |"
  echo "| still open $CLOSE_DEADLINE s after the request | ${FLOOR_OPEN_AT_DEADLINE:-—} | $OPEN_AT_DEADLINE | |"
  ccpu() { [ -f "$WORK/$1-client-cpu.json" ] && jq -r "($2) * 10 | round / 10" "$WORK/$1-client-cpu.json" || echo —; }
  echo "| CPU of all client processes: connect / close (s) | $(ccpu floor '.connected - .up') / $(ccpu floor '.closed - .held') | $(ccpu broker '.connected - .up') / $(ccpu broker '.closed - .held') | |"
  echo "| answer | $(fl '"`\(.answer | tojson)`"') | \`$(bl '.answer | tojson')\` | |"
  echo
  echo "Per server process (heap after \`jcmd GC.run\` / VmRSS, MiB; per session = (full − idle) / sessions held;"
  echo "CPU = utime + stime of the process over the phase, s):"
  echo
  echo "| process | sessions | idle heap / RSS | full heap / RSS | per session heap / RSS (B) | after close heap / RSS | CPU connect (s) | CPU per connect (µs) | CPU hold (s, % of a core) | CPU close (s) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  [ "$FLOOR" = true ] && rows floor baseline "$FLOOR_HOLD"
  rows broker node "$HOLD_SECONDS"
  echo
  echo "Node counts (\`GET /v1/cluster\`): full $NODES_FULL, after the hold $NODES_HELD, after the revoke $NODES_AFTER."
  if [ -s "$WORK/broker-evictions.txt" ]; then
    echo "Each node's log: $(paste -sd';' "$WORK/broker-evictions.txt" | sed 's/;/; /g')."
  fi
  echo "Raw data: \`$WORK/\`."
  echo "<!-- three-full:end -->"
} > "$BLOCK"
cat "$BLOCK" >&2

if [ "$OUT" != none ]; then
  if [ -f "$OUT" ] && grep -q '^<!-- three-full:begin' "$OUT"; then
    awk -v block="$BLOCK" '
      /^<!-- three-full:begin/ {while ((getline l < block) > 0) print l; skip = 1; next}
      /^<!-- three-full:end/ {skip = 0; next}
      !skip {print}' "$OUT" > "$OUT.tmp" && mv "$OUT.tmp" "$OUT"
    log "wrote the three-full block of $OUT"
  else
    log "$OUT has no three-full markers; the report is only in $BLOCK"
  fi
fi
[ ${#FAILS[@]} -eq 0 ] || { log "FAILED: ${#FAILS[@]} check(s)"; exit 1; }
log "passed"
