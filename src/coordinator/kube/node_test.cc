// Node labels, taints and patches, pure: the Akash inventory operator's GPU label format, node
// names, and the merge patch that turns an observed Node into the desired one without touching
// what is not Hearth's.
#include "coordinator/kube/node.h"

#include <gtest/gtest.h>

namespace hearth::kube {
namespace {

agent::Gpu MakeGpu(std::string vendor, std::string model, std::string mem, std::string iface) {
  agent::Gpu g;
  g.vendor = std::move(vendor);
  g.model = std::move(model);
  g.memory_size = std::move(mem);
  g.interface = std::move(iface);
  g.vendor_id = "10de";
  g.device_id = "2204";
  return g;
}

store::Device Worker() {
  store::Device d;
  d.id = DeviceId("dev_k3j9x2m1q8w7e5r4");
  d.region_id = "eu-central";
  d.pod_cidr = "10.42.5.0/24";
  agent::Inventory inv;
  inv.arch = "amd64";
  inv.cpu_cores = 8;
  inv.cpu_threads = 16;
  inv.memory_bytes = uint64_t{32} << 30;
  inv.gpus = {MakeGpu("nvidia", "rtx3090", "24Gi", "PCIe"),
              MakeGpu("nvidia", "rtx3090", "24Gi", "PCIe")};
  d.inventory_json = agent::InventoryToJson(inv).dump();
  return d;
}

TEST(NodeTest, GpuLabelsAreTheInventoryOperators) {
  agent::Inventory inv;
  inv.gpus = {MakeGpu("nvidia", "rtx3090", "24Gi", "PCIe"),
              MakeGpu("nvidia", "rtx3090", "24Gi", "PCIe"),
              MakeGpu("nvidia", "h100", "80Gi", "SXM5"),
              MakeGpu("nvidia", "", "", ""),  // not in the Akash database: skipped
              MakeGpu("amd", "mi300x", "", "")};
  const std::map<std::string, std::string> want = {
      {"akash.network/capabilities.gpu.vendor.nvidia.model.rtx3090", "2"},
      {"akash.network/capabilities.gpu.vendor.nvidia.model.rtx3090.ram.24Gi", "2"},
      {"akash.network/capabilities.gpu.vendor.nvidia.model.rtx3090.interface.pcie", "2"},
      {"akash.network/capabilities.gpu.vendor.nvidia.model.h100", "1"},
      {"akash.network/capabilities.gpu.vendor.nvidia.model.h100.ram.80Gi", "1"},
      {"akash.network/capabilities.gpu.vendor.nvidia.model.h100.interface.sxm", "1"},
      {"akash.network/capabilities.gpu.vendor.amd.model.mi300x", "1"},
      {"nvidia.com/gpu.present", "true"},
  };
  EXPECT_EQ(AkashGpuLabels(inv), want);
  EXPECT_TRUE(AkashGpuLabels(agent::Inventory{}).empty());
  inv.gpus = {MakeGpu("amd", "mi300x", "192Gi", "OAM")};
  EXPECT_EQ(AkashGpuLabels(inv).count("nvidia.com/gpu.present"), 0u);
}

TEST(NodeTest, NodeNamesAreDnsLabelsWithAGeneration) {
  EXPECT_EQ(NodeName(DeviceId("dev_k3j9x2m1q8w7e5r4"), 1), "hearth-k3j9x2m1q8w7e5r4-1");
  EXPECT_EQ(NodeName(DeviceId("dev_k3j9x2m1q8w7e5r4"), 12), "hearth-k3j9x2m1q8w7e5r4-12");
  EXPECT_NE(NodeName(DeviceId("dev_a"), 1), NodeName(DeviceId("dev_a"), 2));
}

TEST(NodeTest, TaintsParseAndBadOnesNameTheField) {
  auto t = ParseTaint("hearth.dev/edge=true:NoSchedule", "--kube-edge-taint");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->key, "hearth.dev/edge");
  EXPECT_EQ(t->value, "true");
  EXPECT_EQ(t->effect, "NoSchedule");
  EXPECT_EQ(t->ToString(), "hearth.dev/edge=true:NoSchedule");
  auto novalue = ParseTaint("dedicated:NoExecute", "f");
  ASSERT_TRUE(novalue.ok());
  EXPECT_EQ(novalue->ToString(), "dedicated:NoExecute");
  for (const char* bad : {"", "key=value", "key=value:Sometimes", ":NoSchedule", "a b=c:NoSchedule",
                          "k=v v:NoSchedule"}) {
    auto r = ParseTaint(bad, "--kube-edge-taint");
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().field(), "--kube-edge-taint");
  }
}

TEST(NodeTest, DesiredNodeFollowsTheDeviceAndItsAdminState) {
  store::Device d = Worker();
  NodePolicy policy;
  DesiredNode n = DesiredNodeFor(d, "hearth-x-1", policy);
  EXPECT_EQ(n.labels.at("hearth.dev/region"), "eu-central");
  EXPECT_EQ(n.labels.at("hearth.dev/device"), "dev_k3j9x2m1q8w7e5r4");
  EXPECT_EQ(n.labels.at("hearth.dev/edge"), "true");
  EXPECT_EQ(n.labels.at("akash.network/capabilities.gpu.vendor.nvidia.model.rtx3090"), "2");
  EXPECT_EQ(n.labels.at("nvidia.com/gpu.present"), "true");
  EXPECT_TRUE(n.taints.empty());
  EXPECT_FALSE(n.unschedulable);
  EXPECT_EQ(n.pod_cidr, "10.42.5.0/24");
  policy.edge_taint = DefaultEdgeTaint();
  for (const char* state : {"cordoned", "drained", "banned"}) {
    d.admin_state = state;
    n = DesiredNodeFor(d, "hearth-x-1", policy);
    EXPECT_TRUE(n.unschedulable) << state;
    ASSERT_EQ(n.taints.size(), 1u);
    EXPECT_EQ(n.taints[0].ToString(), "hearth.dev/edge=true:NoSchedule");
  }
  d.admin_state = "active";
  d.removed_at = FromUnixMillis(1);
  EXPECT_TRUE(DesiredNodeFor(d, "n", policy).unschedulable);
}

// A Node as a kubelet registers it (and kwok/the node controller adds to it).
nlohmann::json KubeletNode() {
  return nlohmann::json::parse(R"({
    "metadata": {"name": "hearth-x-1", "resourceVersion": "42",
      "labels": {"kubernetes.io/hostname": "box", "kubernetes.io/os": "linux",
                 "hearth.dev/stale": "x",
                 "akash.network/capabilities.gpu.vendor.nvidia.model.gtx1080": "1"}},
    "spec": {"taints": [{"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule",
                         "timeAdded": "2026-12-02T08:00:00Z"}]},
    "status": {"capacity": {"cpu": "8", "memory": "32Gi", "nvidia.com/gpu": "2"},
      "nodeInfo": {"kubeletVersion": "v1.36.3"},
      "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                      "lastTransitionTime": "2026-12-02T08:00:01Z"}]}})");
}

TEST(NodeTest, PatchSetsLabelsCidrAndTaintsAndKeepsOthers) {
  NodePolicy policy;
  policy.edge_taint = DefaultEdgeTaint();
  const DesiredNode want = DesiredNodeFor(Worker(), "hearth-x-1", policy);
  std::vector<std::string> conflicts;
  auto patch = NodePatch(KubeletNode(), want, &conflicts);
  ASSERT_TRUE(patch.has_value());
  EXPECT_TRUE(conflicts.empty());
  const auto& labels = (*patch)["metadata"]["labels"];
  EXPECT_EQ(labels["hearth.dev/device"], "dev_k3j9x2m1q8w7e5r4");
  EXPECT_EQ(labels["akash.network/capabilities.gpu.vendor.nvidia.model.rtx3090.ram.24Gi"], "2");
  EXPECT_TRUE(labels["hearth.dev/stale"].is_null());  // Hearth's, no longer wanted: removed
  EXPECT_TRUE(labels["akash.network/capabilities.gpu.vendor.nvidia.model.gtx1080"].is_null());
  EXPECT_FALSE(labels.contains("kubernetes.io/hostname"));  // not Hearth's: untouched
  EXPECT_EQ((*patch)["spec"]["podCIDR"], "10.42.5.0/24");
  EXPECT_EQ((*patch)["spec"]["podCIDRs"], nlohmann::json::array({"10.42.5.0/24"}));
  EXPECT_FALSE((*patch)["spec"].contains("unschedulable"));
  // The whole taint list, the controller's taint kept as it was, guarded by resourceVersion.
  const auto& taints = (*patch)["spec"]["taints"];
  ASSERT_EQ(taints.size(), 2u);
  EXPECT_EQ(taints[0]["key"], "node.kubernetes.io/not-ready");
  EXPECT_EQ(taints[0]["timeAdded"], "2026-12-02T08:00:00Z");
  EXPECT_EQ(taints[1], nlohmann::json::parse(
                           R"({"key":"hearth.dev/edge","value":"true","effect":"NoSchedule"})"));
  EXPECT_EQ((*patch)["metadata"]["resourceVersion"], "42");
}

TEST(NodeTest, AppliedPatchLeavesNothingToDoAndCordonIsOneField) {
  NodePolicy policy;
  policy.edge_taint = DefaultEdgeTaint();
  store::Device d = Worker();
  const DesiredNode want = DesiredNodeFor(d, "hearth-x-1", policy);
  nlohmann::json node = KubeletNode();
  node.merge_patch(*NodePatch(node, want, nullptr));
  EXPECT_FALSE(NodePatch(node, want, nullptr).has_value());

  d.admin_state = "cordoned";
  auto cordon = NodePatch(node, DesiredNodeFor(d, "hearth-x-1", policy), nullptr);
  ASSERT_TRUE(cordon.has_value());
  EXPECT_EQ(*cordon, nlohmann::json::parse(R"({"spec":{"unschedulable":true}})"));

  // Without the policy the edge taint goes; the others stay.
  auto untaint = NodePatch(node, DesiredNodeFor(Worker(), "hearth-x-1", NodePolicy{}), nullptr);
  ASSERT_TRUE(untaint.has_value());
  ASSERT_EQ((*untaint)["spec"]["taints"].size(), 1u);
  EXPECT_EQ((*untaint)["spec"]["taints"][0]["key"], "node.kubernetes.io/not-ready");
}

TEST(NodeTest, ADifferentPodCidrIsAConflictNotAPatch) {
  nlohmann::json node = KubeletNode();
  node["spec"]["podCIDR"] = "10.244.7.0/24";
  DesiredNode want = DesiredNodeFor(Worker(), "hearth-x-1", NodePolicy{});
  std::vector<std::string> conflicts;
  auto patch = NodePatch(node, want, &conflicts);
  ASSERT_TRUE(patch.has_value());  // labels still
  EXPECT_FALSE((*patch)["spec"].contains("podCIDR"));
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_NE(conflicts[0].find("10.244.7.0/24"), std::string::npos);
}

TEST(NodeTest, ObserveReadsReadyCapacityAndVersion) {
  NodeFacts f = ObserveNode(KubeletNode());
  EXPECT_TRUE(f.ready);
  EXPECT_EQ(f.ready_reason, "KubeletReady");
  EXPECT_EQ(f.capacity["nvidia.com/gpu"], "2");
  EXPECT_EQ(f.kubelet_version, "v1.36.3");
  nlohmann::json unknown = KubeletNode();
  unknown["status"]["conditions"][0]["status"] = "Unknown";
  unknown["status"]["conditions"][0]["reason"] = "NodeStatusUnknown";
  f = ObserveNode(unknown);
  EXPECT_FALSE(f.ready);
  EXPECT_EQ(f.ready_reason, "NodeStatusUnknown");
  EXPECT_FALSE(ObserveNode(nlohmann::json::object()).ready);
}

TEST(NodeTest, KubeTimesParseWithAndWithoutFractions) {
  EXPECT_EQ(ToUnixMillis(*ParseKubeTime("2023-11-14T22:13:20Z")), 1'700'000'000'000);
  EXPECT_EQ(ToUnixMillis(*ParseKubeTime("2023-11-14T22:13:20.123456Z")), 1'700'000'000'123);
  EXPECT_EQ(ToUnixMillis(*ParseKubeTime("2023-11-14T22:13:20.5Z")), 1'700'000'000'500);
  EXPECT_FALSE(ParseKubeTime("").has_value());
  EXPECT_FALSE(ParseKubeTime("2023-11-14 22:13:20Z").has_value());
  EXPECT_FALSE(ParseKubeTime("2023-11-14T22:13:20.Z").has_value());
}

}  // namespace
}  // namespace hearth::kube
