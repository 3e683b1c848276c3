#!/usr/bin/env bash
# Resident memory of `hearth agent` with the network on and of the wireguard-go it supervises
# (issue 3: "memory of the agent and of wireguard-go per worker").
#
# Runs one agent in a fresh network namespace with a worker config restored from network.json
# (the coordinator address is unreachable on purpose: the agent keeps retrying heartbeats and
# the config poll, as a worker does during an outage, so nothing else is needed). Needs root,
# /dev/net/tun and wireguard-go. Cleans up the namespace, processes and files it made.
#
# Usage: bench/agent_memory.sh [BUILD_DIR] [PEERS]   (PEERS: 1 for a worker, more for a gateway)
set -euo pipefail
build=${1:-build}
peers=${2:-1}
hearth=$(cd "$build" && pwd)/hearth
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH="$PATH:/usr/sbin:/sbin" ;; esac
[ "$(id -u)" -eq 0 ] || { echo "agent_memory: needs root" >&2; exit 77; }
[ -c /dev/net/tun ] || { echo "agent_memory: needs /dev/net/tun" >&2; exit 77; }
command -v wireguard-go >/dev/null || { echo "agent_memory: needs wireguard-go" >&2; exit 77; }

ns="hth-mem-$$"
ifname="hm$$"
ifname=${ifname:0:15}
state=$(mktemp -d)
agent_pid=""
cleanup() {
  if [ -n "$agent_pid" ]; then kill "$agent_pid" 2>/dev/null || true; wait "$agent_pid" 2>/dev/null || true; fi
  ip netns pids "$ns" 2>/dev/null | while read -r p; do kill "$p" 2>/dev/null || true; done
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$state"
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up

chmod 700 "$state"
umask 077
wg genkey > "$state/wg.key"
printf 'ed25519-private:%s\n' "$(head -c 32 /dev/urandom | base64)" > "$state/identity.key"
cat > "$state/state.json" <<JSON
{"coordinator":"http://127.0.0.1:9","device_id":"dev_memory","credential":"hdc_memory",
 "name":"memory","heartbeat_interval_seconds":30,"enrolled_at":""}
JSON
peer_json=""
for i in $(seq 1 "$peers"); do
  pub=$(wg genkey | wg pubkey)
  [ -n "$peer_json" ] && peer_json+=","
  peer_json+="{\"public_key\":\"$pub\",\"name\":\"p$i\",\"role\":\"gateway\","
  peer_json+="\"endpoint\":\"192.0.2.$((i % 250 + 1)):51820\","
  peer_json+="\"allowed_ips\":[\"100.64.$((i / 250)).$((i % 250 + 1))/32\"],"
  peer_json+="\"persistent_keepalive_seconds\":25}"
done
cat > "$state/network.json" <<JSON
{"interface":"$ifname","backend":"userspace","wireguard_go_pid":0,"forwarding_enabled":false,
 "config":{"version":1,"role":"worker","region":"mem","interface":{"address":"100.64.200.1/32",
 "mtu":1280,"listen_port":0,"private_key":"wg.key"},"pod_cidr":null,"peers":[$peer_json],
 "routes":["100.64.0.0/16"],"forwarding":false,"standby_gateways":[]}}
JSON

ip netns exec "$ns" "$hearth" agent --state-dir "$state" --interface "$ifname" \
  > "$state/agent.log" 2>&1 &
agent_pid=$!
for _ in $(seq 1 200); do
  [ -S "/var/run/wireguard/$ifname.sock" ] && ip netns exec "$ns" wg show "$ifname" peers | grep -q . && break
  sleep 0.1
done
sleep 3  # let both settle after start-up
wgpid=$(python3 -c "import json;print(json.load(open('$state/network.json'))['wireguard_go_pid'])")
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
echo "peers:            $(ip netns exec "$ns" wg show "$ifname" peers | wc -l)"
echo "hearth agent RSS: $(rss "$agent_pid") KiB (pid $agent_pid, network on)"
echo "wireguard-go RSS: $(rss "$wgpid") KiB (pid $wgpid)"
echo "load:            $(uptime)"
