# shellcheck shell=bash
# Netlab: the hearth-driven wiring (run-poc --wiring hearth). Source after lib.sh.
#
#   hearth_start_coordinator   # hearth serve in the control node's namespace on its eth0 address
#   hearth_enroll_all          # install keys, hearth join in every gateway/control/worker namespace
#   hearth_add_pods            # pods from the coordinator's pod CIDRs (needs NL_DEFER_PODS=1)
#   hearth_start_agents        # hearth agent in every namespace (each starts its own wireguard-go)
#   hearth_learn_assignment    # NL_OVL / NL_HOMING from the coordinator's devices
#   hearth_desired_equals_applied / hearth_applied_equals_wg_show   # "true"/"false"
#
# The coordinator listens only on 203.0.113.2 (inside the lab); every agent reaches it over the
# lab's "internet" (workers through their home NAT). Every API call runs inside the control
# node's namespace. Processes are started with nl_spawn, so cleanup stops them; each agent stops
# its own wireguard-go on SIGTERM, and cleanup kills anything left in the lab's namespaces.

HEARTH_BIN=${HEARTH_BIN:-}
HEARTH_PORT=${HEARTH_PORT:-8080}
HEARTH_URL=""
HEARTH_TOKEN=""
HEARTH_FIXTURE=${HEARTH_FIXTURE:-}
HEARTH_JOIN_PAR=${HEARTH_JOIN_PAR:-8}
declare -A HEARTH_ID=()   # node -> device id
declare -A HEARTH_NODE=() # device id -> node

hearth_require() {
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  [ -n "$HEARTH_BIN" ] || HEARTH_BIN="$root/build/hearth"
  [ -x "$HEARTH_BIN" ] || nl_die "hearth binary $HEARTH_BIN not found; build it or set HEARTH_BIN"
  [ -n "$HEARTH_FIXTURE" ] || HEARTH_FIXTURE="$root/tests/fixtures/hosts/cpu-only"
  [ -d "$HEARTH_FIXTURE/sys" ] || nl_die "fixture host $HEARTH_FIXTURE has no sys/ tree"
  command -v jq >/dev/null || nl_die "jq is missing (run scripts/install-deps)"
}

# curl against the coordinator from inside the control node: hearth_api METHOD PATH [JSON]
hearth_api() {
  local method=$1 path=$2 body=${3:-}
  local args=(-s --max-time 10 -X "$method" -H 'Content-Type: application/json')
  [ -z "$HEARTH_TOKEN" ] || args+=(-H "Authorization: Bearer $HEARTH_TOKEN")
  [ -z "$body" ] || args+=(--data "$body")
  nsx c curl "${args[@]}" "$HEARTH_URL$path"
}

hearth_start_coordinator() {
  local dir="$NL_DIR/hearth" pw
  mkdir -p "$dir/data"
  pw=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
  echo "$pw" >"$dir/admin.pw"
  chmod 600 "$dir/admin.pw"
  HEARTH_URL="http://${NL_PUB[c]}:$HEARTH_PORT"
  nl_spawn c hearth-serve env HEARTH_ADMIN_EMAIL=admin@netlab.test HEARTH_ADMIN_PASSWORD="$pw" \
    "$HEARTH_BIN" serve --listen "${NL_PUB[c]}:$HEARTH_PORT" --data "$dir/data" \
    --heartbeat-interval "${HEARTH_HEARTBEAT:-2s}" --gateway-down-after "${HEARTH_GW_DOWN_AFTER:-6s}" \
    --liveness-tick 500ms --auth-rate-limit 0 --threads 8 \
    --overlay-prefix "$NL_OVERLAY_PREFIX" --pod-prefix "$NL_POD_PREFIX" \
    --service-prefix "$NL_SERVICE_PREFIX"
  nl_wait "hearth serve on $HEARTH_URL" 30 hearth_signin ||
    nl_die "hearth serve did not come up (see $NL_DIR/log/hearth-serve.log)"
  nl_log "coordinator up at $HEARTH_URL (in $(nl_ns c))"
}

hearth_signin() {
  local pw out
  pw=$(cat "$NL_DIR/hearth/admin.pw")
  out=$(HEARTH_TOKEN="" hearth_api POST /v1/sessions "{\"email\":\"admin@netlab.test\",\"password\":\"$pw\"}") || return 1
  HEARTH_TOKEN=$(echo "$out" | jq -er .token) || return 1
}

hearth_new_key() {
  hearth_api POST /v1/install-keys '{"ttl_seconds":3600}' | jq -er .key
}

# Joins NODE with ROLE (gateway/control/worker); prints nothing, records the device id.
hearth_join_one() { # NODE ROLE KEY
  local node=$1 role=$2 key=$3 extra=()
  [ "$role" != gateway ] || extra=(--endpoint "${NL_PUB[$node]}:$NL_WG_PORT")
  nsx "$node" "$HEARTH_BIN" join --coordinator "$HEARTH_URL" --state-dir "$NL_DIR/hearth/$node" \
    --name "$node" --role "$role" "${extra[@]}" --sysfs-root "$HEARTH_FIXTURE/sys" \
    --procfs-root "$HEARTH_FIXTURE/proc" --etc-root "$HEARTH_FIXTURE/etc" \
    --dev-root "$HEARTH_FIXTURE/dev" --nvidia-smi "" --ignore-preflight "$key" \
    >"$NL_DIR/log/join-$node.log" 2>&1
}

hearth_enroll_all() {
  local node role key pids=() failed=0 i=0
  declare -A keys=()
  for node in "${NL_GATEWAYS[@]}" c "${NL_WORKERS[@]}"; do
    key=$(hearth_new_key) || nl_die "could not create an install key (coordinator log: $NL_DIR/log/hearth-serve.log)"
    keys[$node]=$key
  done
  # Gateways first (workers are homed as they enroll), then everything else, a few at a time.
  for node in "${NL_GATEWAYS[@]}"; do
    hearth_join_one "$node" gateway "${keys[$node]}" || nl_die "hearth join failed on $node (see $NL_DIR/log/join-$node.log)"
  done
  for node in c "${NL_WORKERS[@]}"; do
    role=worker
    [ "$node" != c ] || role=control
    hearth_join_one "$node" "$role" "${keys[$node]}" &
    pids+=("$!:$node")
    i=$((i + 1))
    if [ $((i % HEARTH_JOIN_PAR)) -eq 0 ]; then
      for p in "${pids[@]}"; do wait "${p%%:*}" || { nl_log "join failed on ${p#*:}"; failed=1; }; done
      pids=()
    fi
  done
  for p in "${pids[@]+"${pids[@]}"}"; do wait "${p%%:*}" || { nl_log "join failed on ${p#*:}"; failed=1; }; done
  [ "$failed" = 0 ] || nl_die "hearth join failed (see $NL_DIR/log/join-*.log)"
  for node in "${NL_GATEWAYS[@]}" c "${NL_WORKERS[@]}"; do
    HEARTH_ID[$node]=$(tail -n 1 "$NL_DIR/log/join-$node.log")
    [[ ${HEARTH_ID[$node]} == dev_* ]] || nl_die "no device id from hearth join on $node (see $NL_DIR/log/join-$node.log)"
    HEARTH_NODE[${HEARTH_ID[$node]}]=$node
  done
  nl_log "enrolled ${#NL_GATEWAYS[@]} gateways, control, ${#NL_WORKERS[@]} workers"
}

hearth_devices() { # -> the admin's GET /v1/devices, to $NL_DIR/out/devices.json
  hearth_api GET /v1/devices >"$NL_DIR/out/devices.json.tmp" &&
    jq -e '.devices | type == "array"' "$NL_DIR/out/devices.json.tmp" >/dev/null &&
    mv "$NL_DIR/out/devices.json.tmp" "$NL_DIR/out/devices.json"
}

# NL_OVL, NL_HOMING (and, with CIDRS=1, pod CIDRs into $NL_DIR/out/podcidr) from the coordinator.
hearth_learn_assignment() {
  local id addr home cidr
  hearth_devices || { nl_log "GET /v1/devices failed"; return 1; }
  : >"$NL_DIR/out/podcidr"
  while read -r id addr home cidr; do
    local node=${HEARTH_NODE[$id]:-}
    [ -n "$node" ] || continue
    # shellcheck disable=SC2034  # read by lib.sh's reference check
    NL_OVL[$node]=${addr%/*}
    [ "$home" = - ] || NL_HOMING[$node]=${HEARTH_NODE[$home]:-}
    [ "$home" != - ] || NL_HOMING[$node]=""
    echo "$node $cidr" >>"$NL_DIR/out/podcidr"
  done < <(jq -r '.devices[] | [.id, .network.address, (.network.home_gateway // "-"), (.network.pod_cidr // "-")] | @tsv' \
    "$NL_DIR/out/devices.json")
}

hearth_add_pods() {
  local node cidr
  hearth_learn_assignment
  declare -A cidr_of=()
  while read -r node cidr; do cidr_of[$node]=$cidr; done <"$NL_DIR/out/podcidr"
  for node in "${NL_WORKERS[@]}"; do
    cidr=${cidr_of[$node]:-}
    [ -n "$cidr" ] && [ "$cidr" != - ] || nl_die "the coordinator allocated no pod CIDR for $node"
    netlab_add_pod "$node" "$cidr"
  done
}

hearth_start_agent() { # NODE
  local node=$1
  nl_spawn "$node" "agent-$node" "$HEARTH_BIN" agent --state-dir "$NL_DIR/hearth/$node" \
    --interface "$(nl_wgif "$node")" --wireguard-go "$(command -v wireguard-go)"
}

hearth_start_agents() {
  local node
  for node in "${NL_GATEWAYS[@]}" c "${NL_WORKERS[@]}"; do hearth_start_agent "$node"; done
  nl_log "started ${#NL_GATEWAYS[@]} + 1 + ${#NL_WORKERS[@]} agents"
}

# The agent's process ids in NODE's namespace whose command is COMM.
hearth_pids_in() { # NODE COMM
  local p
  for p in $(ip netns pids "$(nl_ns "$1")" 2>/dev/null); do
    [ "$(cat "/proc/$p/comm" 2>/dev/null)" != "$2" ] || echo "$p"
  done
  return 0
}

# Every device's desired version equals its applied version (and something was applied).
hearth_desired_equals_applied() {
  hearth_devices || { echo false; return; }
  local bad
  bad=$(jq -r '[.devices[] | select(.network.in_sync != true or .network.applied_version < 1) | .name] | join(" ")' \
    "$NL_DIR/out/devices.json")
  if [ -n "$bad" ]; then
    nl_log "desired != applied on: $(echo "$bad" | cut -c1-300)"
    echo false
  else
    echo true
  fi
}
hearth_all_in_sync() { [ "$(hearth_desired_equals_applied 2>/dev/null)" = true ]; }

# "pubkey allowed(sorted) keepalive endpoint" per peer from the agent's applied config (the
# state dir's network.json); endpoint "-" for peers without one (NATed workers).
hearth_norm_applied() { # NODE
  jq -r '.config.peers[] | [.public_key, (.allowed_ips | sort | join(",")),
      (if (.persistent_keepalive_seconds // 0) == 0 then "off" else (.persistent_keepalive_seconds | tostring) end),
      (.endpoint // "-")] | join(" ")' "$NL_DIR/hearth/$1/network.json" | sort
}
# The same from `wg show dump`, with the endpoint blanked for peers the config has none for.
hearth_norm_dump() { # NODE DUMP
  local node=$1 dump=$2
  declare -A noep=()
  local pk
  while read -r pk; do noep[$pk]=1; done < <(jq -r '.config.peers[] | select(.endpoint == null) | .public_key' \
    "$NL_DIR/hearth/$node/network.json")
  tail -n +2 "$dump" | while IFS=$'\t' read -r pk _psk ep al _hs _rx _tx ka; do
    [ -z "${noep[$pk]:-}" ] || ep=-
    echo "$pk $(echo "$al" | tr ',' '\n' | sort | paste -sd,) $ka $ep"
  done | sort
}

# True when every agent's live interface (`wg show dump`: peers, AllowedIPs, keepalive, the
# endpoints of peers that have one) equals the config the agent says it applied.
hearth_applied_equals_wg_show() {
  local node ok=true
  for node in "${NL_GATEWAYS[@]}" c "${NL_WORKERS[@]}"; do
    if ! netlab_wg_dump "$node"; then
      nl_log "no WireGuard interface $(nl_wgif "$node") on $node"
      ok=false
      continue
    fi
    if ! [ -s "$NL_DIR/hearth/$node/network.json" ] ||
      ! diff <(hearth_norm_applied "$node") <(hearth_norm_dump "$node" "$NL_DIR/out/wg-$node.dump") \
        >"$NL_DIR/out/wgdiff-$node" 2>&1; then
      nl_log "wg show differs from the applied config on $node (see $NL_DIR/out/wgdiff-$node)"
      ok=false
    fi
  done
  echo "$ok"
}

# Homed workers per gateway node from the coordinator ("gK count" lines, every gateway listed).
hearth_loads() {
  local gw
  declare -A n=()
  for w in "${NL_WORKERS[@]}"; do [ -z "${NL_HOMING[$w]:-}" ] || n[${NL_HOMING[$w]}]=$((${n[${NL_HOMING[$w]}]:-0} + 1)); done
  for gw in "$@"; do echo "$gw ${n[$gw]:-0}"; done
}
hearth_balanced() { # GATEWAY... -> true when max - min <= 1 over them
  hearth_loads "$@" | awk 'NR == 1 {mn = $2; mx = $2} {if ($2 < mn) mn = $2; if ($2 > mx) mx = $2} END {print (mx - mn <= 1) ? "true" : "false"}'
}
