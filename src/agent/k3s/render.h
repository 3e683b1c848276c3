// Rendering the k3s agent of a worker (DESIGN §6, agent side): from the device config's
// "kubernetes" object (api::KubeJoin) to the files that make this host a node of its region's
// cluster. Pure functions of their inputs; thread-safe.
//
// What is rendered, and why:
//   /etc/rancher/k3s/config.yaml    k3s agent options (docs.k3s.io/cli/agent): server, token-file,
//                                   node-name, node-ip = the overlay address, node-label,
//                                   node-taint, resolv-conf, kubelet-arg max-pods.
//   /etc/rancher/k3s/hearth-token   the join token (0600), so config.yaml holds no secret.
//   /etc/cni/net.d/10-hearth.conflist  the pod network: CNI "bridge" (cni0, gateway = first address
//                                   of the pod CIDR, MTU of the overlay) with "host-local" IPAM on
//                                   the node's pod CIDR, then "portmap" for hostPort.
//   /etc/hearth/pod-egress.nft      masquerade of pod traffic leaving for anything outside the
//                                   region's routed prefixes (the internet), nothing else.
//   /etc/systemd/system/k3s-agent.service  the unit (as k3s's installer writes it).
//
// Flannel: agents cannot switch it off; `flannel-backend` is a server option the agent
// receives from its server. Hearth regions run their k3s servers with `flannel-backend: none`,
// `disable-network-policy: true` and `kube-controller-manager-arg: allocate-node-cidrs=false`
// (the coordinator assigns spec.podCIDR); with flannel off, k3s's containerd keeps its default
// CNI directories, /etc/cni/net.d and /opt/cni/bin, which is where the bridge config goes and
// where the bridge, host-local, portmap and loopback plugins must be (containerd's CRI sets up
// the pod's loopback itself from the loopback plugin, so no loopback config file is needed; it
// loads only the first config in the directory). Pod-to-pod traffic between nodes is routed,
// not NATed: the overlay carries every pod CIDR (AllowedIPs), so the bridge does not
// masquerade and pod addresses stay visible as the Kubernetes network model requires.
//
// The pod CIDR reaches the kubelet through the Node's spec.podCIDR (the kubelet's own
// --pod-cidr applies only to standalone kubelets) and IPAM through the conflist; the kubelet
// flag derived from it is max-pods, capped by the addresses the CIDR holds.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "api/network.h"
#include "common/status.h"

namespace hearth::agent::k3s {

// Every file Hearth writes (except the token file) carries this text near its top: it marks the
// file as Hearth's, so a file someone else wrote is never overwritten or removed.
inline constexpr char kMarker[] = "Written by hearth";

// Absolute paths on the host (the rendered files refer to each other by these); a test or
// `--k3s-root` only changes where they are written (see K3sOptions::root).
struct Paths {
  std::string config = "/etc/rancher/k3s/config.yaml";
  std::string token = "/etc/rancher/k3s/hearth-token";
  std::string cni_conf = "/etc/cni/net.d/10-hearth.conflist";
  std::string cni_bin_dir = "/opt/cni/bin";
  std::string egress = "/etc/hearth/pod-egress.nft";
  std::string unit = "/etc/systemd/system/k3s-agent.service";
  std::string k3s_binary = "/usr/local/bin/k3s";
};

inline constexpr char kServiceName[] = "k3s-agent.service";
inline constexpr char kBridgeName[] = "cni0";
inline constexpr char kEgressTable[] = "hearth_k3s";  // nftables table (family ip)
inline constexpr int kDefaultMaxPods = 110;           // the kubelet's default

struct RenderOptions {
  Paths paths;
  // The resolv.conf the kubelet hands to pods; "" leaves k3s's choice. On systemd-resolved hosts
  // /etc/resolv.conf names the 127.0.0.53 stub, unreachable from pods, so the caller passes
  // /run/systemd/resolve/resolv.conf when that file exists.
  std::string resolv_conf;
};

struct File {
  std::string path;  // absolute host path
  std::string content;
  mode_t mode = 0644;
  bool secret = false;  // content is never printed or logged
  bool operator==(const File&) const = default;
};

// What Render produces: the files in a fixed order (config, token, CNI, egress, unit).
struct Rendered {
  std::vector<File> files;
  std::string node_name;
  std::string server;
};

// Checks `config.kubernetes` the way k3s and the kubelet would, plus its agreement with the
// rest of the config: server "https://HOST:PORT"; token "K10<64 hex>::<6>.<16>"; node_name a
// DNS-1123 subdomain; node_ip = the overlay address; pod_cidr a prefix of /8../28 equal to the
// config's pod_cidr; labels valid Kubernetes labels the kubelet may set on itself (no other
// kubernetes.io / k8s.io keys: the kubelet refuses to start with them); taints
// "key[=value]:NoSchedule|PreferNoSchedule|NoExecute". Errors name the field
// ("kubernetes.labels[\"x\"]") and the fix. kFailedPrecondition when there is no kubernetes.
Status Validate(const api::NetworkConfig& config);

// Validate() then the files. The egress rule masquerades traffic from the pod CIDR to
// destinations outside the config's routes (the region's overlay, pod and service prefixes)
// and the pod CIDR itself.
StatusOr<Rendered> Render(const api::NetworkConfig& config, const RenderOptions& options);

// kubelet max-pods for a pod CIDR: min(110, addresses − network − gateway − broadcast).
int MaxPods(const Ipv4Prefix& pod_cidr);

}  // namespace hearth::agent::k3s
