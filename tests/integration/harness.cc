#include "harness.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "common/subprocess.h"

namespace hearth::testing {

std::string SourceDir() {
  if (const char* s = std::getenv("HEARTH_SOURCE_DIR")) return s;
  return HEARTH_SOURCE_DIR;
}
std::string Binary() {
  if (const char* s = std::getenv("HEARTH_BINARY")) return s;
  return HEARTH_BINARY;
}
std::string FixtureRoot(const std::string& host) {
  return SourceDir() + "/tests/fixtures/hosts/" + host;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "hearth-it-XXXXXX").string();
  path_ = mkdtemp(tmpl.data());
}
TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

static std::string ReadAll(const std::string& file) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

CommandResult RunHearth(const std::vector<std::string>& args, Duration timeout,
                        const std::string& output_file) {
  std::vector<std::string> argv = {Binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::filesystem::remove(output_file);
  CommandResult r;
  auto pid = Spawn({argv, {}, output_file});
  if (!pid.ok()) return r;
  auto rc = WaitFor(*pid, timeout);
  if (!rc) {
    Kill(*pid);
    r.exit_code = -1;
  } else {
    r.exit_code = *rc;
  }
  r.output = ReadAll(output_file);
  return r;
}

CoordinatorProcess::CoordinatorProcess(std::string data_dir, std::vector<std::string> extra,
                                       int port)
    : data_(std::move(data_dir)),
      log_file_(data_ + ".log"),
      extra_(std::move(extra)),
      port_(port) {}

CoordinatorProcess::~CoordinatorProcess() {
  if (pid_ > 0) Kill(pid_);
}

bool CoordinatorProcess::Start() {
  std::vector<std::string> argv = {
      Binary(), "serve", "--listen", "127.0.0.1:" + std::to_string(port_), "--data", data_};
  argv.insert(argv.end(), extra_.begin(), extra_.end());
  const size_t log_offset = ReadAll(log_file_).size();
  auto pid = Spawn({argv, {}, log_file_});
  if (!pid.ok()) return false;
  pid_ = *pid;
  // The coordinator logs its bound address; with port 0 that is how we learn the port.
  const std::regex re("coordinator listening address=127\\.0\\.0\\.1:([0-9]+)");
  return Eventually(
      [&] {
        const std::string log = ReadAll(log_file_).substr(log_offset);
        std::smatch m;
        if (std::regex_search(log, m, re)) {
          port_ = std::stoi(m[1]);
          return true;
        }
        return false;
      },
      std::chrono::seconds(20));
}

void CoordinatorProcess::KillHard() {
  if (pid_ > 0) Kill(pid_);
  pid_ = -1;
}

int CoordinatorProcess::Stop() {
  const int rc = pid_ > 0 ? Terminate(pid_, std::chrono::seconds(15)) : -1;
  pid_ = -1;
  return rc;
}

std::string CoordinatorProcess::log() const { return ReadAll(log_file_); }

ApiUser::ApiUser(const std::string& url, const std::string& email, const std::string& password)
    : email_(email), password_(password) {
  client_ = std::move(http::Client::Create(url).value());
}

bool ApiUser::SignUpAndIn() {
  const nlohmann::json creds = {{"email", email_}, {"password", password_}};
  auto r = client_->PostJson("/v1/accounts", creds);
  if (!r.ok() || (r->status != 201 && r->status != 409)) return false;
  auto s = client_->PostJson("/v1/sessions", creds);
  if (!s.ok() || s->status != 201) return false;
  client_->SetBearer(s->Json()["token"].get<std::string>());
  return true;
}

std::string ApiUser::CreateKey(int ttl_seconds) {
  nlohmann::json body = nlohmann::json::object();
  if (ttl_seconds > 0) body["ttl_seconds"] = ttl_seconds;
  auto r = client_->PostJson("/v1/install-keys", body);
  if (!r.ok() || r->status != 201) return "";
  return r->Json()["key"].get<std::string>();
}

nlohmann::json ApiUser::Devices() {
  auto r = client_->Get("/v1/devices");
  if (!r.ok() || r->status != 200) return nullptr;
  return r->Json()["devices"];
}

int ApiUser::GetDeviceStatus(const std::string& id) {
  auto r = client_->Get("/v1/devices/" + id);
  return r.ok() ? r->status : -1;
}

std::string ApiUser::DeviceStatus(const std::string& id) {
  auto r = client_->Get("/v1/devices/" + id);
  if (!r.ok() || r->status != 200) return "";
  return r->Json()["status"].get<std::string>();
}

nlohmann::json ApiUser::Device(const std::string& id) {
  auto r = client_->Get("/v1/devices/" + id);
  if (!r.ok() || r->status != 200) return nullptr;
  return r->Json();
}

int ApiUser::RemoveDevice(const std::string& id) {
  auto r = client_->Delete("/v1/devices/" + id);
  return r.ok() ? r->status : -1;
}

AgentProcess::AgentProcess(std::string state_dir, std::string log_file,
                           std::vector<std::string> extra)
    : state_(std::move(state_dir)), log_file_(std::move(log_file)), extra_(std::move(extra)) {}

AgentProcess::~AgentProcess() {
  if (pid_ > 0) Kill(pid_);
}

bool AgentProcess::Start() {
  // --network off: the integration tests run unprivileged; tests/netlab covers the overlay.
  std::vector<std::string> argv = {Binary(), "agent", "--state-dir", state_, "--network", "off"};
  argv.insert(argv.end(), extra_.begin(), extra_.end());
  auto pid = Spawn({argv, {}, log_file_});
  if (!pid.ok()) return false;
  pid_ = *pid;
  return true;
}

void AgentProcess::KillHard() {
  if (pid_ > 0) Kill(pid_);
  pid_ = -1;
}

std::optional<int> AgentProcess::WaitExit(Duration timeout) {
  if (pid_ <= 0) return std::nullopt;
  auto rc = WaitFor(pid_, timeout);
  if (rc) pid_ = -1;
  return rc;
}

std::string AgentProcess::log() const { return ReadAll(log_file_); }

CommandResult JoinWithFixture(const std::string& url, const std::string& state_dir,
                              const std::string& host, const std::string& key,
                              const std::string& log_file) {
  return JoinWithRoot(url, state_dir, FixtureRoot(host), key, log_file);
}

void CopyFixture(const std::string& from, const std::string& to) {
  std::filesystem::copy(
      from, to,
      std::filesystem::copy_options::recursive | std::filesystem::copy_options::copy_symlinks);
}

CommandResult JoinWithRoot(const std::string& url, const std::string& state_dir,
                           const std::string& root, const std::string& key,
                           const std::string& log_file) {
  const std::string smi = root + "/bin/nvidia-smi";
  return RunHearth(
      {"join", "--coordinator", url, "--state-dir", state_dir, "--sysfs-root", root + "/sys",
       "--procfs-root", root + "/proc", "--etc-root", root + "/etc", "--dev-root", root + "/dev",
       "--nvidia-smi", access(smi.c_str(), X_OK) == 0 ? smi : "", key},
      std::chrono::seconds(30), log_file);
}

std::string LastLine(const std::string& text) {
  std::string t = text;
  while (!t.empty() && t.back() == '\n') t.pop_back();
  const size_t nl = t.rfind('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

bool Eventually(const std::function<bool()>& pred, Duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace hearth::testing
