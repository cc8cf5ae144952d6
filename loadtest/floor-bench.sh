#!/usr/bin/env bash
# The headline benchmark: one broker node on PostgreSQL beside the bare Vert.x floor (BaselineServer), in one run, with
# the same client fleet and JVM flags. For each server, in order (baseline, broker on PostgreSQL, and the broker on the
# dev in-memory store as a second column unless --no-dev):
#   1. warm-up: WARMUP sessions opened and closed (JIT, pools), then memory at 0 sessions;
#   2. connect: N sessions opened by CLIENTS HoldClient processes (own loopback address each, CONCURRENCY handshakes in
#      flight each): connect rate (sessions / (last welcome - first connect)) and server CPU per connect;
#   3. memory at N: heap after GC (jcmd GC.run twice, GC.heap_info), live bytes (jmap -histo:live), RSS (VmRSS);
#   4. mass close: the broker revokes the one token all N sessions use (POST .../tokens/default/revoke); the baseline
#      closes them all with 4001 on one POST /close-all. "Last 4001" runs from just before the POST to the last close
#      any client saw.
# The broker's database is a throwaway one created here and dropped at the end. Writes the block between the floor
# markers in docs/BENCHMARKS.md (added under the title the first time); raw data in loadtest/target/bench/floor/.
# Traffic stays on loopback; every wait is bounded; every process started here is stopped by its pid.
#
# Usage: loadtest/floor-bench.sh [options]        (also: loadtest/bench.sh --floor [options])
#   --sessions 15000          sessions held per server (at most 9,000 per client process)
#   --clients 3               client processes
#   --concurrency 16          handshakes in flight per client process
#   --warmup 15000            sessions opened and closed before measuring (by the CLIENTS processes): enough connects
#                               for C2 to compile the per-connect code of both servers, so the step measures steady
#                               state rather than the JIT (with 3,000, compiler threads were half the server's CPU)
#   --no-dev                  skip the dev-store column
#   --jfr                     record JFR profiles of each server's connect step and mass close
#                               (loadtest/target/bench/floor/<run>-connect.jfr, <run>-close.jfr; jfr print / jfr summary)
#   --pg-admin postgresql://postgres@127.0.0.1:5432   server on which the run's database is created and dropped
#   --jvm-flags "..."         server JVM flags (default: -Xms256m -Xmx2g -XX:+UseG1GC)
#   --skip-build              use the jars already built
#   --broker-jar PATH         run this broker jar instead of broker/target/broker.jar (to compare two builds)
#   --out docs/BENCHMARKS.md  (--out - : do not write a report, only the raw data)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

SESSIONS=15000
CLIENTS=3
CONCURRENCY=16
WARMUP=15000
DEV=true
JFR=false
PG_ADMIN=postgresql://postgres@127.0.0.1:5432
JVM_FLAGS="-Xms256m -Xmx2g -XX:+UseG1GC"
CLIENT_FLAGS="-Xmx512m -XX:+UseSerialGC"
SKIP_BUILD=false
BROKER_JAR=broker/target/broker.jar
OUT=docs/BENCHMARKS.md
WORK=loadtest/target/bench/floor
KEY="bench-root-key-$(date +%s)-0123456789"
DELEGATE_PORT=18120
ADMIN_PORT=18121

while [ $# -gt 0 ]; do
  case "$1" in
    --sessions) SESSIONS="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --concurrency) CONCURRENCY="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --no-dev) DEV=false; shift ;;
    --jfr) JFR=true; shift ;;
    --pg-admin) PG_ADMIN="$2"; shift 2 ;;
    --jvm-flags) JVM_FLAGS="$2"; shift 2 ;;
    --skip-build) SKIP_BUILD=true; shift ;;
    --broker-jar) BROKER_JAR="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "floor-bench: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

log() { echo "floor-bench: $(date +%H:%M:%S) $*" >&2; }
die() { echo "floor-bench: $*" >&2; exit 1; }
for tool in java jcmd jmap curl jq awk psql mvn; do command -v "$tool" >/dev/null || die "$tool is required"; done
case "$PG_ADMIN" in postgresql://*@127.*|postgresql://*@localhost*) ;; *) die "--pg-admin must be a loopback server" ;; esac
[ "$SESSIONS" -ge "$CLIENTS" ] && [ $((SESSIONS / CLIENTS)) -le 9000 ] || die "--sessions / --clients must be 1..9000"
[ "$SESSIONS" -lt $(($(ulimit -n) - 500)) ] || die "$SESSIONS sessions do not fit the open-file limit $(ulimit -n)"
mkdir -p "$WORK"
rm -f "$WORK"/*.json "$WORK"/*.stop "$WORK"/*.log "$WORK"/*.histo "$WORK"/*.jfr 2>/dev/null || true

SERVER_PID=""
CLIENT_PIDS=()
STOP_FILES=()
DB=""
. "$ROOT/loadtest/lib/common.sh"
cleanup() {
  stop_clients
  [ -z "$SERVER_PID" ] || stop_pid "$SERVER_PID"
  [ -z "$DB" ] || psql "$PG_ADMIN/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

for p in $DELEGATE_PORT $ADMIN_PORT; do ! port_busy "$p" || die "port $p is in use; stop what listens there"; done

if [ "$SKIP_BUILD" != true ]; then
  log "building broker.jar and loadtest-tools.jar"
  mvn -B -o -q -pl loadtest -am package -DskipTests 2>/dev/null || mvn -B -q -pl loadtest -am package -DskipTests
fi
TOOLS=loadtest/target/loadtest-tools.jar
[ -f "$BROKER_JAR" ] && [ -f "$TOOLS" ] || die "jars missing; build first"
DB="bench_floor_$(date +%s)"
psql "$PG_ADMIN/postgres" -qc "CREATE DATABASE $DB" >/dev/null || die "cannot create database $DB on $PG_ADMIN"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
T_START=$(date +%s)
COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- broker 2>/dev/null || echo '+changes')"
CLK_TCK=$(getconf CLK_TCK)

start_server() { # run -> SERVER_PID
  local run=$1
  if [ "$run" = baseline ]; then
    # shellcheck disable=SC2086
    java $JVM_FLAGS -cp "$TOOLS" io.delegatebroker.loadtest.BaselineServer --port $DELEGATE_PORT --admin-port $ADMIN_PORT \
      --host 127.0.0.1 > "$WORK/$run-server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 120); do port_busy $ADMIN_PORT && return 0; sleep 0.5; done
  else
    # shellcheck disable=SC2086
    env BROKER_ADMIN_KEY="$KEY" BROKER_HOST=127.0.0.1 BROKER_DELEGATE_PORT=$DELEGATE_PORT BROKER_ADMIN_PORT=$ADMIN_PORT \
      BROKER_NODE_ID="floor-$run" \
      $( [ "$run" = broker-pg ] && echo "BROKER_PG_URL=$PG_ADMIN/$DB" || echo "BROKER_DEV=true" ) \
      java $JVM_FLAGS -jar "$BROKER_JAR" > "$WORK/$run-server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 240); do
      curl -sf "http://127.0.0.1:$ADMIN_PORT/health/ready" >/dev/null 2>&1 && return 0
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.5
    done
  fi
  die "$run did not start: $(tail -3 "$WORK/$run-server.log")"
}

# clients tag count nclients hold(-1 until stopped, 0 close at once) -> waits until every client holds (or is done)
clients() {
  local tag=$1 total=$2 n=$3 hold=$4 i count ip
  for i in $(seq 1 "$n"); do
    count=$(( total / n + (i <= total % n ? 1 : 0) ))
    ip=$((10 + i))
    STOP_FILES+=("$WORK/$tag-c$i.stop")
    # shellcheck disable=SC2086
    HOLD_TOKEN=$TOKEN java $CLIENT_FLAGS -cp "$TOOLS" io.delegatebroker.loadtest.HoldClient \
      --url "ws://127.0.0.1:$DELEGATE_PORT" --account "$ACCOUNT" --sessions "$count" --concurrency "$CONCURRENCY" \
      --name-prefix "$tag-c$i" --instances-per-delegate 4 --retries 3 --local-address "127.0.0.$ip" \
      --status-file "$WORK/$tag-c$i.json" --stop-file "$WORK/$tag-c$i.stop" --hold-seconds "$hold" --max-seconds 900 \
      > "$WORK/$tag-c$i.log" 2>&1 &
    CLIENT_PIDS+=($!)
  done
  local want=holding deadline=$(( $(date +%s) + 300 )) ready
  [ "$hold" = 0 ] && want=done
  while :; do
    ready=$(cat "$WORK/$tag"-c*.json 2>/dev/null | jq -s --arg w "$want" '[.[] | select(.phase == $w)] | length' 2>/dev/null || true)
    [ "${ready:-0}" -ge "$n" ] && break
    [ "$(date +%s)" -lt "$deadline" ] || die "$tag: clients not $want after 300 s"
    sleep 0.5
  done
}

# jfr_start/jfr_stop run phase: a JFR recording (profile settings) of one phase, with --jfr
jfr_start() { [ "$JFR" != true ] || jcmd "$SERVER_PID" JFR.start name="$2" settings=profile >/dev/null; }
jfr_stop() { [ "$JFR" != true ] || jcmd "$SERVER_PID" JFR.stop name="$2" filename="$ROOT/$WORK/$1-$2.jfr" >/dev/null; }

# measure pid label -> JSON: heap used after GC (KiB), live bytes (histo total), RSS (KiB)
measure() {
  local pid=$1 label=$2 heap
  jcmd "$pid" GC.run >/dev/null; sleep 1; jcmd "$pid" GC.run >/dev/null; sleep 1
  heap=$(jcmd "$pid" GC.heap_info | awk '/heap/ && /used/ {for (i = 1; i <= NF; i++) if ($i == "used") {v = $(i + 1); gsub(/[^0-9]/, "", v); print v; exit}}')
  jmap -histo:live "$pid" > "$WORK/$label.histo"
  jq -n --argjson heap "${heap:-0}" --argjson live "$(awk '/^Total/ {print $3}' "$WORK/$label.histo")" \
    --argjson rss "$(rss_kb "$pid")" '{heapKiB: $heap, liveBytes: $live, rssKiB: $rss}'
}

run() { # run
  local r=$1 body m0 m1 t0 t1 t2 t3 sent answered answer closed deadline lines0 lines1 held
  log "$r: starting"
  start_server "$r"
  ACCOUNT=none; TOKEN=none
  if [ "$r" != baseline ]; then
    body=$(curl -sf -XPOST -H "Authorization: Bearer $KEY" -H 'content-type: application/json' \
      -d "{\"name\":\"floor-$r\"}" "http://127.0.0.1:$ADMIN_PORT/v1/accounts") || die "cannot create an account"
    ACCOUNT=$(jq -r .id <<<"$body"); TOKEN=$(jq -r .defaultToken.value <<<"$body")
  fi
  log "$r: warm-up, $WARMUP sessions opened and closed"
  clients "$r-warmup" "$WARMUP" "$CLIENTS" 0
  stop_clients
  sleep 3
  m0=$(measure "$SERVER_PID" "$r-0")
  log "$r: connecting $SESSIONS sessions"
  jfr_start "$r" connect
  t0=$(cpu_ticks "$SERVER_PID")
  clients "$r" "$SESSIONS" "$CLIENTS" -1
  t1=$(cpu_ticks "$SERVER_PID")
  jfr_stop "$r" connect
  sleep 5
  m1=$(measure "$SERVER_PID" "$r-$SESSIONS")
  held=$(cat "$WORK/$r"-c*.json | jq -s '[.[].open] | add')
  log "$r: closing all $held at once"
  lines0=$(wc -l < "$WORK/$r-server.log")
  jfr_start "$r" close
  t2=$(cpu_ticks "$SERVER_PID")
  sent=$(now_ms)
  if [ "$r" = baseline ]; then
    answer=$(curl -s -m 60 -XPOST "http://127.0.0.1:$ADMIN_PORT/close-all")
  else
    answer=$(curl -s -m 60 -XPOST -H "Authorization: Bearer $KEY" "http://127.0.0.1:$ADMIN_PORT/v1/accounts/$ACCOUNT/tokens/default/revoke")
  fi
  answered=$(now_ms)
  jq -e . >/dev/null 2>&1 <<<"$answer" || answer='{"error":"no JSON answer"}'
  deadline=$(( $(date +%s) + 120 ))
  while :; do
    closed=$(cat "$WORK/$r"-c*.json 2>/dev/null | jq -s '[.[].serverCloses | to_entries[] | .value] | add // 0' 2>/dev/null || true)
    [ "${closed:-0}" -ge "$held" ] && break
    [ "$(date +%s)" -lt "$deadline" ] || { log "$r: only $closed of $held closed after 120 s"; break; }
    sleep 0.5
  done
  t3=$(cpu_ticks "$SERVER_PID")
  jfr_stop "$r" close
  sleep 2 # the clients' last status write, the server's last log lines
  lines1=$(wc -l < "$WORK/$r-server.log")
  jq -s --arg r "$r" --argjson m0 "$m0" --argjson m1 "$m1" --argjson sent "$sent" --argjson answered "$answered" \
    --argjson answer "$answer" --argjson n "$SESSIONS" --argjson held "$held" --argjson lines $((lines1 - lines0)) \
    --argjson cpuConnect "$(awk -v a="$t0" -v b="$t1" -v hz="$CLK_TCK" 'BEGIN {print (b - a) / hz}')" \
    --argjson cpuClose "$(awk -v a="$t2" -v b="$t3" -v hz="$CLK_TCK" 'BEGIN {print (b - a) / hz}')" '
    {run: $r, sessions: $n, open: $held, idle: $m0, held: $m1,
     opened: (map(.opened) | add), failed: (map(.failed) | add),
     connectSeconds: (((map(.lastWelcomeAtMillis) | max) - (map(.startedAtMillis) | min)) / 1000),
     welcomeP50: (map(.welcomeMillis.p50) | sort | .[length / 2 | floor]), welcomeP99: (map(.welcomeMillis.p99) | max),
     cpuConnectSeconds: $cpuConnect, cpuCloseSeconds: $cpuClose, logLinesDuringClose: $lines,
     answer: $answer, answerMillis: ($answered - $sent),
     firstCloseMillis: ((map(.firstServerCloseAtMillis) | map(select(. > 0)) | min) - $sent),
     lastCloseMillis: ((map(.lastServerCloseAtMillis) | max) - $sent),
     closes: (reduce (.[].serverCloses | to_entries[]) as $e ({}; .[$e.key] += $e.value))}
    | .rate = (if .connectSeconds > 0 then (.opened / .connectSeconds * 10 | round / 10) else 0 end)' \
    "$WORK/$r"-c*.json > "$WORK/result-$r.json"
  log "$r: $(jq -c '{rate, failed, heapKiB: .held.heapKiB, lastCloseMillis, closes, logLinesDuringClose}' "$WORK/result-$r.json")"
  stop_clients
  stop_pid "$SERVER_PID"; SERVER_PID=""
  sleep 2
}

RUNS="baseline broker-pg"
[ "$DEV" = true ] && RUNS="$RUNS broker-dev"
for r in $RUNS; do run "$r"; done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
ELAPSED=$(( $(date +%s) - T_START ))
printf 'STARTED_AT=%q\nLOAD_BEFORE=%q\nLOAD_AFTER=%q\nELAPSED=%q\nCOMMIT=%q\n' "$STARTED_AT" "$LOAD_BEFORE" "$LOAD_AFTER" \
  "$ELAPSED" "$COMMIT" > "$WORK/run.env"
[ "$OUT" != - ] || exit 0

# ---------------------------------------------------------------------------------------------------------------
# Report block
B="$WORK/result-baseline.json"
col() { # jq expression -> one cell per run
  local r out=""
  for r in $RUNS; do out="$out | $(jq -r "$1" "$WORK/result-$r.json")"; done
  echo "$out"
}
ratio() { # jq expression, per broker run: broker / baseline
  local r out="" b k
  b=$(jq -r "$1" "$B")
  for r in $RUNS; do
    [ "$r" = baseline ] && continue
    k=$(jq -r "$1" "$WORK/result-$r.json")
    out="$out | $(awk -v a="$k" -v b="$b" 'BEGIN {if (b == 0) print "n/a"; else printf "%.2f", a / b}')"
  done
  echo "$out"
}
PER_HEAP='((.held.heapKiB - .idle.heapKiB) * 1024 / .open | round)'
PER_LIVE='((.held.liveBytes - .idle.liveBytes) / .open | round)'
PER_RSS='((.held.rssKiB - .idle.rssKiB) * 1024 / .open | round)'
CPU_CONNECT='(.cpuConnectSeconds * 1000 / .opened * 100 | round / 100)'
# The dev-store columns only when that run was made (--no-dev leaves them out).
DEV_NAME=""; DEV_RATIO=""; DEV_ALIGN=""; BLANK=" |"
if [ "$DEV" = true ]; then DEV_NAME=" | broker, dev store"; DEV_RATIO=" | dev / baseline"; DEV_ALIGN="|---:"; BLANK=" | |"; fi
HEADER="| metric | baseline | broker, PostgreSQL$DEV_NAME | PostgreSQL / baseline$DEV_RATIO | target |"
ALIGN="|---|---:|---:$DEV_ALIGN|---:$DEV_ALIGN|---|"
BLOCK="$WORK/report.md"
{
  echo "<!-- floor:begin (written by loadtest/floor-bench.sh; replaced on every run) -->"
  echo "## Headline: one node on PostgreSQL beside the bare Vert.x floor"
  echo
  echo "\`loadtest/floor-bench.sh\` on $STARTED_AT, commit $COMMIT, in $((ELAPSED / 60)) min $((ELAPSED % 60)) s;"
  echo "load average (1/5/15 min) before / after: **$LOAD_BEFORE / $LOAD_AFTER** ($(nproc) CPUs shared by the server, the"
  echo "clients, PostgreSQL and whatever else ran on the machine; with a load average above the CPU count the numbers are under load)."
  echo
  echo "Each server in turn (same JVM flags \`$JVM_FLAGS\`, same client fleet): $WARMUP sessions opened and closed"
  echo "(warm-up), then $SESSIONS sessions opened by $CLIENTS \`HoldClient\` processes ($CONCURRENCY handshakes in flight each, own"
  echo "loopback address each, 4 instances per delegate name, one token), held, and closed at once: the broker revokes"
  echo "their token, the bare \`BaselineServer\` closes them all with 4001 from one \`POST /close-all\`. The PostgreSQL run"
  echo "uses a database created for the run and dropped after it. Per-session memory is (value with $SESSIONS sessions -"
  echo "value after warm-up) / $SESSIONS, after two \`jcmd GC.run\`; CPU is the server process's utime+stime."
  echo
  echo "$HEADER"
  echo "$ALIGN"
  echo "| connects/s, 0 → $SESSIONS$(col .rate)$(ratio .rate) | ≥ 0.9 |"
  echo "| server CPU ms per connect$(col "$CPU_CONNECT")$(ratio "$CPU_CONNECT") | |"
  echo "| welcome latency p50 / p99 (ms)$(col '"\(.welcomeP50) / \(.welcomeP99)"')$BLANK |"
  echo "| heap after GC per session (bytes)$(col "$PER_HEAP")$(ratio "$PER_HEAP") | ≤ 1.05 |"
  echo "| live bytes (histo) per session$(col "$PER_LIVE")$(ratio "$PER_LIVE") | |"
  echo "| RSS per session (bytes)$(col "$PER_RSS")$(ratio "$PER_RSS") | |"
  echo "| close all $SESSIONS: last 4001 (ms)$(col .lastCloseMillis)$(ratio .lastCloseMillis) | ≤ 1.15 |"
  echo "| close all: answer / first close (ms)$(col '"\(.answerMillis) / \(.firstCloseMillis)"')$BLANK |"
  echo "| server CPU for the close (ms)$(col '(.cpuCloseSeconds * 1000 | round)')$(ratio '(.cpuCloseSeconds * 1000 | round)') | |"
  echo "| server log lines written by the close$(col .logLinesDuringClose)$BLANK |"
  echo "| closes seen by clients$(col '(.closes | to_entries | map("\(.key): \(.value)") | join(", "))')$BLANK |"
  echo "| opened / failed handshakes / open at the close$(col '"\(.opened) / \(.failed) / \(.open)"')$BLANK |"
  echo "| heap after GC / RSS at 0 sessions (MiB)$(col '"\(.idle.heapKiB / 1024 | round) / \(.idle.rssKiB / 1024 | round)"')$BLANK |"
  echo "| RSS with $SESSIONS sessions (MiB)$(col '(.held.rssKiB / 1024 | round)')$BLANK |"
  echo
  echo "Answers: $(for r in $RUNS; do printf '%s `%s`; ' "$r" "$(jq -c .answer "$WORK/result-$r.json")"; done)"
  echo
  echo "Reproduce (from a clean clone; builds the jars itself, needs PostgreSQL at 127.0.0.1:5432 with trust for user"
  echo "\`postgres\`, \`psql\`, ports $DELEGATE_PORT-$ADMIN_PORT free and an open-file limit above $SESSIONS):"
  echo "\`bash loadtest/floor-bench.sh\` (or \`loadtest/bench.sh --floor\`; \`--jfr\` records each server's connect step and close with JFR)."
  echo "Raw data: \`$WORK/\` (each run's result JSON, client status files, \`jmap -histo:live\` before and after, server logs)."
  echo "<!-- floor:end -->"
} > "$BLOCK"

if [ -f "$OUT" ] && grep -q '^<!-- floor:begin' "$OUT"; then
  awk -v block="$BLOCK" '
    /^<!-- floor:begin/ {while ((getline l < block) > 0) print l; skip = 1; next}
    /^<!-- floor:end/ {skip = 0; next}
    !skip {print}' "$OUT" > "$OUT.tmp"
elif [ -f "$OUT" ] && grep -q '^## Machine' "$OUT"; then
  awk -v block="$BLOCK" '/^## Machine/ && !done {while ((getline l < block) > 0) print l; print ""; done = 1} {print}' "$OUT" > "$OUT.tmp"
else
  { [ -f "$OUT" ] && cat "$OUT" && echo; cat "$BLOCK"; } > "$OUT.tmp"
fi
mv "$OUT.tmp" "$OUT"
log "wrote $OUT ($((ELAPSED / 60)) min $((ELAPSED % 60)) s)"
