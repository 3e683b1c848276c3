#include "agent/inventory/inventory.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

namespace hearth::agent {
namespace {

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string ReadTrimmed(const std::string& path) { return Trim(ReadFile(path).value_or("")); }

std::vector<std::string> ListDir(const std::string& path) {
  std::vector<std::string> out;
  if (DIR* d = opendir(path.c_str())) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') out.emplace_back(e->d_name);
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool Exists(const std::string& path) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0;
}

std::string LinkBasename(const std::string& path) {
  char buf[4096];
  const ssize_t n = readlink(path.c_str(), buf, sizeof(buf) - 1);
  if (n <= 0) return "";
  std::string target(buf, static_cast<size_t>(n));
  return target.substr(target.rfind('/') + 1);
}

std::optional<uint64_t> ParseU64(std::string_view s) {
  const std::string t = Trim(s);
  if (t.empty() || t.find_first_not_of("0123456789") != std::string::npos || t.size() > 19) {
    return std::nullopt;
  }
  return std::stoull(t);
}

void ReadCpu(const std::string& procfs, Inventory* inv) {
  const std::string text = ReadFile(procfs + "/cpuinfo").value_or("");
  std::istringstream in(text);
  std::string line;
  std::set<std::pair<std::string, std::string>> cores;
  std::string physical, core, implementer, part;
  uint32_t processors = 0;
  auto flush = [&] {
    if (!core.empty()) cores.insert({physical, core});
    physical.clear();
    core.clear();
  };
  while (std::getline(in, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) {
      flush();
      continue;
    }
    const std::string key = Trim(std::string_view(line).substr(0, colon));
    const std::string value = Trim(std::string_view(line).substr(colon + 1));
    if (key == "processor")
      ++processors;
    else if (key == "model name" && inv->cpu_model.empty())
      inv->cpu_model = value;
    else if (key == "physical id")
      physical = value;
    else if (key == "core id")
      core = value;
    else if (key == "CPU implementer" && implementer.empty())
      implementer = value;
    else if (key == "CPU part" && part.empty())
      part = value;
    else if (key == "flags" || key == "Features") {
      std::istringstream f(value);
      std::string flag;
      while (f >> flag) {
        if (flag == "vmx" || flag == "svm") inv->cpu_virtualization = true;
      }
    }
  }
  flush();
  inv->cpu_threads = processors;
  // arm64 has no core ids in cpuinfo: every processor is a core.
  inv->cpu_cores = cores.empty() ? processors : static_cast<uint32_t>(cores.size());
  if (inv->cpu_model.empty() && !implementer.empty()) {
    inv->cpu_model = "ARM implementer " + implementer + " part " + part;
  }
}

void ReadDisks(const std::string& sysfs, Inventory* inv) {
  const std::string block = sysfs + "/block";
  for (const std::string& name : ListDir(block)) {
    const std::string dir = block + "/" + name;
    // Virtual devices (loop, ram, zram, dm-*, md*) have no backing `device` link.
    if (!Exists(dir + "/device")) continue;
    Disk d;
    d.name = name;
    d.size_bytes = ParseU64(ReadTrimmed(dir + "/size")).value_or(0) * 512;
    d.rotational = ReadTrimmed(dir + "/queue/rotational") == "1";
    d.model = ReadTrimmed(dir + "/device/model");
    inv->disks.push_back(std::move(d));
  }
}

void ReadNics(const std::string& sysfs, Inventory* inv) {
  const std::string net = sysfs + "/class/net";
  for (const std::string& name : ListDir(net)) {
    const std::string dir = net + "/" + name;
    if (name == "lo" || !Exists(dir + "/device")) continue;  // virtual interfaces
    Nic n;
    n.name = name;
    n.mac = ReadTrimmed(dir + "/address");
    const std::string speed = ReadTrimmed(dir + "/speed");
    if (auto v = ParseU64(speed); v && *v > 0 && *v < 10'000'000) {
      n.speed_mbps = static_cast<uint32_t>(*v);
    }
    inv->nics.push_back(std::move(n));
  }
}

void ReadGpus(const std::string& sysfs, const GpuDb& db, Inventory* inv) {
  const std::string pci = sysfs + "/bus/pci/devices";
  for (const std::string& addr : ListDir(pci)) {
    const std::string dir = pci + "/" + addr;
    const std::string cls = NormalizePciId(ReadTrimmed(dir + "/class"));
    // 0x0300xx VGA controller, 0x0302xx 3D controller (data-centre GPUs).
    if (cls.rfind("0300", 0) != 0 && cls.rfind("0302", 0) != 0) continue;
    const std::string vendor = NormalizePciId(ReadTrimmed(dir + "/vendor"));
    const std::string device = NormalizePciId(ReadTrimmed(dir + "/device"));
    // Only vendors in the Akash database (NVIDIA, AMD) can be offered; integrated graphics of
    // other vendors (Intel, ASPEED BMCs) are not inventory.
    auto model = db.Lookup(vendor, device);
    if (!model) continue;
    Gpu g;
    g.pci_address = addr;
    g.vendor_id = vendor;
    g.device_id = device;
    g.vendor = model->vendor;
    g.model = model->model;
    g.memory_size = model->memory_size;
    g.interface = model->interface;
    g.driver = LinkBasename(dir + "/driver");
    inv->gpus.push_back(std::move(g));
  }
}

void ReadNvidiaSmi(const std::string& command, Inventory* inv) {
  const bool has_nvidia = std::any_of(inv->gpus.begin(), inv->gpus.end(),
                                      [](const Gpu& g) { return g.vendor_id == "10de"; });
  if (command.empty() || !has_nvidia) return;
  const std::string cmd = "'" + command +
                          "' --query-gpu=pci.bus_id,memory.total,driver_version "
                          "--format=csv,noheader,nounits 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return;
  std::string out;
  char buf[512];
  while (fgets(buf, sizeof(buf), p)) out += buf;
  if (pclose(p) != 0) return;  // missing or failing nvidia-smi: inventory without VRAM
  for (const NvidiaSmiRow& row : ParseNvidiaSmiCsv(out)) {
    for (Gpu& g : inv->gpus) {
      if (g.pci_address == row.pci_address) {
        g.vram_mib = row.memory_mib;
        g.driver_version = row.driver_version;
      }
    }
  }
}

std::string OsPrettyName(const std::string& etc) {
  std::istringstream in(ReadFile(etc + "/os-release").value_or(""));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("PRETTY_NAME=", 0) == 0) {
      std::string v = line.substr(12);
      if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'')) v = v.substr(1, v.size() - 2);
      return v;
    }
  }
  return "";
}

}  // namespace

std::vector<NvidiaSmiRow> ParseNvidiaSmiCsv(std::string_view csv) {
  std::vector<NvidiaSmiRow> rows;
  std::istringstream in{std::string(csv)};
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::istringstream ls(line);
    std::string col;
    while (std::getline(ls, col, ',')) cols.push_back(Trim(col));
    if (cols.size() != 3) continue;
    auto mib = ParseU64(cols[1]);
    std::string addr = cols[0];
    for (char& c : addr) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // nvidia-smi prints an 8-digit PCI domain ("00000000:01:00.0"); sysfs uses 4 digits.
    if (addr.size() == 16 && addr.rfind("0000", 0) == 0) addr = addr.substr(4);
    if (!mib || addr.size() != 12 || addr[4] != ':' || cols[2].empty()) continue;
    rows.push_back({addr, *mib, cols[2]});
  }
  return rows;
}

StatusOr<Inventory> CollectInventory(const InventoryRoots& roots, const GpuDb& db) {
  if (!Exists(roots.procfs + "/cpuinfo")) {
    return Status::FailedPrecondition(
        "no_procfs",
        roots.procfs + "/cpuinfo is missing; is procfs mounted there? (--procfs-root)");
  }
  if (!Exists(roots.sysfs + "/class") && !Exists(roots.sysfs + "/block")) {
    return Status::FailedPrecondition(
        "no_sysfs", roots.sysfs + " does not look like sysfs; is it mounted there? (--sysfs-root)");
  }
  Inventory inv;
  inv.hostname = ReadTrimmed(roots.procfs + "/sys/kernel/hostname");
  inv.kernel_version = ReadTrimmed(roots.procfs + "/sys/kernel/osrelease");
  inv.arch = ReadTrimmed(roots.procfs + "/sys/kernel/arch");
  if (inv.arch.empty() && roots.procfs == "/proc") {
    utsname u{};
    if (uname(&u) == 0) inv.arch = u.machine;
  }
  if (inv.hostname.empty() && roots.procfs == "/proc") {
    char host[256] = {};
    if (gethostname(host, sizeof(host) - 1) == 0) inv.hostname = host;
  }
  inv.os = OsPrettyName(roots.etc);
  ReadCpu(roots.procfs, &inv);
  {
    std::istringstream in(ReadFile(roots.procfs + "/meminfo").value_or(""));
    std::string key;
    uint64_t kb = 0;
    while (in >> key >> kb) {
      if (key == "MemTotal:") {
        inv.memory_bytes = kb * 1024;
        break;
      }
      in.ignore(1 << 16, '\n');
    }
  }
  ReadDisks(roots.sysfs, &inv);
  ReadNics(roots.sysfs, &inv);
  ReadGpus(roots.sysfs, db, &inv);
  ReadNvidiaSmi(roots.nvidia_smi, &inv);
  return inv;
}

nlohmann::json InventoryToJson(const Inventory& inv) {
  nlohmann::json disks = nlohmann::json::array(), nics = nlohmann::json::array(),
                 gpus = nlohmann::json::array();
  for (const Disk& d : inv.disks) {
    disks.push_back({{"name", d.name},
                     {"model", d.model},
                     {"size_bytes", d.size_bytes},
                     {"rotational", d.rotational}});
  }
  for (const Nic& n : inv.nics) {
    nlohmann::json j = {{"name", n.name}, {"mac", n.mac}};
    if (n.speed_mbps) j["speed_mbps"] = *n.speed_mbps;
    nics.push_back(j);
  }
  for (const Gpu& g : inv.gpus) {
    nlohmann::json j = {
        {"pci_address", g.pci_address}, {"vendor_id", g.vendor_id}, {"device_id", g.device_id},
        {"vendor", g.vendor},           {"model", g.model},         {"memory_size", g.memory_size},
        {"interface", g.interface},     {"driver", g.driver}};
    if (g.vram_mib) j["vram_mib"] = *g.vram_mib;
    if (!g.driver_version.empty()) j["driver_version"] = g.driver_version;
    gpus.push_back(j);
  }
  return {{"hostname", inv.hostname},
          {"arch", inv.arch},
          {"kernel_version", inv.kernel_version},
          {"os", inv.os},
          {"cpu_model", inv.cpu_model},
          {"cpu_cores", inv.cpu_cores},
          {"cpu_threads", inv.cpu_threads},
          {"cpu_virtualization", inv.cpu_virtualization},
          {"memory_bytes", inv.memory_bytes},
          {"disks", disks},
          {"nics", nics},
          {"gpus", gpus}};
}

namespace {

Status Str(const nlohmann::json& j, const std::string& key, const std::string& path,
           std::string* out, bool required, size_t max = 256) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) return Status::InvalidArgument(path + "." + key, "is required");
    return Status::Ok();
  }
  if (!it->is_string()) return Status::InvalidArgument(path + "." + key, "must be a string");
  *out = it->get<std::string>();
  if (out->size() > max) {
    return Status::InvalidArgument(path + "." + key,
                                   "is longer than " + std::to_string(max) + " characters");
  }
  return Status::Ok();
}

template <typename T>
Status Num(const nlohmann::json& j, const std::string& key, const std::string& path, T* out,
           uint64_t max, bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) return Status::InvalidArgument(path + "." + key, "is required");
    return Status::Ok();
  }
  if (!it->is_number_unsigned() && !(it->is_number_integer() && it->get<int64_t>() >= 0)) {
    return Status::InvalidArgument(path + "." + key, "must be a non-negative integer");
  }
  const uint64_t v = it->get<uint64_t>();
  if (v > max) {
    return Status::InvalidArgument(path + "." + key,
                                   "is implausibly large (max " + std::to_string(max) + ")");
  }
  *out = static_cast<T>(v);
  return Status::Ok();
}

Status Bool(const nlohmann::json& j, const std::string& key, const std::string& path, bool* out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return Status::Ok();
  if (!it->is_boolean()) return Status::InvalidArgument(path + "." + key, "must be true or false");
  *out = it->get<bool>();
  return Status::Ok();
}

StatusOr<const nlohmann::json*> Array(const nlohmann::json& j, const std::string& key,
                                      const std::string& path, size_t max) {
  static const nlohmann::json kEmpty = nlohmann::json::array();
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return &kEmpty;
  if (!it->is_array()) return Status::InvalidArgument(path + "." + key, "must be an array");
  if (it->size() > max) {
    return Status::InvalidArgument(path + "." + key,
                                   "has more than " + std::to_string(max) + " entries");
  }
  for (size_t i = 0; i < it->size(); ++i) {
    if (!(*it)[i].is_object()) {
      return Status::InvalidArgument(path + "." + key + "[" + std::to_string(i) + "]",
                                     "must be an object");
    }
  }
  return &*it;
}

}  // namespace

StatusOr<Inventory> InventoryFromJson(const nlohmann::json& j) {
  const std::string p = "inventory";
  if (!j.is_object()) return Status::InvalidArgument(p, "must be a JSON object");
  Inventory inv;
  HEARTH_RETURN_IF_ERROR(Str(j, "hostname", p, &inv.hostname, false));
  HEARTH_RETURN_IF_ERROR(Str(j, "arch", p, &inv.arch, true, 32));
  HEARTH_RETURN_IF_ERROR(Str(j, "kernel_version", p, &inv.kernel_version, false));
  HEARTH_RETURN_IF_ERROR(Str(j, "os", p, &inv.os, false));
  HEARTH_RETURN_IF_ERROR(Str(j, "cpu_model", p, &inv.cpu_model, false));
  HEARTH_RETURN_IF_ERROR(Num(j, "cpu_cores", p, &inv.cpu_cores, 4096, true));
  HEARTH_RETURN_IF_ERROR(Num(j, "cpu_threads", p, &inv.cpu_threads, 8192, true));
  HEARTH_RETURN_IF_ERROR(Bool(j, "cpu_virtualization", p, &inv.cpu_virtualization));
  HEARTH_RETURN_IF_ERROR(Num(j, "memory_bytes", p, &inv.memory_bytes, uint64_t{1} << 46, true));
  if (inv.cpu_threads == 0)
    return Status::InvalidArgument(p + ".cpu_threads", "must be at least 1");
  if (inv.cpu_cores == 0) return Status::InvalidArgument(p + ".cpu_cores", "must be at least 1");
  if (inv.memory_bytes == 0) {
    return Status::InvalidArgument(p + ".memory_bytes", "must be more than 0");
  }
  HEARTH_ASSIGN_OR_RETURN(const nlohmann::json* disks, Array(j, "disks", p, 256));
  for (size_t i = 0; i < disks->size(); ++i) {
    const std::string q = p + ".disks[" + std::to_string(i) + "]";
    Disk d;
    HEARTH_RETURN_IF_ERROR(Str((*disks)[i], "name", q, &d.name, true));
    HEARTH_RETURN_IF_ERROR(Str((*disks)[i], "model", q, &d.model, false));
    HEARTH_RETURN_IF_ERROR(
        Num((*disks)[i], "size_bytes", q, &d.size_bytes, uint64_t{1} << 56, true));
    HEARTH_RETURN_IF_ERROR(Bool((*disks)[i], "rotational", q, &d.rotational));
    inv.disks.push_back(std::move(d));
  }
  HEARTH_ASSIGN_OR_RETURN(const nlohmann::json* nics, Array(j, "nics", p, 256));
  for (size_t i = 0; i < nics->size(); ++i) {
    const std::string q = p + ".nics[" + std::to_string(i) + "]";
    Nic n;
    HEARTH_RETURN_IF_ERROR(Str((*nics)[i], "name", q, &n.name, true));
    HEARTH_RETURN_IF_ERROR(Str((*nics)[i], "mac", q, &n.mac, false, 64));
    if ((*nics)[i].contains("speed_mbps") && !(*nics)[i]["speed_mbps"].is_null()) {
      uint32_t s = 0;
      HEARTH_RETURN_IF_ERROR(Num((*nics)[i], "speed_mbps", q, &s, 10'000'000, true));
      n.speed_mbps = s;
    }
    inv.nics.push_back(std::move(n));
  }
  HEARTH_ASSIGN_OR_RETURN(const nlohmann::json* gpus, Array(j, "gpus", p, 64));
  for (size_t i = 0; i < gpus->size(); ++i) {
    const std::string q = p + ".gpus[" + std::to_string(i) + "]";
    const auto& gj = (*gpus)[i];
    Gpu g;
    HEARTH_RETURN_IF_ERROR(Str(gj, "pci_address", q, &g.pci_address, false, 32));
    HEARTH_RETURN_IF_ERROR(Str(gj, "vendor_id", q, &g.vendor_id, true, 8));
    HEARTH_RETURN_IF_ERROR(Str(gj, "device_id", q, &g.device_id, true, 8));
    HEARTH_RETURN_IF_ERROR(Str(gj, "vendor", q, &g.vendor, true, 32));
    HEARTH_RETURN_IF_ERROR(Str(gj, "model", q, &g.model, false, 64));
    HEARTH_RETURN_IF_ERROR(Str(gj, "memory_size", q, &g.memory_size, false, 16));
    HEARTH_RETURN_IF_ERROR(Str(gj, "interface", q, &g.interface, false, 16));
    HEARTH_RETURN_IF_ERROR(Str(gj, "driver", q, &g.driver, false, 64));
    HEARTH_RETURN_IF_ERROR(Str(gj, "driver_version", q, &g.driver_version, false, 64));
    if (gj.contains("vram_mib") && !gj["vram_mib"].is_null()) {
      uint64_t v = 0;
      HEARTH_RETURN_IF_ERROR(Num(gj, "vram_mib", q, &v, uint64_t{1} << 24, true));
      g.vram_mib = v;
    }
    inv.gpus.push_back(std::move(g));
  }
  return inv;
}

}  // namespace hearth::agent
