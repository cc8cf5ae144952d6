#!/usr/bin/env bash
# Starts three broker nodes on loopback against one PostgreSQL database, in the foreground; Ctrl-C drains them all.
#   cluster-config/run-local-cluster.sh            # uses database "broker_local" (created if missing)
# Node i (1..3): delegate port 808i, admin port 809i, Hazelcast port 570i. Logs: /tmp/broker-node-i.log
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=broker/target/broker.jar
[ -f "$JAR" ] || mvn -B -q package -DskipTests
DB=${BROKER_LOCAL_DB:-broker_local}
PG_URL=${BROKER_PG_URL:-postgresql://postgres@127.0.0.1:5432/$DB}
if [ -z "${BROKER_PG_URL:-}" ]; then
  psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $DB"
fi
KEY=${BROKER_ADMIN_KEY:-local-cluster-root-key-change-me}
MEMBERS=127.0.0.1:5701,127.0.0.1:5702,127.0.0.1:5703
NAME=local-$(hostname)-$$

pids=()
for i in 1 2 3; do
  BROKER_NODE_ID=node-$i BROKER_HOST=127.0.0.1 BROKER_DELEGATE_PORT=808$i BROKER_ADMIN_PORT=809$i \
  BROKER_CLUSTER_MEMBERS=$MEMBERS BROKER_CLUSTER_PORT=570$i BROKER_CLUSTER_NAME=$NAME \
  BROKER_PG_URL=$PG_URL BROKER_ADMIN_KEY=$KEY \
    java -jar "$JAR" > /tmp/broker-node-$i.log 2>&1 &
  pids+=($!)
done
trap 'kill -TERM "${pids[@]}" 2>/dev/null; wait' INT TERM

for i in 1 2 3; do
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:809$i/health/ready" >/dev/null && break
    kill -0 "${pids[$((i-1))]}" 2>/dev/null || { echo "node-$i failed:"; tail -5 /tmp/broker-node-$i.log; exit 1; }
    sleep 0.5
  done
done
echo "three nodes ready (root key: the BROKER_ADMIN_KEY you set, default local-cluster-root-key-change-me)"
curl -s -H "Authorization: Bearer $KEY" http://127.0.0.1:8091/v1/cluster; echo
echo "Ctrl-C drains and stops all three."
wait
