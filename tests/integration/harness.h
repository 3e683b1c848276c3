// Test harness for integration tests: runs the real `hearth` binary (coordinator, join, agent)
// as child processes on loopback, each test in its own temporary directory. Only processes it
// started are signalled; everything is stopped in the destructor.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "http/client.h"

namespace hearth::testing {

std::string SourceDir();
std::string Binary();
std::string FixtureRoot(const std::string& host);

// A fresh directory under $TMPDIR, removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout + stderr
};
// Runs `hearth ARGS...` to completion (timeout → exit_code -1 after SIGKILL).
CommandResult RunHearth(const std::vector<std::string>& args, Duration timeout,
                        const std::string& output_file);

class CoordinatorProcess {
 public:
  // Starts `hearth serve` on 127.0.0.1 (port 0 unless `port` given) with `extra` flags.
  CoordinatorProcess(std::string data_dir, std::vector<std::string> extra, int port = 0);
  ~CoordinatorProcess();
  bool Start();
  void KillHard();  // SIGKILL, as a crash
  int Stop();       // SIGTERM; returns exit code
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string log() const;

 private:
  std::string data_, log_file_;
  std::vector<std::string> extra_;
  int port_;
  pid_t pid_ = -1;
};

// A signed-in API user.
class ApiUser {
 public:
  ApiUser(const std::string& url, const std::string& email, const std::string& password);
  bool SignUpAndIn();
  std::unique_ptr<http::Client>& client() { return client_; }
  // POST /v1/install-keys; returns the key text.
  std::string CreateKey(int ttl_seconds = 0);
  nlohmann::json Devices();
  int GetDeviceStatus(const std::string& id);       // HTTP status of GET /v1/devices/{id}
  std::string DeviceStatus(const std::string& id);  // "online"/"stale"/"offline" or ""
  int RemoveDevice(const std::string& id);
  nlohmann::json Device(const std::string& id);  // GET /v1/devices/{id}; null unless 200

 private:
  std::string email_, password_;
  std::unique_ptr<http::Client> client_;
};

class AgentProcess {
 public:
  // `hearth agent --network off` with `extra` flags.
  AgentProcess(std::string state_dir, std::string log_file, std::vector<std::string> extra = {});
  ~AgentProcess();
  bool Start();
  void KillHard();
  std::optional<int> WaitExit(Duration timeout);
  std::string log() const;

 private:
  std::string state_, log_file_;
  std::vector<std::string> extra_;
  pid_t pid_ = -1;
};

// `hearth join` with a fixture host's trees; returns the result (device id is the last line).
CommandResult JoinWithFixture(const std::string& url, const std::string& state_dir,
                              const std::string& host, const std::string& key,
                              const std::string& log_file);
// The same from a host tree anywhere (e.g. a copy of a fixture host the test then changes).
CommandResult JoinWithRoot(const std::string& url, const std::string& state_dir,
                           const std::string& root, const std::string& key,
                           const std::string& log_file);
// Copies a fixture host's tree (or a path inside it) to `to`, symlinks as they are.
void CopyFixture(const std::string& from, const std::string& to);
std::string LastLine(const std::string& text);

// Polls `pred` every 20 ms until true or `timeout`; returns whether it became true.
bool Eventually(const std::function<bool()>& pred, Duration timeout);

}  // namespace hearth::testing
