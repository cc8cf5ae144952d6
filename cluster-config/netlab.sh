#!/usr/bin/env bash
# A small network lab of Linux network namespaces, for partition tests (root only; needs `ip`).
#
#   netlab.sh up   LAB OCTET NODES   create the lab: namespaces LAB-n1..LAB-nNODES, LAB-db, and the switch LAB-sw
#   netlab.sh cut  LAB NODE NET      unplug node NODE from network NET (peer | db | front): packets are dropped silently
#   netlab.sh heal LAB NODE NET      plug it back in
#   netlab.sh down LAB               kill what runs in the lab's namespaces and delete them (safe to repeat)
#
# Three networks, each a bridge in the switch namespace, so that one can be cut while the others stay up:
#   peer  10.213.OCTET.0/24  node i at .1i       Hazelcast and node-to-node traffic
#   db    10.214.OCTET.0/24  node i at .1i       PostgreSQL at .100 (namespace LAB-db)
#   front 10.215.OCTET.0/24  node i at .1i       clients; the root namespace (the test) at .254, via interface LABh
# Inside a node's namespace the interfaces are named peer, db and front. A cut detaches the node's port from the
# bridge: the node's link stays up and nothing tells either side, as when a switch port or a route fails.
set -euo pipefail

usage() { sed -n '2,16p' "$0" >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1 lab=$2
[[ $lab =~ ^[a-z0-9]{3,10}$ ]] || { echo "netlab: LAB must be 3-10 of [a-z0-9]" >&2; exit 2; }
sw=$lab-sw

net_prefix() {
  case $1 in peer) echo 10.213 ;; db) echo 10.214 ;; front) echo 10.215 ;; *) echo "netlab: unknown network $1" >&2; exit 2 ;; esac
}

# plug NS IFNAME NET OCTET HOST: a veth from namespace NS (or the root namespace when NS is "-") to the bridge NET
plug() {
  local ns=$1 ifname=$2 net=$3 octet=$4 host=$5 port=$3-$6
  if [ "$ns" = - ]; then
    ip link add name "$ifname" type veth peer name "$port" netns "$sw"
    ip addr add "$(net_prefix "$net").$octet.$host/24" dev "$ifname"
    ip link set "$ifname" up
  else
    ip link add name "$ifname" netns "$ns" type veth peer name "$port" netns "$sw"
    ip -n "$ns" addr add "$(net_prefix "$net").$octet.$host/24" dev "$ifname"
    ip -n "$ns" link set "$ifname" up
  fi
  ip -n "$sw" link set "$port" master "$net" up
}

case $cmd in
  up)
    [ $# -eq 4 ] || usage
    octet=$3 nodes=$4
    [[ $octet =~ ^[0-9]+$ ]] && [ "$octet" -ge 1 ] && [ "$octet" -le 254 ] || { echo "netlab: OCTET must be 1-254" >&2; exit 2; }
    ip netns add "$sw"
    for net in peer db front; do
      ip -n "$sw" link add "$net" type bridge
      ip -n "$sw" link set "$net" up
    done
    for i in $(seq 1 "$nodes"); do
      ip netns add "$lab-n$i"
      ip -n "$lab-n$i" link set lo up
      for net in peer db front; do
        plug "$lab-n$i" "$net" "$net" "$octet" "1$i" "n$i"
      done
    done
    ip netns add "$lab-db"
    ip -n "$lab-db" link set lo up
    plug "$lab-db" db db "$octet" 100 db
    plug - "${lab}h" front "$octet" 254 host
    ;;
  cut | heal)
    [ $# -eq 4 ] || usage
    node=$3 net=$4
    net_prefix "$net" >/dev/null
    if [ "$cmd" = cut ]; then
      ip -n "$sw" link set "$net-n$node" nomaster
    else
      ip -n "$sw" link set "$net-n$node" master "$net"
    fi
    ;;
  down)
    for ns in $(ip netns list | awk '{print $1}' | grep -E "^$lab-(n[0-9]+|db|sw)\$" || true); do
      pids=$(ip netns pids "$ns" || true)
      [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
      ip netns del "$ns" || true
    done
    # deleting the switch namespace removes the root end of its veth too; this covers a half-made lab
    ! ip link show "${lab}h" >/dev/null 2>&1 || ip link del "${lab}h" || true
    ;;
  *) usage ;;
esac
