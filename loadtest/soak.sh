#!/usr/bin/env bash
# The long chaos soak: three broker.jar processes on a private PostgreSQL (a temporary cluster on its own loopback
# port, never the machine's server), a fleet of WebSocket delegates, random admin operations and random faults
# (kill -9 and restart, kill -STOP/-CONT, SIGTERM and restart, PostgreSQL restart), checked from outside the broker.
# It is the CI soak (broker/src/test/java/io/delegatebroker/broker/soak/ChaosSoakIT) run longer and larger; the
# report (seed, faults, operations, eviction lags, memory, violations) is printed and written to
# broker/target/soak/report.{txt,json}, with each node's log beside it. Exit status 0 = no violation.
#
# Usage: loadtest/soak.sh [--minutes N] [--clients N] [--accounts N] [--seed S]
#   --minutes 10     length of the chaos phase (start-up, warm-up and final checks add about 2-3 minutes)
#   --clients 150    simulated delegates (each one instance, heartbeating every 3 s)
#   --accounts 4     accounts they are spread over (the audit log answers 1,000 events per account)
#   --seed S         replay a run's random decisions (the seed is printed first; timing still differs)
#   --no-pings       clients do not send a WebSocket ping with each heartbeat (they do by default)
# Needs: java 17, mvn, PostgreSQL's initdb/pg_ctl in /usr/lib/postgresql/15/bin (elsewhere: set PG_BIN=<dir>).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

MINUTES=10
CLIENTS=150
ACCOUNTS=4
SEED=""
PINGS=true
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --accounts) ACCOUNTS="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --no-pings) PINGS=false; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "soak.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$MINUTES" in ''|*[!0-9]*) echo "soak.sh: --minutes takes a whole number" >&2; exit 2 ;; esac

OUT="$ROOT/broker/target/soak"
mkdir -p "$OUT"
rm -f "$OUT/report.txt" "$OUT/report.json"
SECONDS_CHAOS=$((MINUTES * 60))
# Bound the whole run: chaos + up to 150 s to finish the last fault + start-up and checks.
LIMIT=$((SECONDS_CHAOS + 900))

LIVE="$OUT/progress.log"
rm -f "$LIVE"
echo "soak.sh: chaos ${MINUTES} min, ${CLIENTS} clients, ${ACCOUNTS} accounts${SEED:+, seed $SEED}; report in $OUT"
# Builds what changed (broker.jar is packaged before failsafe runs), runs no unit test, runs the soak only.
set +e
timeout --kill-after=30 "$LIMIT" mvn -B -pl broker -am verify \
  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=ChaosSoakIT -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dsoak.seconds="$SECONDS_CHAOS" -Dsoak.clients="$CLIENTS" -Dsoak.accounts="$ACCOUNTS" -Dsoak.out="$OUT" -Dsoak.pings="$PINGS" \
  ${PG_BIN:+-Dtest.pg.bin="$PG_BIN"} \
  ${SEED:+-Dsoak.seed="$SEED"} > "$OUT/mvn.log" 2>&1 &
MVN=$!
# Progress: the soak's SOAK lines (seed, phases, faults, violations) as it writes them.
( while [ ! -f "$LIVE" ] && kill -0 "$MVN" 2>/dev/null; do sleep 1; done
  [ -f "$LIVE" ] && exec tail -n +1 -F --pid="$MVN" "$LIVE" 2>/dev/null ) &
TAIL=$!
wait "$MVN"
RC=$?
wait "$TAIL" 2>/dev/null
set -e
if [ -f "$OUT/report.txt" ]; then
  cat "$OUT/report.txt"
else
  echo "soak.sh: no report was written; the end of the Maven log:" >&2
  tail -n 60 "$OUT/mvn.log" >&2
fi
[ "$RC" -eq 124 ] && echo "soak.sh: stopped after ${LIMIT} s" >&2
exit "$RC"
