#!/usr/bin/env bash
# Runs the network partition test (broker PartitionIT): three broker processes and a PostgreSQL, each in a Linux network
# namespace of its own (cluster-config/netlab.sh), one node cut off its peers and then off the database. Needs root.
# The namespaces are removed on any exit, including a failed or interrupted run; extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "partition-test: network namespaces need root" >&2; exit 1; }
lab="dbp$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
trap 'bash cluster-config/netlab.sh down "$lab"' EXIT
mvn -B -pl broker -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=PartitionIT \
  -Dnetlab.name="$lab" "$@"
