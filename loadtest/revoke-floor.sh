#!/usr/bin/env bash
# Mass revocation beside its floor, in one run (called by `loadtest/bench.sh --revoke-floor`, or alone):
#   floor    the bare Vert.x BaselineServer holding N sessions, closing them all with 4001 from one POST /close-all
#   single   one broker node holding N sessions of one token, the token revoked through the admin API
#   cluster  three broker nodes (N/3 each, one Hazelcast cluster on loopback), revoked through node 1
# Both broker runs use one fresh PostgreSQL database (created here, dropped at the end). The clients are HoldClient
# processes (N/clients sessions each, own loopback source address); each records when the server closed each of its
# sessions. The figure is "last 4001": from just before the POST is sent to the last close any client saw.
# The report block between the revoke-floor markers in docs/BENCHMARKS.md is replaced (or added before "## Analysis").
# Traffic stays on loopback; every wait is bounded; every process started here is stopped by its pid.
#
# Usage: loadtest/revoke-floor.sh [options]
#   --sessions 12000          sessions per run (all on one token)
#   --clients 3               client processes per run (each holds sessions/clients; at most 9,000)
#   --concurrency 16          handshakes in flight per client
#   --runs "floor single floor cluster"   the runs, in order; each broker run is compared with the floor run before it
#   --pg-admin postgresql://postgres@127.0.0.1:5432   server on which the run's database is created and dropped
#   --jvm-flags "..."         server JVM flags (default: -Xms256m -Xmx2g -XX:+UseG1GC, the flags of bench.sh)
#   --skip-build              use the jars already built
#   --out docs/BENCHMARKS.md
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

SESSIONS=12000
CLIENTS=3
CONCURRENCY=16
RUNS="floor single floor cluster"
PG_ADMIN=postgresql://postgres@127.0.0.1:5432
JVM_FLAGS="-Xms256m -Xmx2g -XX:+UseG1GC"
CLIENT_FLAGS="-Xmx512m -XX:+UseSerialGC"
SKIP_BUILD=false
OUT=docs/BENCHMARKS.md
WORK=loadtest/target/bench/revoke-floor
KEY="bench-root-key-$(date +%s)-0123456789"
BASE_PORT=18090
BASE_ADMIN=18091
# node i (1..3): delegate port 18100+2i, admin port 18101+2i, Hazelcast 15700+i
node_delegate() { echo $((18100 + 2 * $1)); }
node_admin() { echo $((18101 + 2 * $1)); }

while [ $# -gt 0 ]; do
  case "$1" in
    --sessions|--floor-sessions) SESSIONS="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --concurrency) CONCURRENCY="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --pg-admin) PG_ADMIN="$2"; shift 2 ;;
    --jvm-flags) JVM_FLAGS="$2"; shift 2 ;;
    --skip-build) SKIP_BUILD=true; shift ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "revoke-floor: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

log() { echo "revoke-floor: $(date +%H:%M:%S) $*" >&2; }
die() { echo "revoke-floor: $*" >&2; exit 1; }
for tool in java curl jq awk psql mvn; do command -v "$tool" >/dev/null || die "$tool is required"; done
case "$PG_ADMIN" in postgresql://*@127.*|postgresql://*@localhost*) ;; *) die "--pg-admin must be a loopback server" ;; esac
[ "$SESSIONS" -ge "$CLIENTS" ] && [ $((SESSIONS / CLIENTS)) -le 9000 ] || die "--sessions / --clients must be 1..9000"
[ "$SESSIONS" -lt $(($(ulimit -n) - 500)) ] || die "$SESSIONS sessions do not fit the open-file limit $(ulimit -n)"
mkdir -p "$WORK"
rm -f "$WORK"/*.json "$WORK"/*.stop "$WORK"/*.log 2>/dev/null || true

SERVER_PIDS=()
CLIENT_PIDS=()
STOP_FILES=()
DB=""
. "$ROOT/loadtest/lib/common.sh"
cleanup() {
  stop_clients
  stop_servers
  [ -z "$DB" ] || psql "$PG_ADMIN/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

for p in $BASE_PORT $BASE_ADMIN $(for i in 1 2 3; do node_delegate "$i"; node_admin "$i"; done); do
  ! port_busy "$p" || die "port $p is in use; stop what listens there"
done

if [ "$SKIP_BUILD" != true ]; then
  log "building broker.jar and loadtest-tools.jar"
  mvn -B -o -q -pl loadtest -am package -DskipTests
fi
TOOLS=loadtest/target/loadtest-tools.jar
[ -f broker/target/broker.jar ] && [ -f "$TOOLS" ] || die "jars missing; build first"
DB="bench_revoke_$(date +%s)"
psql "$PG_ADMIN/postgres" -qc "CREATE DATABASE $DB" >/dev/null || die "cannot create database $DB on $PG_ADMIN"
PG_URL="$PG_ADMIN/$DB"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- broker 2>/dev/null || echo '+changes')"

await_http() { # url seconds
  for _ in $(seq 1 $(($2 * 2))); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.5; done
  return 1
}

start_baseline() {
  # shellcheck disable=SC2086
  java $JVM_FLAGS -cp "$TOOLS" io.delegatebroker.loadtest.BaselineServer --port $BASE_PORT --admin-port $BASE_ADMIN \
    --host 127.0.0.1 > "$WORK/$1-server.log" 2>&1 &
  SERVER_PIDS+=($!)
  for _ in $(seq 1 120); do port_busy $BASE_ADMIN && return 0; sleep 0.5; done
  die "baseline did not start: $(tail -3 "$WORK/$1-server.log")"
}

start_brokers() { # label count
  local label=$1 n=$2 members="" i
  for i in $(seq 1 "$n"); do members="$members${members:+,}127.0.0.1:$((15700 + i))"; done
  for i in $(seq 1 "$n"); do
    # shellcheck disable=SC2086
    env BROKER_ADMIN_KEY="$KEY" BROKER_PG_URL="$PG_URL" BROKER_HOST=127.0.0.1 \
      BROKER_DELEGATE_PORT="$(node_delegate "$i")" BROKER_ADMIN_PORT="$(node_admin "$i")" BROKER_NODE_ID="bench-$i" \
      $( [ "$n" -gt 1 ] && echo "BROKER_CLUSTER_MEMBERS=$members BROKER_CLUSTER_PORT=$((15700 + i)) BROKER_CLUSTER_NAME=bench-$label-$$" ) \
      java $JVM_FLAGS -jar broker/target/broker.jar > "$WORK/$label-node$i.log" 2>&1 &
    SERVER_PIDS+=($!)
  done
  for i in $(seq 1 "$n"); do
    await_http "http://127.0.0.1:$(node_admin "$i")/health/ready" 120 || die "node $i did not start: $(tail -3 "$WORK/$label-node$i.log")"
  done
  for _ in $(seq 1 120); do
    [ "$(curl -sf -H "Authorization: Bearer $KEY" "http://127.0.0.1:$(node_admin 1)/v1/cluster" | jq '.nodes | length')" = "$n" ] && return 0
    sleep 0.5
  done
  die "the $n nodes did not form one cluster"
}

# clients label token account url...: CLIENTS processes, round-robin over the urls, waits until all hold
start_clients() {
  local label=$1 token=$2 account=$3; shift 3
  local urls=("$@") i count ip=10
  for i in $(seq 1 "$CLIENTS"); do
    count=$(( SESSIONS / CLIENTS + (i <= SESSIONS % CLIENTS ? 1 : 0) ))
    ip=$((ip + 1))
    STOP_FILES+=("$WORK/$label-c$i.stop")
    # shellcheck disable=SC2086
    HOLD_TOKEN=$token java $CLIENT_FLAGS -cp "$TOOLS" io.delegatebroker.loadtest.HoldClient \
      --url "${urls[$(( (i - 1) % ${#urls[@]} ))]}" --account "$account" --sessions "$count" --concurrency "$CONCURRENCY" \
      --name-prefix "$label-c$i" --instances-per-delegate 4 --retries 3 --local-address "127.0.0.$ip" \
      --status-file "$WORK/$label-c$i.json" --stop-file "$WORK/$label-c$i.stop" --hold-seconds -1 --max-seconds 900 \
      > "$WORK/$label-c$i.log" 2>&1 &
    CLIENT_PIDS+=($!)
  done
  local deadline=$(( $(date +%s) + 300 )) holding
  while :; do
    holding=$(cat "$WORK/$label"-c*.json 2>/dev/null | jq -s '[.[] | select(.phase == "holding")] | length' 2>/dev/null || true)
    [ "${holding:-0}" -ge "$CLIENTS" ] && break
    [ "$(date +%s)" -lt "$deadline" ] || die "$label: clients still connecting after 300 s"
    sleep 0.5
  done
  HELD=$(cat "$WORK/$label"-c*.json | jq -s '[.[].open] | add')
  [ "$HELD" -eq "$SESSIONS" ] || log "$label: $HELD of $SESSIONS sessions open (failed handshakes: see $WORK/$label-c*.json)"
  sleep 3 # let connect-time work (lastUsedAt flushes, registrations) settle before the revoke
}

# await_closed label -> waits until every session was closed by the server (at most 120 s)
await_closed() {
  local deadline=$(( $(date +%s) + 120 )) closed
  while :; do
    closed=$(cat "$WORK/$1"-c*.json 2>/dev/null | jq -s '[.[].serverCloses | to_entries[] | .value] | add // 0' 2>/dev/null || true)
    [ "${closed:-0}" -ge "$HELD" ] && return 0
    [ "$(date +%s)" -lt "$deadline" ] || { log "$1: only $closed of $HELD closed after 120 s"; return 0; }
    sleep 0.5
  done
}

# result label nodes sent answeredMs answerJson -> $WORK/result-label.json
result() {
  local label=$1 nodes=$2 sent=$3 answered=$4 answer=$5
  sleep 1 # one more status write of every client
  jq -s --arg lbl "$label" --argjson nodes "$nodes" --argjson sent "$sent" --argjson answered "$answered" \
    --argjson answer "$answer" --argjson sessions "$HELD" '
    {label: $lbl, nodes: $nodes, sessions: $sessions, answer: $answer,
     answerMillis: ($answered - $sent),
     firstCloseMillis: ((map(.firstServerCloseAtMillis) | map(select(. > 0)) | min) - $sent),
     lastCloseMillis: ((map(.lastServerCloseAtMillis) | max) - $sent),
     closes: (reduce (.[].serverCloses | to_entries[]) as $e ({}; .[$e.key] += $e.value))}' \
    "$WORK/$label"-c*.json > "$WORK/result-$label.json"
  log "$label: $(jq -c '{answerMillis, firstCloseMillis, lastCloseMillis, closes, answer}' "$WORK/result-$label.json")"
}

run_floor() { # label
  local label=$1 sent answered answer
  log "$label: baseline server, $SESSIONS sessions"
  start_baseline "$label"
  start_clients "$label" none none "ws://127.0.0.1:$BASE_PORT"
  sent=$(now_ms)
  answer=$(curl -sf -XPOST "http://127.0.0.1:$BASE_ADMIN/close-all")
  answered=$(now_ms)
  await_closed "$label"
  result "$label" 1 "$sent" "$answered" "$answer"
  stop_clients; stop_servers
}

run_broker() { # label nodes
  local label=$1 n=$2 body acc token urls=() i sent answered answer admin
  log "$label: $n broker node(s) on PostgreSQL, $SESSIONS sessions of one token"
  start_brokers "$label" "$n"
  admin="http://127.0.0.1:$(node_admin 1)"
  body=$(curl -sf -XPOST -H "Authorization: Bearer $KEY" -H 'content-type: application/json' \
    -d "{\"name\":\"bench-$label\"}" "$admin/v1/accounts") || die "cannot create an account"
  acc=$(jq -r .id <<<"$body"); token=$(jq -r .defaultToken.value <<<"$body")
  for i in $(seq 1 "$n"); do urls+=("ws://127.0.0.1:$(node_delegate "$i")"); done
  start_clients "$label" "$token" "$acc" "${urls[@]}"
  sent=$(now_ms)
  answer=$(curl -s -m 30 -XPOST -H "Authorization: Bearer $KEY" "$admin/v1/accounts/$acc/tokens/default/revoke")
  answered=$(now_ms)
  jq -e . >/dev/null 2>&1 <<<"$answer" || answer='{"error":"no JSON answer"}'
  await_closed "$label"
  result "$label" "$n" "$sent" "$answered" "$answer"
  stop_clients; stop_servers
}

n_floor=0
for run in $RUNS; do
  case $run in
    floor) n_floor=$((n_floor + 1)); run_floor "floor$n_floor" ;;
    single) run_broker single 1 ;;
    cluster) run_broker cluster 3 ;;
    *) die "unknown run $run (floor, single, cluster)" ;;
  esac
  sleep 2
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------------------------------
# Report block
BLOCK="$WORK/report.md"
{
  echo "<!-- revoke-floor:begin (written by loadtest/revoke-floor.sh; replaced on every run) -->"
  echo "## Mass revocation beside the floor"
  echo
  echo "\`loadtest/bench.sh --revoke-floor\` on $STARTED_AT, commit $COMMIT; load average before / after: $LOAD_BEFORE / $LOAD_AFTER"
  echo "($(nproc) CPUs shared by servers, clients, PostgreSQL and whatever else runs on the machine)."
  echo
  echo "Each run holds $SESSIONS sessions ($CLIENTS \`HoldClient\` processes, $CONCURRENCY handshakes in flight each, round-robin"
  echo "over the nodes) and then closes them all at once: the **floor** is the bare Vert.x \`BaselineServer\` closing every"
  echo "session with 4001 from one \`POST /close-all\` (one task per event loop, as the broker does); the broker runs revoke"
  echo "the one token they all use, through node 1, on one node and on three (one Hazelcast cluster, one PostgreSQL"
  echo "database). Times run from just before the POST is sent to the close each client saw; servers use \`$JVM_FLAGS\`."
  echo "Each broker run is compared with the floor run just before it."
  echo
  echo "| run | nodes | answer (ms) | first close (ms) | last 4001 (ms) | closes seen | answer | × floor (last 4001) | target |"
  echo "|---|---:|---:|---:|---:|---|---|---:|---|"
  floor=""
  n_floor=0
  for run in $RUNS; do
    case $run in
      floor) n_floor=$((n_floor + 1)); label="floor$n_floor" ;;
      *) label=$run ;;
    esac
    f="$WORK/result-$label.json"
    [ -f "$f" ] || continue
    last=$(jq .lastCloseMillis "$f")
    if [ "$run" = floor ]; then
      floor=$last; x="1.00"; target=""
    else
      x=$(ratio "$last" "${floor:-0}")
      target=$( [ "$run" = single ] && echo "≤ 1.15" || echo "≤ 1.3")
    fi
    jq -r --arg x "$x" --arg t "$target" '"| \(.label) | \(.nodes) | \(.answerMillis) | \(.firstCloseMillis) | \(.lastCloseMillis) | \(.closes | to_entries | map("\(.key): \(.value)") | join(", ")) | `\(.answer | tojson)` | \($x) | \($t) |"' "$f"
  done
  echo
  echo "Reproduce: \`loadtest/bench.sh --revoke-floor --sessions $SESSIONS\` (about 4 minutes on 2 cores; needs"
  echo "PostgreSQL at 127.0.0.1:5432 and ports $BASE_PORT-$BASE_ADMIN, 18102-18107 free). Raw data: \`$WORK/\`."
  echo "<!-- revoke-floor:end -->"
} > "$BLOCK"

if [ -f "$OUT" ] && grep -q '^<!-- revoke-floor:begin' "$OUT"; then
  awk -v block="$BLOCK" '
    /^<!-- revoke-floor:begin/ {while ((getline l < block) > 0) print l; skip = 1; next}
    /^<!-- revoke-floor:end/ {skip = 0; next}
    !skip {print}' "$OUT" > "$OUT.tmp"
elif [ -f "$OUT" ] && grep -q '^## Analysis' "$OUT"; then
  awk -v block="$BLOCK" '/^## Analysis/ && !done {while ((getline l < block) > 0) print l; print ""; done = 1} {print}' "$OUT" > "$OUT.tmp"
else
  { [ -f "$OUT" ] && cat "$OUT" && echo; cat "$BLOCK"; } > "$OUT.tmp"
fi
mv "$OUT.tmp" "$OUT"
log "wrote $OUT"
