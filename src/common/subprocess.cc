#include "common/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

extern char** environ;

namespace hearth {

StatusOr<pid_t> Spawn(const SpawnOptions& o) {
  if (o.argv.empty()) return Status::InvalidArgument("argv", "is empty");
  std::vector<char*> argv;
  for (const auto& a : o.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env_storage;
  for (char** e = environ; *e; ++e) env_storage.emplace_back(*e);
  for (const auto& e : o.env) env_storage.push_back(e);
  std::vector<char*> envp;
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);
  int out_fd = -1;
  if (!o.output_file.empty()) {
    out_fd = open(o.output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (out_fd < 0) {
      return Status::Internal("cannot open " + o.output_file + ": " + std::strerror(errno));
    }
  }
  const pid_t pid = fork();
  if (pid < 0) {
    if (out_fd >= 0) close(out_fd);
    return Status::Internal(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    // Child: default signal dispositions and mask, then exec.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (out_fd >= 0) {
      dup2(out_fd, STDOUT_FILENO);
      dup2(out_fd, STDERR_FILENO);
    }
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  if (out_fd >= 0) close(out_fd);
  return pid;
}

namespace {
int Decode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1;
}
}  // namespace

std::optional<int> WaitFor(pid_t pid, Duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return Decode(status);
    if (r < 0) return -1;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

int Terminate(pid_t pid, Duration grace) {
  if (kill(pid, SIGTERM) != 0 && errno == ESRCH) {
    auto r = WaitFor(pid, Duration(0));
    return r.value_or(-1);
  }
  if (auto r = WaitFor(pid, grace)) return *r;
  kill(pid, SIGKILL);
  return WaitFor(pid, std::chrono::seconds(10)).value_or(-SIGKILL);
}

void Kill(pid_t pid) {
  kill(pid, SIGKILL);
  (void)WaitFor(pid, std::chrono::seconds(10));
}

StatusOr<RunResult> Run(const std::vector<std::string>& argv, Duration timeout) {
  if (argv.empty()) return Status::InvalidArgument("argv", "is empty");
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return Status::Internal(std::string("pipe: ") + std::strerror(errno));
  }
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return Status::Internal(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  RunResult r;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  char buf[4096];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int n = poll(&p, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;  // the deadline check above ends the loop
    const ssize_t got = read(fds[0], buf, sizeof(buf));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    if (r.output.size() < (size_t{4} << 20)) r.output.append(buf, static_cast<size_t>(got));
  }
  close(fds[0]);
  if (timed_out) {
    Kill(pid);
    return Status(Code::kDeadlineExceeded,
                  argv[0] + " did not finish within " + std::to_string(timeout.count()) + " ms",
                  "deadline_exceeded");
  }
  r.exit_code = WaitFor(pid, std::chrono::seconds(10)).value_or(-1);
  if (r.exit_code == 127 && r.output.empty()) {
    return Status::FailedPrecondition("command_not_found",
                                      "cannot run " + argv[0] + "; is it installed and in PATH?");
  }
  return r;
}

std::string SelfExe() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return "hearth";
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace hearth
