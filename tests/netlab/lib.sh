# shellcheck shell=bash
# Netlab: network-namespace topologies for the overlay-network tests (issue 3).
#
# Source this file from a bash script, then:
#   netlab_require                 # exits 77 (SKIP) without root, /dev/net/tun or netns support
#   netlab_init                    # run prefix, run dir, state file, cleanup trap
#   netlab_build K H N             # internet, K gateways, control, public client, H homes, N workers+pods
#   netlab_start_pod_services      # busybox httpd + sshd in every pod
#   netlab_wire_static             # reference hub-and-spoke WireGuard (no hearth)
#   netlab_start_ingress           # nginx on every gateway, proxying to every pod
#   netlab_check_* ...             # reachability counts
#
# Topology (every name below is prefixed "<run prefix>-" as a namespace, e.g. nl3f9a-g1):
#
#   inet   the "internet": bridge br0 holding 203.0.113.1/24 (servers) and 198.51.100.1/24
#          (home WANs), forwarding between them. No route to anything else.
#   gK     gateway K: eth0 203.0.113.(10+K), WireGuard on UDP 51820, nginx ingress on :80.
#   c      control node: eth0 203.0.113.2; peered with gateway 1.
#   pub    public client: eth0 203.0.113.200.
#   hH     home router H: wan 198.51.100.(10+H), bridge "lan" 192.168.1.1/24 (every home uses
#          the same LAN, as real homes do), nftables masquerade + drop of unsolicited inbound.
#   hHwW   worker W of home H: eth0 192.168.1.(10+W); bridge cni0 = first address of its pod
#          /24; forwarding on.
#   hHwWp  the worker's pod: eth0 = second address of the pod /24, default via cni0.
#
# Static address plan (the coordinator's defaults; all are parameters below): overlay host n of
# NL_OVERLAY_PREFIX: gateway K = n K, control = n 250, worker I = n 256+I; worker I's pod CIDR is
# the I-th /24 of NL_POD_PREFIX.
#
# Interfaces are created directly inside their namespaces (never in the caller's namespace), so
# their names only have to be unique per namespace. WireGuard interfaces are the exception:
# wireguard-go's control socket lives in /var/run/wireguard/<ifname>.sock, which is shared by
# every namespace, so they are named <prefix><node> (e.g. nl3f9ah10w10, at most 15 chars).
#
# Everything created is listed in $NL_STATE before it is created-and-used; cleanup touches only
# what that file lists (and checks namespace inodes and process start times first).

# ip, nft, nginx and sshd live in sbin, which a non-login root shell may not have on PATH.
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH="$PATH:/usr/sbin:/sbin" ;; esac

# ---------------------------------------------------------------------------------------------
# Parameters (environment overrides).
NL_OVERLAY_PREFIX=${NL_OVERLAY_PREFIX:-100.64.0.0/16}
NL_POD_PREFIX=${NL_POD_PREFIX:-10.42.0.0/16}
NL_SERVICE_PREFIX=${NL_SERVICE_PREFIX:-10.43.0.0/16}
NL_SERVER_NET=${NL_SERVER_NET:-203.0.113}  # /24 (TEST-NET-3): gateways, control, public client
NL_HOME_NET=${NL_HOME_NET:-198.51.100}     # /24 (TEST-NET-2): home routers' WAN addresses
NL_LAN_NET=${NL_LAN_NET:-192.168.1}        # /24 inside every home
NL_MTU=${NL_MTU:-1280}
NL_WG_PORT=${NL_WG_PORT:-51820}
NL_KEEPALIVE=${NL_KEEPALIVE:-25}
NL_HTTP_TIMEOUT=${NL_HTTP_TIMEOUT:-3}      # seconds, per request
NL_SSH_TIMEOUT=${NL_SSH_TIMEOUT:-5}        # seconds, per connection
NL_CHECK_DEADLINE=${NL_CHECK_DEADLINE:-120} # seconds, per check over all pods (unfinished = failed)
NL_TMP_BASE=${NL_TMP_BASE:-/tmp}

# ---------------------------------------------------------------------------------------------
# Logging.
nl_log() { printf '[netlab %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
nl_die() {
  nl_log "ERROR: $*"
  exit 1
}
nl_now_ms() { date +%s%3N; }

# ---------------------------------------------------------------------------------------------
# Address helpers. Prefixes are a.b.0.0/16; host n of a /16 is a.b.(n/256).(n%256).
nl_prefix16_base() { # 10.42.0.0/16 -> 10.42
  local p=$1
  [[ $p =~ ^([0-9]+)\.([0-9]+)\.0\.0/16$ ]] || nl_die "prefix '$p' must be a.b.0.0/16"
  echo "${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"
}
nl_host16() { # BASE16 N -> a.b.c.d
  echo "$1.$(($2 / 256)).$(($2 % 256))"
}

# ---------------------------------------------------------------------------------------------
# Preconditions. Exit 77 means "skipped" (CTest SKIP_RETURN_CODE); anything else is a failure.
NL_SKIP=77
nl_skip() {
  echo "SKIP: netlab: $*" >&2
  exit "$NL_SKIP"
}

netlab_require() {
  [ "$(id -u)" -eq 0 ] || nl_skip "needs root (network namespaces, nftables, TUN devices); run as root, e.g. sudo make test"
  [ -c /dev/net/tun ] || nl_skip "/dev/net/tun is missing (userspace WireGuard needs TUN); on a container add --device /dev/net/tun"
  if ! { exec 9<>/dev/net/tun; } 2>/dev/null; then
    nl_skip "/dev/net/tun exists but cannot be opened (container without the TUN device cgroup permission)"
  fi
  exec 9>&-
  local missing=() c
  for c in ip nsenter wg wireguard-go nft nginx /usr/sbin/sshd ssh ssh-keygen busybox curl timeout; do
    command -v "$c" >/dev/null 2>&1 || missing+=("$c")
  done
  # Missing tools are a failure, not a skip: `make test` installs them (scripts/install-deps).
  [ ${#missing[@]} -eq 0 ] || nl_die "missing tools: ${missing[*]} (run scripts/install-deps)"
  local probe="nlprobe$$"
  if ! ip netns add "$probe" 2>/dev/null; then
    nl_skip "cannot create network namespaces here (ip netns add failed: no CAP_SYS_ADMIN?)"
  fi
  if ! nsenter --net="/run/netns/$probe" nft list tables >/dev/null 2>&1; then
    ip netns del "$probe"
    nl_skip "nftables is not usable inside a network namespace (nf_tables kernel module?)"
  fi
  ip netns del "$probe"
}

# ---------------------------------------------------------------------------------------------
# Run prefix, run directory, state file, cleanup.
NL_P=""
NL_DIR=""
NL_STATE=""
NL_CLEANED=0

netlab_init() {
  local hex
  hex=$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')
  NL_P="nl${hex}"
  if ip netns list | grep -q "^${NL_P}"; then
    nl_die "namespaces named ${NL_P}* already exist and are not ours; refusing to use that prefix"
  fi
  if compgen -G "/var/run/wireguard/${NL_P}*" >/dev/null; then
    nl_die "WireGuard sockets /var/run/wireguard/${NL_P}* already exist and are not ours"
  fi
  NL_DIR=$(mktemp -d "${NL_TMP_BASE}/netlab.${NL_P}.XXXXXX")
  NL_STATE="$NL_DIR/state"
  : >"$NL_STATE"
  mkdir -p "$NL_DIR"/{log,www,ssh,wg,nginx,out}
  trap 'netlab_cleanup' EXIT
  trap 'nl_log "interrupted"; exit 130' INT TERM
  nl_log "run prefix $NL_P, run dir $NL_DIR"
}

nl_ns() { echo "${NL_P}-$1"; }  # node id -> namespace name

# nsx NODE CMD...: run CMD in NODE's network namespace (mount namespace unchanged).
nsx() {
  local node=$1
  shift
  nsenter --net="/run/netns/${NL_P}-${node}" -- "$@"
}

# Creates a namespace for NODE and records it (name + inode) before anything else uses it.
nl_ns_add() {
  local node=$1 ns
  ns=$(nl_ns "$node")
  if [ -e "/run/netns/$ns" ]; then
    nl_die "namespace $ns exists but was not created by this run; refusing to touch it"
  fi
  ip netns add "$ns" || nl_die "ip netns add $ns failed"
  echo "ns $ns $(stat -L -c %i "/run/netns/$ns")" >>"$NL_STATE"
  ip -n "$ns" link set lo up
}

nl_proc_start() { # PID -> start time in clock ticks since boot (field 22 of /proc/PID/stat)
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  # shellcheck disable=SC2086
  set -- $stat
  echo "${20}"
}

# nl_spawn NODE LABEL CMD...: starts CMD in the background in NODE's namespace, records its PID.
# Sets NL_LAST_PID. Output goes to $NL_DIR/log/LABEL.log.
NL_LAST_PID=""
nl_spawn() {
  local node=$1 label=$2
  shift 2
  nsenter --net="/run/netns/${NL_P}-${node}" -- "$@" >"$NL_DIR/log/$label.log" 2>&1 </dev/null &
  NL_LAST_PID=$!
  echo "pid $NL_LAST_PID $(nl_proc_start "$NL_LAST_PID" || echo 0) $label" >>"$NL_STATE"
}

nl_alive() { # PID: running (a zombie is not)
  local st
  st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) }
  [ "${st%% *}" != Z ]
}

nl_kill_pid() { # PID STARTTIME: TERM, then KILL after a deadline; only if still the same process
  local pid=$1 start=$2 i
  nl_alive "$pid" || return 0
  if [ "$start" != 0 ] && [ "$(nl_proc_start "$pid" || echo x)" != "$start" ]; then
    return 0  # PID reused by someone else: not ours any more
  fi
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 30); do
    nl_alive "$pid" || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# Kills the processes listed in the state file whose label matches the regex (used to simulate
# a gateway dying). Marks them dead in the state file.
netlab_kill_label() {
  local re=$1 kind pid start label
  while read -r kind pid start label; do
    [ "$kind" = pid ] && [[ $label =~ $re ]] || continue
    nl_kill_pid "$pid" "$start"
  done <"$NL_STATE"
}

# Stops every recorded process, then any process left in a recorded namespace (children of ours:
# nginx workers, ssh sessions), then deletes the recorded namespaces and WireGuard sockets.
netlab_cleanup() {
  local rc=$?
  [ "$NL_CLEANED" = 1 ] && return
  NL_CLEANED=1
  [ -n "$NL_STATE" ] && [ -f "$NL_STATE" ] || return
  trap - EXIT INT TERM
  local t0 kind a b label pids p
  t0=$(nl_now_ms)
  tac "$NL_STATE" >"$NL_STATE.rev"
  while read -r kind a b label; do
    [ "$kind" = pid ] && nl_kill_pid "$a" "$b" &
  done <"$NL_STATE.rev"
  wait
  while read -r kind a b label; do
    [ "$kind" = ns ] || continue
    case $a in "${NL_P}"-*) ;; *)
      nl_log "cleanup: refusing $a: not under prefix $NL_P"
      continue
      ;;
    esac
    if [ ! -e "/run/netns/$a" ]; then continue; fi
    if [ "$(stat -L -c %i "/run/netns/$a")" != "$b" ]; then
      nl_log "cleanup: refusing $a: inode changed (not the namespace this run created)"
      continue
    fi
    pids=$(ip netns pids "$a" 2>/dev/null || true)
    for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
    ip netns del "$a" 2>/dev/null || nl_log "cleanup: could not delete $a"
  done <"$NL_STATE.rev"
  rm -f /var/run/wireguard/"${NL_P}"*.sock /var/run/wireguard/"${NL_P}"*.name 2>/dev/null || true
  nl_log "cleanup: done in $(($(nl_now_ms) - t0)) ms"
  if [ "$rc" -eq 0 ] && [ "${NL_KEEP:-0}" != 1 ]; then
    rm -rf "$NL_DIR"
  else
    nl_log "run dir kept for inspection: $NL_DIR"
  fi
  exit "$rc"
}

# nl_wait DESC TIMEOUT_S CMD...: polls CMD every 0.1 s until it succeeds or the deadline passes.
nl_wait() {
  local desc=$1 timeout=$2 deadline
  shift 2
  deadline=$(($(nl_now_ms) + timeout * 1000))
  until "$@" >/dev/null 2>&1; do
    if [ "$(nl_now_ms)" -ge "$deadline" ]; then
      nl_log "timed out after ${timeout}s waiting for $desc"
      return 1
    fi
    sleep 0.1
  done
}

# ---------------------------------------------------------------------------------------------
# Topology. Node registries (filled by netlab_build):
NL_GATEWAYS=()          # g1 g2 ...
NL_HOMES=()             # h1 h2 ...
NL_WORKERS=()           # h1w1 h1w2 ... h2w1 ...
declare -A NL_PUB=()    # node -> public address (gateways, c, pub, home routers' WAN)
declare -A NL_OVL=()    # node -> overlay address (gateways, c, workers)
declare -A NL_PODNET=() # worker -> pod /24
declare -A NL_PODIP=()  # worker -> pod address
declare -A NL_HOMEOF=() # worker -> home
declare -A NL_LANIP=()  # worker -> LAN address
declare -A NL_HOMING=() # worker or c -> gateway it is homed on (static wiring)

# nl_veth NODE_A IF_A NODE_B IF_B: a veth pair created directly inside the two namespaces.
nl_veth() {
  ip -n "$(nl_ns "$1")" link add "$2" type veth peer name "$4" netns "$(nl_ns "$3")"
}

nl_sysctl() { # NODE key=value...
  local node=$1
  shift
  nsx "$node" sysctl -qw "$@" >/dev/null
}

netlab_build_internet() {
  nl_ns_add inet
  local ns
  ns=$(nl_ns inet)
  ip -n "$ns" link add br0 type bridge
  ip -n "$ns" addr add "$NL_SERVER_NET.1/24" dev br0
  ip -n "$ns" addr add "$NL_HOME_NET.1/24" dev br0
  ip -n "$ns" link set br0 up
  nl_sysctl inet net.ipv4.ip_forward=1
}

# Attaches NODE to the internet bridge: NODE's IFNAME gets ADDR/24 on NET, default via NET.1.
nl_attach_internet() {
  local node=$1 ifname=$2 net=$3 addr=$4 ns ins
  ns=$(nl_ns "$node")
  ins=$(nl_ns inet)
  nl_veth inet "$node" "$node" "$ifname"
  ip -n "$ins" link set "$node" master br0 up
  ip -n "$ns" addr add "$net.$addr/24" dev "$ifname"
  ip -n "$ns" link set "$ifname" up
  ip -n "$ns" route add default via "$net.1"
  NL_PUB[$node]="$net.$addr"
}

netlab_add_gateway() { # K
  local k=$1 node="g$1" ovl
  nl_ns_add "$node"
  nl_attach_internet "$node" eth0 "$NL_SERVER_NET" $((10 + k))
  nl_sysctl "$node" net.ipv4.ip_forward=1
  ovl=$(nl_prefix16_base "$NL_OVERLAY_PREFIX")
  NL_OVL[$node]=$(nl_host16 "$ovl" "$k")
  NL_GATEWAYS+=("$node")
}

netlab_add_control() {
  nl_ns_add c
  nl_attach_internet c eth0 "$NL_SERVER_NET" 2
  NL_OVL[c]=$(nl_host16 "$(nl_prefix16_base "$NL_OVERLAY_PREFIX")" 250)
}

netlab_add_public() {
  nl_ns_add pub
  nl_attach_internet pub eth0 "$NL_SERVER_NET" 200
}

# A home router: WAN on the internet, a LAN bridge, masquerade, and a stateful filter that drops
# every connection initiated from the WAN side (a realistic consumer NAT: no port forwards).
netlab_add_home() { # H
  local h=$1 node="h$1" ns
  nl_ns_add "$node"
  ns=$(nl_ns "$node")
  nl_attach_internet "$node" wan "$NL_HOME_NET" $((10 + h))
  ip -n "$ns" link add lan type bridge
  ip -n "$ns" addr add "$NL_LAN_NET.1/24" dev lan
  ip -n "$ns" link set lan up
  nl_sysctl "$node" net.ipv4.ip_forward=1
  nsx "$node" nft -f - <<EOF
table ip netlab_nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan" masquerade
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "lan" oifname "wan" accept
  }
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "wan" ct state new drop
  }
}
EOF
  NL_HOMES+=("$node")
}

# A worker W of home H with global index I (1-based): LAN address behind the home router and an
# overlay address (static plan). Its pod is added by netlab_add_pod.
netlab_add_worker() { # H W I
  local h=$1 w=$2 i=$3 node="h$1w$2" ns hns
  nl_ns_add "$node"
  ns=$(nl_ns "$node")
  hns=$(nl_ns "h$h")
  # LAN: veth "w<W>" on the home router's bridge, eth0 in the worker. (ip -batch: one process
  # per namespace instead of one per command; setup time is dominated by process spawns.)
  ip -n "$hns" -batch - <<EOF || nl_die "cannot attach $node to home h$h"
link add w$w type veth peer name eth0 netns $ns
link set w$w master lan up
EOF
  ip -n "$ns" -batch - <<EOF || nl_die "cannot configure $node"
addr add $NL_LAN_NET.$((10 + w))/24 dev eth0
link set eth0 up
route add default via $NL_LAN_NET.1
EOF
  nl_sysctl "$node" net.ipv4.ip_forward=1
  NL_HOMEOF[$node]="h$h"
  NL_LANIP[$node]="$NL_LAN_NET.$((10 + w))"
  NL_OVL[$node]=$(nl_host16 "$(nl_prefix16_base "$NL_OVERLAY_PREFIX")" $((256 + i)))
  NL_WORKERS+=("$node")
}

# The worker's pod network, the way the CNI bridge plugin builds it: bridge cni0 holding the pod
# CIDR's first address, a veth into the pod namespace, the pod on the second address with its
# default route via the bridge. CIDR is a.b.c.0/24 (the node's podCIDR; with --wiring hearth it
# comes from the coordinator, so this can run after the agent has joined).
netlab_add_pod() { # WORKER CIDR
  local node=$1 cidr=$2 net ns pns
  [[ $cidr =~ ^([0-9]+\.[0-9]+\.[0-9]+)\.0/24$ ]] || nl_die "pod CIDR '$cidr' for $node must be a.b.c.0/24"
  net=${BASH_REMATCH[1]}
  nl_ns_add "${node}p"
  ns=$(nl_ns "$node")
  pns=$(nl_ns "${node}p")
  ip -n "$ns" -batch - <<EOF || nl_die "cannot build the pod network of $node"
link add cni0 type bridge
addr add $net.1/24 dev cni0
link set cni0 mtu $NL_MTU up
link add veth0 type veth peer name eth0 netns $pns
link set veth0 mtu $NL_MTU master cni0 up
EOF
  ip -n "$pns" -batch - <<EOF || nl_die "cannot configure pod ${node}p"
addr add $net.2/24 dev eth0
link set eth0 mtu $NL_MTU up
route add default via $net.1
EOF
  NL_PODNET[$node]="$net.0/24"
  NL_PODIP[$node]="$net.2"
}

# Prints what is wrong with a topology size (and fails), or nothing. Checked before anything is
# created.
netlab_size_error() { # K H N
  local k=$1 h=$2 n=$3
  if ! [ "$k" -ge 1 ] || ! [ "$k" -le 200 ]; then echo "--gateways must be 1..200 (got $k)"
  elif ! [ "$h" -ge 1 ] || ! [ "$h" -le 200 ]; then echo "--homes must be 1..200 (got $h)"
  elif ! [ "$n" -ge 1 ] || ! [ "$n" -le 255 ]; then
    echo "--workers must be 1..255 (got $n; each worker gets one /24 of the pod /16)"
  elif [ "$n" -lt "$h" ]; then echo "--workers ($n) must be at least --homes ($h): every home needs a worker"
  elif [ $(((n + h - 1) / h)) -gt 200 ]; then echo "at most 200 workers per home (LAN addresses .11-.210)"
  else return 0
  fi
  return 1
}

# netlab_build K H N: the whole topology; N workers spread over H homes as evenly as possible.
netlab_build() {
  local k=$1 h=$2 n=$3 i home w err
  err=$(netlab_size_error "$k" "$h" "$n") || nl_die "$err"
  netlab_build_internet
  for i in $(seq 1 "$k"); do netlab_add_gateway "$i"; done
  netlab_add_control
  netlab_add_public
  for i in $(seq 1 "$h"); do netlab_add_home "$i"; done
  declare -A per_home=()
  for i in $(seq 1 "$n"); do
    home=$(((i - 1) % h + 1))
    w=$((${per_home[$home]:-0} + 1))
    per_home[$home]=$w
    netlab_add_worker "$home" "$w" "$i"
    # Static pod CIDR plan: worker i gets the i-th /24 of the pod prefix. NL_DEFER_PODS=1 leaves
    # pods to the caller (netlab_add_pod with the coordinator's allocation).
    [ "${NL_DEFER_PODS:-0}" = 1 ] ||
      netlab_add_pod "h${home}w$w" "$(nl_prefix16_base "$NL_POD_PREFIX").$i.0/24"
  done
  nl_log "built: $k gateways, $h homes, $n workers (+pods), control node, public client"
}

# ---------------------------------------------------------------------------------------------
# Services in pods: busybox httpd (a static page naming the pod) and sshd (key auth only).
# busybox httpd: ~0.5 MB RSS, no config, starts in milliseconds, ships in Debian's busybox; a
# second nginx per pod would cost ~10x the memory for nothing a static page needs.

netlab_ssh_keys() {
  [ -f "$NL_DIR/ssh/host_ed25519" ] && return
  ssh-keygen -q -t ed25519 -N '' -C "netlab-host-$NL_P" -f "$NL_DIR/ssh/host_ed25519"
  ssh-keygen -q -t ed25519 -N '' -C "netlab-client-$NL_P" -f "$NL_DIR/ssh/client_ed25519"
  cp "$NL_DIR/ssh/client_ed25519.pub" "$NL_DIR/ssh/authorized_keys"
  chmod 600 "$NL_DIR/ssh/host_ed25519" "$NL_DIR/ssh/client_ed25519"
  cat >"$NL_DIR/ssh/sshd_config" <<EOF
Port 22
ListenAddress 0.0.0.0
HostKey $NL_DIR/ssh/host_ed25519
PidFile none
AuthorizedKeysFile $NL_DIR/ssh/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
StrictModes no
PrintMotd no
MaxStartups 100:30:200
LogLevel ERROR
EOF
  # sshd's privilege-separation directory (normally created by the system service).
  mkdir -p /run/sshd
  chmod 755 /run/sshd
}

netlab_start_pod_services() {
  local node
  netlab_ssh_keys
  for node in "${NL_WORKERS[@]}"; do
    mkdir -p "$NL_DIR/www/$node"
    printf 'pod %s %s\n' "$node" "${NL_PODIP[$node]}" >"$NL_DIR/www/$node/index.html"
    nl_spawn "${node}p" "httpd-$node" busybox httpd -f -p "${NL_PODIP[$node]}:80" -h "$NL_DIR/www/$node"
    nl_spawn "${node}p" "sshd-$node" /usr/sbin/sshd -D -e -f "$NL_DIR/ssh/sshd_config"
  done
  for node in "${NL_WORKERS[@]}"; do
    nl_wait "httpd in pod $node" 10 nsx "${node}p" curl -sf --max-time 1 "http://${NL_PODIP[$node]}/" ||
      nl_die "httpd in pod $node did not start (see $NL_DIR/log/httpd-$node.log)"
  done
  nl_log "pod services up: ${#NL_WORKERS[@]} httpd + ${#NL_WORKERS[@]} sshd"
}

# The ssh command the control node uses (no known_hosts prompts, key auth, bounded time).
nl_ssh() { # NODE-TO-RUN-IN ADDRESS CMD...
  local from=$1 addr=$2
  shift 2
  nsx "$from" timeout $((NL_SSH_TIMEOUT + 5)) ssh -i "$NL_DIR/ssh/client_ed25519" \
    -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o GlobalKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout="$NL_SSH_TIMEOUT" \
    -o ServerAliveInterval=2 -o ServerAliveCountMax=2 "root@$addr" "$@"
}

# ---------------------------------------------------------------------------------------------
# Ingress: nginx on every gateway reverse-proxying to pod addresses, by path (/p/<pod>/) and by
# Host (<pod>.pods.test). The route list is "name address" lines (default: every pod).

netlab_nginx_conf() { # GATEWAY ROUTES_FILE -> writes $NL_DIR/nginx/<gw>/nginx.conf
  local gw=$1 routes=$2 dir="$NL_DIR/nginx/$1" name addr
  mkdir -p "$dir/tmp"
  {
    cat <<EOF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
user root;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  proxy_connect_timeout 2s;
  proxy_read_timeout 5s;
  proxy_send_timeout 5s;
  proxy_next_upstream off;
  map \$host \$pod_upstream {
    default "";
EOF
    while read -r name addr; do
      [ -n "$name" ] && echo "    $name.pods.test $addr;"
    done <"$routes"
    cat <<EOF
  }
  server {
    listen ${NL_PUB[$gw]}:80 default_server;
    add_header X-Netlab-Gateway $gw always;
    location = /healthz { return 200 "gateway $gw\n"; }
EOF
    while read -r name addr; do
      [ -n "$name" ] && echo "    location /p/$name/ { proxy_pass http://$addr:80/; }"
    done <"$routes"
    cat <<EOF
    location / {
      if (\$pod_upstream = "") { return 404 "no such pod\n"; }
      proxy_pass http://\$pod_upstream:80;
    }
  }
}
EOF
  } >"$dir/nginx.conf"
}

netlab_start_ingress() { # [ROUTES_FILE]
  local routes=${1:-$NL_DIR/nginx/routes} gw node
  if [ -z "${1:-}" ]; then
    mkdir -p "$NL_DIR/nginx"
    : >"$routes"
    for node in "${NL_WORKERS[@]}"; do echo "$node ${NL_PODIP[$node]}" >>"$routes"; done
  fi
  for gw in "${NL_GATEWAYS[@]}"; do
    netlab_nginx_conf "$gw" "$routes"
    nsx "$gw" nginx -t -q -e "$NL_DIR/nginx/$gw/error.log" -c "$NL_DIR/nginx/$gw/nginx.conf" ||
      nl_die "nginx config for $gw is invalid"
    nl_spawn "$gw" "nginx-$gw" nginx -e "$NL_DIR/nginx/$gw/error.log" -c "$NL_DIR/nginx/$gw/nginx.conf"
  done
  for gw in "${NL_GATEWAYS[@]}"; do
    nl_wait "nginx on $gw" 10 nsx pub curl -sf --max-time 1 "http://${NL_PUB[$gw]}/healthz" ||
      nl_die "nginx on $gw did not start (see $NL_DIR/nginx/$gw/error.log)"
  done
  nl_log "ingress up on ${#NL_GATEWAYS[@]} gateways"
}

# ---------------------------------------------------------------------------------------------
# WireGuard (static reference wiring; the hearth-driven mode must produce the same state).
#
#   worker:  one peer (its gateway), Endpoint gateway:51820, AllowedIPs = overlay, pod and
#            service prefixes, PersistentKeepalive 25; address overlay /32; routes for the three
#            prefixes into wg (its own pod /24 stays on cni0, being more specific).
#   control: like a worker without a pod, homed on gateway 1.
#   gateway: ListenPort 51820; one peer per homed worker (AllowedIPs = worker /32 + pod /24)
#            and for the control node (/32); one peer per sibling gateway (AllowedIPs =
#            sibling /32 + everything homed on it); forwarding on; routes for the overlay and
#            pod prefixes into wg.
#   all:     MTU 1280.

nl_wgif() { echo "${NL_P}$1"; }  # node -> WireGuard interface name (globally unique, <= 15)

netlab_wg_keys() { # NODE...: generate keys unless present
  local node
  for node in "$@"; do
    [ -f "$NL_DIR/wg/$node.key" ] && continue
    (umask 077 && wg genkey >"$NL_DIR/wg/$node.key")
    wg pubkey <"$NL_DIR/wg/$node.key" >"$NL_DIR/wg/$node.pub"
  done
}
nl_pub() { cat "$NL_DIR/wg/$1.pub"; }

# Starts wireguard-go for each NODE (all at once), waits for their control sockets, then sets
# address, MTU and up. Routes are added by the caller.
netlab_wg_up() { # NODE...
  local node ifn sock
  for node in "$@"; do
    ifn=$(nl_wgif "$node")
    sock="/var/run/wireguard/$ifn.sock"
    [ ! -e "$sock" ] || nl_die "$sock exists and is not ours"
    nl_spawn "$node" "wg-$node" env WG_PROCESS_FOREGROUND=1 wireguard-go -f "$ifn"
  done
  for node in "$@"; do
    ifn=$(nl_wgif "$node")
    nl_wait "wireguard-go $ifn" 20 test -S "/var/run/wireguard/$ifn.sock" ||
      nl_die "wireguard-go for $node did not start (see $NL_DIR/log/wg-$node.log)"
    ip -n "$(nl_ns "$node")" addr add "${NL_OVL[$node]}/32" dev "$ifn"
    ip -n "$(nl_ns "$node")" link set "$ifn" mtu "$NL_MTU" up
  done
}

# Static homing: workers round-robin over the gateways, the control node on gateway 1.
netlab_home_static() {
  local i=0 node
  for node in "${NL_WORKERS[@]}"; do
    NL_HOMING[$node]=${NL_GATEWAYS[$((i % ${#NL_GATEWAYS[@]}))]}
    i=$((i + 1))
  done
  NL_HOMING[c]=${NL_GATEWAYS[0]}
}

# Prints NODE's [Peer] sections under the reference wiring, from the homing map and the public
# keys in $NL_DIR/wg/<node>.pub.
netlab_wg_peers() { # NODE
  local node=$1 gw sib m allowed
  if [[ $node == g* ]]; then
    for m in c "${NL_WORKERS[@]}"; do
      [ "${NL_HOMING[$m]:-}" = "$node" ] || continue
      allowed="${NL_OVL[$m]}/32"
      [ -z "${NL_PODNET[$m]:-}" ] || allowed="$allowed, ${NL_PODNET[$m]}"
      printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = %s\n' "$(nl_pub "$m")" "$allowed"
    done
    for sib in "${NL_GATEWAYS[@]}"; do
      [ "$sib" != "$node" ] || continue
      allowed="${NL_OVL[$sib]}/32"
      for m in c "${NL_WORKERS[@]}"; do
        [ "${NL_HOMING[$m]:-}" = "$sib" ] || continue
        allowed="$allowed, ${NL_OVL[$m]}/32"
        [ -z "${NL_PODNET[$m]:-}" ] || allowed="$allowed, ${NL_PODNET[$m]}"
      done
      printf '\n[Peer]\nPublicKey = %s\nEndpoint = %s:%s\nAllowedIPs = %s\nPersistentKeepalive = %s\n' \
        "$(nl_pub "$sib")" "${NL_PUB[$sib]}" "$NL_WG_PORT" "$allowed" "$NL_KEEPALIVE"
    done
  else
    gw=${NL_HOMING[$node]:-}
    [ -n "$gw" ] && [ -n "${NL_PUB[$gw]:-}" ] || return 1
    printf '\n[Peer]\nPublicKey = %s\nEndpoint = %s:%s\nAllowedIPs = %s, %s, %s\nPersistentKeepalive = %s\n' \
      "$(nl_pub "$gw")" "${NL_PUB[$gw]}" "$NL_WG_PORT" \
      "$NL_OVERLAY_PREFIX" "$NL_POD_PREFIX" "$NL_SERVICE_PREFIX" "$NL_KEEPALIVE"
  fi
}

# Writes the wg setconf file for NODE from the homing map.
netlab_wg_conf() { # NODE
  local node=$1 f="$NL_DIR/wg/$1.conf"
  {
    echo "[Interface]"
    echo "PrivateKey = $(cat "$NL_DIR/wg/$node.key")"
    [[ $node != g* ]] || echo "ListenPort = $NL_WG_PORT"
    netlab_wg_peers "$node"
  } >"$f"
  chmod 600 "$f"
}

netlab_wg_apply() { # NODE: setconf from its file (the "applied" config)
  local node=$1
  nsx "$node" wg setconf "$(nl_wgif "$node")" "$NL_DIR/wg/$node.conf" ||
    nl_die "wg setconf failed for $node"
}

nl_wg_routes() { # NODE
  local node=$1 ns ifn
  ns=$(nl_ns "$node")
  ifn=$(nl_wgif "$node")
  ip -n "$ns" route replace "$NL_OVERLAY_PREFIX" dev "$ifn"
  ip -n "$ns" route replace "$NL_POD_PREFIX" dev "$ifn"
  [[ $node == g* ]] || ip -n "$ns" route replace "$NL_SERVICE_PREFIX" dev "$ifn"
}

netlab_wire_static() {
  local node
  netlab_home_static
  netlab_wg_keys "${NL_GATEWAYS[@]}" c "${NL_WORKERS[@]}"
  netlab_wg_up "${NL_GATEWAYS[@]}" c "${NL_WORKERS[@]}"
  for node in "${NL_GATEWAYS[@]}" c "${NL_WORKERS[@]}"; do
    netlab_wg_conf "$node"
    netlab_wg_apply "$node"
    nl_wg_routes "$node"
  done
  nl_log "static WireGuard wiring applied to ${#NL_GATEWAYS[@]} gateways, control, ${#NL_WORKERS[@]} workers"
}

# A gateway failing and coming back (POC-3). Down: its wireguard-go and nginx die; the namespace
# stays, so its public address simply stops answering.
netlab_gateway_down() { # GW
  netlab_kill_label "^(wg|nginx)-$1\$"
  rm -f "/var/run/wireguard/$(nl_wgif "$1").sock"  # left behind only if it had to be SIGKILLed
}

# Up again with the static wiring: wireguard-go with its old key and a config from the current
# homing map, its routes, and nginx. The caller updates NL_HOMING first and syncs the others.
netlab_gateway_up() { # GW
  local gw=$1
  netlab_wg_up "$gw"
  netlab_wg_conf "$gw"
  netlab_wg_apply "$gw"
  nl_wg_routes "$gw"
  nl_spawn "$gw" "nginx-$gw" nginx -e "$NL_DIR/nginx/$gw/error.log" -c "$NL_DIR/nginx/$gw/nginx.conf"
  nl_wait "nginx on $gw" 10 nsx pub curl -sf --max-time 1 "http://${NL_PUB[$gw]}/healthz" ||
    nl_die "nginx on $gw did not restart (see $NL_DIR/nginx/$gw/error.log)"
}

# Re-writes and syncs (wg syncconf: only the differences) the configs of the given nodes.
netlab_wg_resync() { # NODE...
  local node
  for node in "$@"; do
    netlab_wg_conf "$node"
    nsx "$node" wg syncconf "$(nl_wgif "$node")" "$NL_DIR/wg/$node.conf" ||
      nl_die "wg syncconf failed for $node"
  done
}

# Polls (bounded) until every listed pod answers through gateway GW's ingress and from the
# control node. Prints the pods still unreachable at the deadline (nothing = all reachable).
netlab_wait_pods_reachable() { # GW DEADLINE_MS POD...
  local gw=$1 deadline=$2 w want b1 b2
  shift 2
  local pending=("$@") still
  while [ ${#pending[@]} -gt 0 ] && [ "$(nl_now_ms)" -lt "$deadline" ]; do
    still=()
    for w in "${pending[@]}"; do
      want="pod $w ${NL_PODIP[$w]}"
      b1=$(nsx pub curl -s --max-time 1 "http://${NL_PUB[$gw]}/p/$w/") || true
      b2=$(nsx c curl -s --max-time 1 "http://${NL_PODIP[$w]}/") || true
      [ "$b1" = "$want" ] && [ "$b2" = "$want" ] || still+=("$w")
    done
    pending=("${still[@]+"${still[@]}"}")
  done
  echo "${pending[*]+"${pending[*]}"}"
}

# ---------------------------------------------------------------------------------------------
# Observation: `wg show` dumps and tunnel state.

netlab_wg_dump() { # NODE [OUTFILE] -> `wg show <if> dump` of NODE
  local node=$1 out=${2:-$NL_DIR/out/wg-$1.dump}
  nsx "$node" wg show "$(nl_wgif "$node")" dump >"$out" 2>/dev/null
}

netlab_wg_dump_all() { # -> files in $NL_DIR/out
  local node
  for node in "${NL_GATEWAYS[@]}" c "${NL_WORKERS[@]}"; do netlab_wg_dump "$node" || true; done
}

# Number of workers whose (single) peer has completed a handshake in the last MAX_AGE seconds.
netlab_count_tunnels_up() { # [MAX_AGE=180]
  local max=${1:-180} node now n=0 hs
  now=$(date +%s)
  for node in "${NL_WORKERS[@]}"; do
    hs=$(nsx "$node" wg show "$(nl_wgif "$node")" latest-handshakes 2>/dev/null | awk '{print $2}' | sort -n | tail -1) || true
    [ -n "$hs" ] && [ "$hs" -gt 0 ] && [ $((now - hs)) -le "$max" ] && n=$((n + 1))
  done
  echo "$n"
}

# True when, for every node, the peers/AllowedIPs/keepalive that `wg show dump` reports equal the
# ones in the node's applied config file (order-insensitive).
nl_norm_conf() { # CONF -> "pubkey allowed(sorted) keepalive" lines
  awk -F' = ' '
    /^\[Peer\]/ { if (pk != "") print pk, al, ka; pk=""; al=""; ka="off"; next }
    $1 == "PublicKey" { pk=$2 }
    $1 == "AllowedIPs" { al=$2 }
    $1 == "PersistentKeepalive" { ka=$2 }
    END { if (pk != "") print pk, al, ka }' "$1" |
    while read -r pk rest; do
      ka=${rest##* }
      al=${rest% *}
      echo "$pk $(echo "$al" | tr -d ' ' | tr ',' '\n' | sort | paste -sd,) $ka"
    done | sort
}
nl_norm_dump() { # DUMP -> same shape
  tail -n +2 "$1" | while IFS=$'\t' read -r pk _psk _ep al _hs _rx _tx ka; do
    echo "$pk $(echo "$al" | tr ',' '\n' | sort | paste -sd,) $ka"
  done | sort
}
netlab_applied_equals_wg_show() {
  local node ok=true
  netlab_wg_dump_all
  for node in "${NL_GATEWAYS[@]}" c "${NL_WORKERS[@]}"; do
    if ! diff <(nl_norm_conf "$NL_DIR/wg/$node.conf") <(nl_norm_dump "$NL_DIR/out/wg-$node.dump") \
      >"$NL_DIR/out/wgdiff-$node" 2>&1; then
      nl_log "wg show differs from applied config on $node (see $NL_DIR/out/wgdiff-$node)"
      ok=false
    fi
  done
  echo "$ok"
}

# Learns from the running WireGuard state what the agents decided (for hearth-driven wiring):
# every node's public key (into $NL_DIR/wg/<node>.pub) and every worker's and the control node's
# gateway (its only peer) into NL_HOMING ("" when it has no peer or more than one).
netlab_learn_wg() {
  local node ifn pk peers
  declare -A by_key=()
  for node in "${NL_GATEWAYS[@]}" c "${NL_WORKERS[@]}"; do
    ifn=$(nl_wgif "$node")
    pk=$(nsx "$node" wg show "$ifn" public-key 2>/dev/null) || pk=""
    [ -z "$pk" ] || echo "$pk" >"$NL_DIR/wg/$node.pub"
    [ -z "$pk" ] || by_key[$pk]=$node
  done
  for node in c "${NL_WORKERS[@]}"; do
    peers=$(nsx "$node" wg show "$(nl_wgif "$node")" peers 2>/dev/null) || peers=""
    if [ -n "$peers" ] && [ "$(echo "$peers" | wc -l)" -eq 1 ]; then
      NL_HOMING[$node]=${by_key[$peers]:-}
    else
      NL_HOMING[$node]=""
    fi
  done
}

# True when every node's `wg show` (peers, AllowedIPs, keepalive) is exactly the reference
# hub-and-spoke wiring for the current homing map: the check a hearth-driven lab must pass.
netlab_wg_matches_reference() {
  local node ok=true
  netlab_wg_dump_all
  for node in "${NL_GATEWAYS[@]}" c "${NL_WORKERS[@]}"; do
    if ! netlab_wg_peers "$node" >"$NL_DIR/out/ref-$node.peers" 2>/dev/null; then
      nl_log "reference: $node has no single gateway peer"
      ok=false
      continue
    fi
    if ! diff <(nl_norm_conf "$NL_DIR/out/ref-$node.peers") <(nl_norm_dump "$NL_DIR/out/wg-$node.dump") \
      >"$NL_DIR/out/refdiff-$node" 2>&1; then
      nl_log "reference: wg show on $node differs (see $NL_DIR/out/refdiff-$node)"
      ok=false
    fi
  done
  echo "$ok"
}

# ---------------------------------------------------------------------------------------------
# Reachability checks. Each prints a count on stdout; every request is bounded in time and every
# loop in count. Details go to $NL_DIR/out/<check>.log.

# Public client -> gateway ingress -> pod, for every pod through every gateway. Prints the number
# of pods reachable through all gateways; per-gateway counts go to $NL_DIR/out/public_per_gw.
netlab_check_public() {
  local gw node body ok_all=0 log="$NL_DIR/out/public.log"
  declare -A okgw=()
  declare -A podok=()
  : >"$log"
  for gw in "${NL_GATEWAYS[@]}"; do
    okgw[$gw]=0
    # One namespace entry per gateway; curl per pod inside it (bounded: max-time per request).
    while read -r node body; do
      if [ "$body" = "pod $node ${NL_PODIP[$node]}" ]; then
        okgw[$gw]=$((okgw[$gw] + 1))
        podok[$node]=$((${podok[$node]:-0} + 1))
      else
        echo "FAIL $gw $node: ${body:-<no answer>}" >>"$log"
      fi
    done < <(nsx pub timeout "$NL_CHECK_DEADLINE" bash -c '
      gw_addr=$1; t=$2; shift 2
      for n in "$@"; do
        printf "%s %s\n" "$n" "$(curl -s --max-time "$t" "http://$gw_addr/p/$n/" | head -c 200 | tr -d "\n")"
      done' _ "${NL_PUB[$gw]}" "$NL_HTTP_TIMEOUT" "${NL_WORKERS[@]}")
  done
  for node in "${NL_WORKERS[@]}"; do
    [ "${podok[$node]:-0}" -eq "${#NL_GATEWAYS[@]}" ] && ok_all=$((ok_all + 1))
  done
  : >"$NL_DIR/out/public_per_gw"
  for gw in "${NL_GATEWAYS[@]}"; do echo "$gw ${okgw[$gw]}" >>"$NL_DIR/out/public_per_gw"; done
  echo "$ok_all"
}

# Control node -> pod HTTP over the overlay (no ingress). Prints the number of pods answering.
netlab_check_control() {
  local ok=0 node body log="$NL_DIR/out/control.log"
  : >"$log"
  declare -A want=()
  for node in "${NL_WORKERS[@]}"; do want[${NL_PODIP[$node]}]=$node; done
  while read -r addr body; do
    node=${want[$addr]}
    if [ "$body" = "pod $node $addr" ]; then ok=$((ok + 1)); else echo "FAIL $node: ${body:-<no answer>}" >>"$log"; fi
  done < <(nsx c timeout "$NL_CHECK_DEADLINE" bash -c '
    t=$1; shift
    for a in "$@"; do printf "%s %s\n" "$a" "$(curl -s --max-time "$t" "http://$a/" | head -c 200 | tr -d "\n")"; done
    ' _ "$NL_HTTP_TIMEOUT" "${NL_PODIP[@]}")
  echo "$ok"
}

# Control node -> ssh into every pod, running a command that proves where it ran. PARALLEL
# connections at a time. Prints the number of pods where it worked.
netlab_check_ssh() { # [PARALLEL=8]
  local par=${1:-8} node log="$NL_DIR/out/ssh.log" ok=0
  : >"$log"
  export -f nl_ssh nsx
  export NL_P NL_DIR NL_SSH_TIMEOUT
  for node in "${NL_WORKERS[@]}"; do echo "$node ${NL_PODIP[$node]}"; done |
    timeout "$NL_CHECK_DEADLINE" xargs -P "$par" -L 1 bash -c '
      out=$(nl_ssh c "$2" "ip -4 -o addr show dev eth0" 2>&1)
      case $out in *"inet $2/"*) echo "OK $1" ;; *) echo "FAIL $1 ${out:0:200}" ;; esac' _ \
      >"$NL_DIR/out/ssh.raw" || true
  ok=$(grep -c '^OK ' "$NL_DIR/out/ssh.raw" || true)
  grep -v '^OK ' "$NL_DIR/out/ssh.raw" >>"$log" || true
  echo "$ok"
}

# Pod-to-pod: each pod fetches the page of a pod on another home (the next worker in the list
# that lives elsewhere; with a single home, the next worker). Prints the number of successful
# pairs (one per pod; 0 when there is only one pod).
netlab_check_pod_to_pod() {
  local ok=0 n=${#NL_WORKERS[@]} i j src dst body log="$NL_DIR/out/pod_to_pod.log"
  : >"$log"
  if [ "$n" -lt 2 ]; then
    echo 0
    return
  fi
  local deadline=$(($(nl_now_ms) + NL_CHECK_DEADLINE * 1000))
  for i in $(seq 0 $((n - 1))); do
    src=${NL_WORKERS[$i]}
    dst=""
    for j in $(seq 1 $((n - 1))); do
      dst=${NL_WORKERS[$(((i + j) % n))]}
      [ "${NL_HOMEOF[$dst]}" != "${NL_HOMEOF[$src]}" ] && break
      dst=""
    done
    [ -n "$dst" ] || dst=${NL_WORKERS[$(((i + 1) % n))]}  # single home: any other pod
    if [ "$(nl_now_ms)" -ge "$deadline" ]; then
      echo "FAIL $src -> $dst: check deadline (${NL_CHECK_DEADLINE}s) passed" >>"$log"
      continue
    fi
    body=$(nsx "${src}p" curl -s --max-time "$NL_HTTP_TIMEOUT" "http://${NL_PODIP[$dst]}/" | head -c 200 | tr -d '\n') || true
    if [ "$body" = "pod $dst ${NL_PODIP[$dst]}" ]; then
      ok=$((ok + 1))
    else
      echo "FAIL $src -> $dst: ${body:-<no answer>}" >>"$log"
    fi
  done
  echo "$ok"
}

# N requests from the public client to one pod through one gateway, bounded by count and by a
# total deadline. Prints the number of correct answers.
netlab_http_loop() { # GATEWAY POD COUNT [DEADLINE_S=120]
  local gw=$1 node=$2 count=$3 deadline=${4:-120}
  nsx pub timeout "$deadline" bash -c '
    url=$1; want=$2; count=$3; t=$4; ok=0
    for ((i = 0; i < count; i++)); do
      [ "$(curl -s --max-time "$t" "$url")" = "$want" ] && ok=$((ok + 1))
    done
    echo "$ok"' _ "http://${NL_PUB[$gw]}/p/$node/" "pod $node ${NL_PODIP[$node]}" "$count" "$NL_HTTP_TIMEOUT" ||
    true
}

# Workers must not be reachable from the internet unless they initiate. For each home's first
# worker: start a listener on its LAN address, prove the home router itself reaches it (so the
# service is up), then try from the internet side with a route to the LAN through the router and
# to the router's WAN address. Prints the number of workers that stayed unreachable.
netlab_check_isolation() {
  local home node ok=0 log="$NL_DIR/out/isolation.log" pid start
  : >"$log"
  mkdir -p "$NL_DIR/www/probe"
  echo probe >"$NL_DIR/www/probe/index.html"
  for home in "${NL_HOMES[@]}"; do
    node=""
    for n in "${NL_WORKERS[@]}"; do [ "${NL_HOMEOF[$n]}" = "$home" ] && node=$n && break; done
    [ -n "$node" ] || continue
    nl_spawn "$node" "probe-$node" busybox httpd -f -p 8080 -h "$NL_DIR/www/probe"
    pid=$NL_LAST_PID
    start=$(nl_proc_start "$pid" || echo 0)
    if ! nl_wait "probe listener on $node" 5 nsx "$home" curl -sf --max-time 1 "http://${NL_LANIP[$node]}:8080/"; then
      echo "BROKEN $node: the home router cannot reach its own worker" >>"$log"
      nl_kill_pid "$pid" "$start"
      continue
    fi
    ip -n "$(nl_ns inet)" route add "$NL_LAN_NET.0/24" via "${NL_PUB[$home]}"
    # Three probes in parallel (each is expected to time out): the LAN address routed through
    # the router, the router's WAN address (no port forward), the pod address via the router.
    local r1 r2 r3
    nsx inet curl -s --max-time 1.5 "http://${NL_LANIP[$node]}:8080/" >/dev/null 2>&1 &
    r1=$!
    nsx pub curl -s --max-time 1.5 "http://${NL_PUB[$home]}:8080/" >/dev/null 2>&1 &
    r2=$!
    nsx inet curl -s --max-time 1.5 "http://${NL_PODIP[$node]}/" >/dev/null 2>&1 &
    r3=$!
    local exposed=0
    wait "$r1" && exposed=1
    wait "$r2" && exposed=1
    wait "$r3" && exposed=1
    if [ "$exposed" = 1 ]; then
      echo "EXPOSED $node: reachable from the internet side" >>"$log"
    else
      ok=$((ok + 1))
    fi
    ip -n "$(nl_ns inet)" route del "$NL_LAN_NET.0/24" via "${NL_PUB[$home]}"
    nl_kill_pid "$pid" "$start"
  done
  echo "$ok"
}

# Memory of one process: "RSS_kB PSS_kB" (PSS splits shared pages among their users, so sums
# of PSS do not count libc and the binaries once per process).
nl_mem_kb() { # PID
  awk '/^Rss:/ {r=$2} /^Pss:/ {p=$2} END {if (r == "") exit 1; print r, p}' "/proc/$1/smaps_rollup" 2>/dev/null
}

# Memory of the recorded processes whose label matches REGEX: "count rss_total_kb pss_total_kb".
netlab_rss() { # REGEX
  local re=$1 kind pid start label n=0 sum=0 pss=0 r q
  while read -r kind pid start label; do
    [ "$kind" = pid ] && [[ $label =~ $re ]] || continue
    nl_alive "$pid" || continue
    read -r r q < <(nl_mem_kb "$pid") || continue
    n=$((n + 1)) sum=$((sum + r)) pss=$((pss + q))
  done <"$NL_STATE"
  echo "$n $sum $pss"
}
