#!/usr/bin/env bash
# Hostile-load benchmark: one host floods a broker node with connections that never finish a request (silent,
# half-sent, slow), on both ports, reopening each one the node closes; meanwhile a delegate from another address
# connects and its token is revoked, over and over. Measures connect-to-welcome and revoke latency without and
# during the flood, and how the node held the flood off (loadtest FloodBench). Starts its own node (dev store, default
# limits) on loopback, stops it by its pid, and writes loadtest/target/flood/result.json. Every loop is bounded.
#
# Usage: loadtest/flood-bench.sh [--flood 4000] [--rate 2000] [--flood-seconds 40] [--probes 40] [--skip-build]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
FLOOD=4000; RATE=2000; SECONDS_MAX=40; PROBES=40; SKIP_BUILD=false
DPORT=18180; APORT=18181
while [ $# -gt 0 ]; do
  case "$1" in
    --flood) FLOOD="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --flood-seconds) SECONDS_MAX="$2"; shift 2 ;;
    --probes) PROBES="$2"; shift 2 ;;
    --skip-build) SKIP_BUILD=true; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "flood-bench: unknown option $1" >&2; exit 2 ;;
  esac
done
WORK=loadtest/target/flood
mkdir -p "$WORK"
if [ "$SKIP_BUILD" != true ]; then
  mvn -B -q -o package -DskipTests -pl broker,loadtest -am
fi
KEY="flood-bench-key-$(date +%s)-0123456789"
env BROKER_DEV=true BROKER_ADMIN_KEY="$KEY" BROKER_HOST=127.0.0.1 BROKER_DELEGATE_PORT=$DPORT BROKER_ADMIN_PORT=$APORT \
  java -Xms256m -Xmx1g -XX:+UseG1GC -jar broker/target/broker.jar > "$WORK/broker.log" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$APORT/health/ready" >/dev/null 2>&1 && break
  kill -0 "$PID" 2>/dev/null || { echo "flood-bench: broker did not start"; cat "$WORK/broker.log"; exit 1; }
  sleep 0.5
done
{
  echo "date: $(date -u +%FT%TZ)"
  echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "memory: $(free -g | awk '/Mem:/{print $2}') GiB; java: $(java -version 2>&1 | head -1)"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "open-file limit: $(ulimit -n)"
} > "$WORK/machine.txt"
java -Xmx512m -cp loadtest/target/loadtest-tools.jar io.delegatebroker.loadtest.FloodBench \
  --delegate "http://127.0.0.1:$DPORT" --admin "http://127.0.0.1:$APORT" --key "$KEY" \
  --flood "$FLOOD" --rate "$RATE" --flood-seconds "$SECONDS_MAX" --probes "$PROBES" --out "$WORK/result.json"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$WORK/machine.txt"
grep -c "connect refusals summary" "$WORK/broker.log" | sed 's/^/summary log lines: /' >> "$WORK/machine.txt" || true
grep -c "connect refused:" "$WORK/broker.log" | sed 's/^/full refusal log lines: /' >> "$WORK/machine.txt" || true
cat "$WORK/machine.txt"
