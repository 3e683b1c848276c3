// Subprocess: start and stop child processes by PID (the demo and the integration tests run
// real `hearth` processes). Only processes started here are ever signalled.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace hearth {

struct SpawnOptions {
  std::vector<std::string> argv;
  std::vector<std::string> env;  // extra "NAME=value" entries on top of the current environment
  std::string output_file;       // stdout+stderr appended here; empty = inherit
};

StatusOr<pid_t> Spawn(const SpawnOptions& options);
// SIGTERM, then SIGKILL after `grace`; reaps the child. Returns its exit status (or -signal).
int Terminate(pid_t pid, Duration grace);
// SIGKILL and reap.
void Kill(pid_t pid);
// Waits up to `timeout`; returns the exit code, -signal, or nullopt when still running.
std::optional<int> WaitFor(pid_t pid, Duration timeout);
// The outcome of Run: the exit code (or -signal) and stdout+stderr interleaved.
struct RunResult {
  int exit_code = -1;
  std::string output;
};
// Runs `argv` to completion (argv[0] is looked up in PATH when it has no '/'), stdin from
// /dev/null, capturing stdout and stderr (up to 4 MiB). Kills the child after `timeout`
// (kDeadlineExceeded). A non-zero exit is a result, not an error; failing to start is.
StatusOr<RunResult> Run(const std::vector<std::string>& argv,
                        Duration timeout = std::chrono::seconds(10));
// Absolute path of the running executable.
std::string SelfExe();

}  // namespace hearth
