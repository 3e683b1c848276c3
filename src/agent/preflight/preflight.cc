#include "agent/preflight/preflight.h"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace hearth::agent {
namespace {

constexpr uint64_t kGiB = uint64_t{1} << 30;

bool Exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

std::string Gib(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f GiB", static_cast<double>(bytes) / kGiB);
  return buf;
}

Check CheckArch(const Inventory& inv) {
  if (inv.arch == "x86_64" || inv.arch == "amd64" || inv.arch == "aarch64" || inv.arch == "arm64") {
    return {"arch", CheckResult::kPass, inv.arch, ""};
  }
  return {"arch", CheckResult::kFail, inv.arch.empty() ? "unknown" : inv.arch,
          "Hearth workers must be x86-64 or arm64 machines"};
}

Check CheckKernel(const Inventory& inv) {
  const char* v = inv.kernel_version.c_str();
  char* end = nullptr;
  const long major = std::strtol(v, &end, 10);
  const bool has_major = end != v && *end == '.';
  const char* minor_start = has_major ? end + 1 : v;
  const long minor = std::strtol(minor_start, &end, 10);
  if (!has_major || end == minor_start) {
    return {"kernel", CheckResult::kWarn,
            "cannot read the kernel version '" + inv.kernel_version + "'",
            "make sure the kernel is Linux 5.4 or newer"};
  }
  if (major > 5 || (major == 5 && minor >= 4))
    return {"kernel", CheckResult::kPass, inv.kernel_version, ""};
  return {"kernel", CheckResult::kFail, inv.kernel_version + " is older than 5.4",
          "upgrade to a distribution with Linux 5.4 or newer (e.g. Ubuntu 22.04+, Debian 12)"};
}

Check CheckCgroups(const PreflightEnv& env) {
  const std::string cg = env.roots.sysfs + "/fs/cgroup";
  if (Exists(cg + "/cgroup.controllers"))
    return {"cgroups", CheckResult::kPass, "v2 (unified)", ""};
  if (Exists(cg + "/memory") || Exists(cg + "/cpu")) {
    return {"cgroups", CheckResult::kWarn, "v1 only",
            "boot with systemd.unified_cgroup_hierarchy=1 to use cgroup v2"};
  }
  return {"cgroups", CheckResult::kFail, "no cgroup hierarchy at " + cg,
          "mount cgroup2 on /sys/fs/cgroup (any systemd distribution does this)"};
}

Check CheckTun(const PreflightEnv& env) {
  if (Exists(env.dev + "/net/tun")) return {"tun", CheckResult::kPass, env.dev + "/net/tun", ""};
  return {"tun", CheckResult::kFail, env.dev + "/net/tun is missing",
          "load the tun module (modprobe tun); in a container, pass --device /dev/net/tun"};
}

bool OnPath(const std::string& path_env, const std::string& exe) {
  std::istringstream in(path_env);
  std::string dir;
  while (std::getline(in, dir, ':')) {
    if (!dir.empty() && access((dir + "/" + exe).c_str(), X_OK) == 0) return true;
  }
  return false;
}

Check CheckWireGuard(const PreflightEnv& env) {
  bool module = Exists(env.roots.sysfs + "/module/wireguard");
  if (!module) {
    std::ifstream mods(env.roots.procfs + "/modules");
    std::string line;
    while (std::getline(mods, line)) {
      if (line.rfind("wireguard ", 0) == 0) module = true;
    }
  }
  if (module) return {"wireguard", CheckResult::kPass, "kernel module", ""};
  if (OnPath(env.path_env, "wireguard-go")) {
    return {"wireguard", CheckResult::kPass, "wireguard-go (userspace)", ""};
  }
  return {"wireguard", CheckResult::kFail, "no kernel module and no wireguard-go",
          "install WireGuard: apt install wireguard-tools (kernel 5.6+ has the module) or "
          "apt install wireguard-go"};
}

Check CheckDisk(const PreflightEnv& env) {
  uint64_t free_bytes = 0;
  if (env.free_disk_bytes_override) {
    free_bytes = *env.free_disk_bytes_override;
  } else {
    struct statvfs vfs {};
    if (statvfs(env.state_dir.c_str(), &vfs) != 0) {
      return {"disk", CheckResult::kWarn, "cannot measure free space at " + env.state_dir,
              "make sure the state directory exists on a disk with 100 GiB free"};
    }
    free_bytes = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  }
  const std::string found = Gib(free_bytes) + " free at " + env.state_dir;
  if (free_bytes < 10 * kGiB) {
    return {"disk", CheckResult::kFail, found,
            "free at least 10 GiB (100 GiB recommended) for container images and workloads"};
  }
  if (free_bytes < 100 * kGiB) {
    return {"disk", CheckResult::kWarn, found,
            "100 GiB free is recommended; large images and model weights fill disks fast"};
  }
  return {"disk", CheckResult::kPass, found, ""};
}

Check CheckMemory(const Inventory& inv) {
  const std::string found = Gib(inv.memory_bytes);
  if (inv.memory_bytes < 4 * kGiB) {
    return {"memory", CheckResult::kFail, found, "a worker needs at least 4 GiB of RAM"};
  }
  if (inv.memory_bytes < 8 * kGiB) {
    return {"memory", CheckResult::kWarn, found, "8 GiB or more is recommended"};
  }
  return {"memory", CheckResult::kPass, found, ""};
}

Check CheckVirtualization(const Inventory& inv, const PreflightEnv& env) {
  if (Exists(env.dev + "/kvm"))
    return {"virtualization", CheckResult::kPass, "/dev/kvm present", ""};
  if (inv.cpu_virtualization) {
    return {"virtualization", CheckResult::kPass, "CPU flags vmx/svm present", ""};
  }
  return {"virtualization", CheckResult::kWarn, "no vmx/svm flag and no /dev/kvm",
          "enable VT-x / AMD-V (SVM) in the BIOS; some workloads need it"};
}

Check CheckGpuDriver(const Inventory& inv) {
  std::string found;
  for (const Gpu& g : inv.gpus) {
    const std::string label =
        (g.model.empty() ? g.vendor + " " + g.device_id : g.model) + " at " + g.pci_address;
    if (g.vendor_id == "10de") {
      if (g.driver != "nvidia") {
        return {"gpu-driver", CheckResult::kFail,
                label + " uses driver '" + (g.driver.empty() ? "none" : g.driver) + "'",
                "install the NVIDIA proprietary driver (e.g. apt install nvidia-driver) and "
                "reboot, so the GPU is bound to 'nvidia'"};
      }
      if (g.driver_version.empty()) {
        return {"gpu-driver", CheckResult::kWarn,
                label + " bound to nvidia, but nvidia-smi gave no version",
                "install nvidia-smi (nvidia-utils) so VRAM and driver version can be reported"};
      }
      found += (found.empty() ? "" : ", ") + label + " nvidia " + g.driver_version;
    } else {
      if (g.driver.empty()) {
        return {"gpu-driver", CheckResult::kWarn, label + " has no driver bound",
                "install the GPU vendor's driver (amdgpu for AMD)"};
      }
      found += (found.empty() ? "" : ", ") + label + " " + g.driver;
    }
  }
  return {"gpu-driver", CheckResult::kPass, found, ""};
}

}  // namespace

std::vector<Check> RunPreflight(const Inventory& inv, const PreflightEnv& env) {
  std::vector<Check> out = {
      CheckArch(inv),      CheckKernel(inv), CheckCgroups(env), CheckTun(env),
      CheckWireGuard(env), CheckDisk(env),   CheckMemory(inv),  CheckVirtualization(inv, env)};
  if (!inv.gpus.empty()) out.push_back(CheckGpuDriver(inv));
  return out;
}

bool PreflightPassed(const std::vector<Check>& checks) {
  for (const Check& c : checks) {
    if (c.result == CheckResult::kFail) return false;
  }
  return true;
}

std::string_view CheckResultName(CheckResult r) {
  switch (r) {
    case CheckResult::kPass:
      return "pass";
    case CheckResult::kWarn:
      return "warn";
    case CheckResult::kFail:
      return "fail";
  }
  return "fail";
}

std::string FormatPreflight(const std::vector<Check>& checks) {
  std::string out;
  for (const Check& c : checks) {
    std::string tag = std::string(CheckResultName(c.result));
    for (char& ch : tag) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    char line[512];
    std::snprintf(line, sizeof(line), "  %-5s %-15s %s\n", tag.c_str(), c.name.c_str(),
                  c.detail.c_str());
    out += line;
    if (!c.fix.empty()) out += "        fix: " + c.fix + "\n";
  }
  return out;
}

nlohmann::json PreflightToJson(const std::vector<Check>& checks) {
  nlohmann::json out = nlohmann::json::array();
  for (const Check& c : checks) {
    nlohmann::json j = {
        {"name", c.name}, {"result", CheckResultName(c.result)}, {"detail", c.detail}};
    if (!c.fix.empty()) j["fix"] = c.fix;
    out.push_back(j);
  }
  return out;
}

}  // namespace hearth::agent
