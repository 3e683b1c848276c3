#include "agent/preflight/preflight.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

namespace hearth::agent {
namespace {

std::string Fixture(const std::string& host) {
  const char* src = std::getenv("HEARTH_SOURCE_DIR");
  return std::string(src ? src : HEARTH_SOURCE_DIR) + "/tests/fixtures/hosts/" + host;
}

struct PreflightRun {
  std::vector<Check> checks;
  std::map<std::string, Check> by_name;
};

PreflightRun Preflight(const std::string& host, uint64_t free_gib = 500,
                       const std::string& path = "", bool with_smi = true) {
  const std::string r = Fixture(host);
  PreflightEnv env;
  env.roots = {r + "/sys", r + "/proc", r + "/etc", with_smi ? r + "/bin/nvidia-smi" : ""};
  env.dev = r + "/dev";
  env.state_dir = r;
  env.path_env = path;
  env.free_disk_bytes_override = free_gib << 30;
  auto inv = CollectInventory(env.roots);
  EXPECT_TRUE(inv.ok()) << host;
  PreflightRun run;
  run.checks = RunPreflight(*inv, env);
  for (const Check& c : run.checks) run.by_name[c.name] = c;
  return run;
}

TEST(PreflightTest, GamingPcPassesEverything) {
  PreflightRun r = Preflight("rtx4090");
  EXPECT_TRUE(PreflightPassed(r.checks)) << FormatPreflight(r.checks);
  for (const Check& c : r.checks) {
    EXPECT_EQ(c.result, CheckResult::kPass) << c.name << ": " << c.detail;
    EXPECT_TRUE(c.fix.empty());
  }
  EXPECT_EQ(r.by_name.at("wireguard").detail, "kernel module");
  EXPECT_NE(r.by_name.at("gpu-driver").detail.find("550.54.14"), std::string::npos);
}

TEST(PreflightTest, OldKernelFailsWithFixes) {
  PreflightRun r = Preflight("old-kernel");
  EXPECT_FALSE(PreflightPassed(r.checks));
  EXPECT_EQ(r.by_name.at("kernel").result, CheckResult::kFail);
  EXPECT_EQ(r.by_name.at("cgroups").result, CheckResult::kWarn);  // v1 only
  EXPECT_EQ(r.by_name.at("tun").result, CheckResult::kFail);
  EXPECT_EQ(r.by_name.at("memory").result, CheckResult::kFail);
  EXPECT_EQ(r.by_name.at("virtualization").result, CheckResult::kWarn);
  EXPECT_EQ(r.by_name.at("gpu-driver").result, CheckResult::kFail);
  EXPECT_NE(r.by_name.at("gpu-driver").detail.find("nouveau"), std::string::npos);
  EXPECT_EQ(r.by_name.at("wireguard").result, CheckResult::kFail);
  for (const Check& c : r.checks) {
    if (c.result != CheckResult::kPass) {
      EXPECT_FALSE(c.fix.empty()) << c.name;
    }
  }
  const std::string text = FormatPreflight(r.checks);
  EXPECT_NE(text.find("FAIL  kernel"), std::string::npos) << text;
  EXPECT_NE(text.find("fix: "), std::string::npos);
}

TEST(PreflightTest, WireGuardFromWireguardGoOnPath) {
  PreflightRun without = Preflight("cpu-only", 500, "/nonexistent");
  EXPECT_EQ(without.by_name.at("wireguard").result, CheckResult::kFail);
  EXPECT_NE(without.by_name.at("wireguard").fix.find("wireguard-go"), std::string::npos);
  // The rtx4090 fixture's bin/ holds an executable; use a PATH with a fake wireguard-go.
  const std::string dir = ::testing::TempDir() + "hearth-wggo";
  std::system(("mkdir -p " + dir + " && printf '#!/bin/sh\\n' > " + dir +
               "/wireguard-go && chmod +x " + dir + "/wireguard-go")
                  .c_str());
  PreflightRun with = Preflight("cpu-only", 500, "/nonexistent:" + dir);
  EXPECT_EQ(with.by_name.at("wireguard").result, CheckResult::kPass);
  EXPECT_EQ(with.by_name.at("wireguard").detail, "wireguard-go (userspace)");
  EXPECT_EQ(with.by_name.count("gpu-driver"), 0u);  // no GPU, no driver check
}

TEST(PreflightTest, DiskThresholds) {
  EXPECT_EQ(Preflight("rtx4090", 100).by_name.at("disk").result, CheckResult::kPass);
  EXPECT_EQ(Preflight("rtx4090", 99).by_name.at("disk").result, CheckResult::kWarn);
  EXPECT_EQ(Preflight("rtx4090", 10).by_name.at("disk").result, CheckResult::kWarn);
  EXPECT_EQ(Preflight("rtx4090", 9).by_name.at("disk").result, CheckResult::kFail);
}

TEST(PreflightTest, NvidiaWithoutSmiWarns) {
  PreflightRun r = Preflight("rtx4090", 500, "", /*with_smi=*/false);
  EXPECT_EQ(r.by_name.at("gpu-driver").result, CheckResult::kWarn);
  EXPECT_TRUE(PreflightPassed(r.checks));
}

TEST(PreflightTest, ArchAndKernelParsing) {
  Inventory inv;
  inv.arch = "riscv64";
  inv.kernel_version = "weird";
  inv.memory_bytes = 16ull << 30;
  PreflightEnv env;
  env.roots = {"/nonexistent", "/nonexistent", "/nonexistent", ""};
  env.dev = "/nonexistent";
  env.free_disk_bytes_override = 500ull << 30;
  std::map<std::string, Check> by;
  for (const Check& c : RunPreflight(inv, env)) by[c.name] = c;
  EXPECT_EQ(by.at("arch").result, CheckResult::kFail);
  EXPECT_EQ(by.at("kernel").result, CheckResult::kWarn);
  EXPECT_EQ(by.at("cgroups").result, CheckResult::kFail);
  inv.arch = "aarch64";
  inv.kernel_version = "5.4.0";
  for (const Check& c : RunPreflight(inv, env)) by[c.name] = c;
  EXPECT_EQ(by.at("arch").result, CheckResult::kPass);
  EXPECT_EQ(by.at("kernel").result, CheckResult::kPass);
  inv.kernel_version = "5.3.18";
  for (const Check& c : RunPreflight(inv, env)) by[c.name] = c;
  EXPECT_EQ(by.at("kernel").result, CheckResult::kFail);
}

TEST(PreflightTest, JsonCarriesResultsAndFixes) {
  PreflightRun r = Preflight("old-kernel");
  const nlohmann::json j = PreflightToJson(r.checks);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), r.checks.size());
  EXPECT_EQ(j[0]["name"], "arch");
  EXPECT_EQ(j[0]["result"], "pass");
  EXPECT_FALSE(j[0].contains("fix"));
  EXPECT_EQ(j[1]["result"], "fail");
  EXPECT_TRUE(j[1].contains("fix"));
}

}  // namespace
}  // namespace hearth::agent
