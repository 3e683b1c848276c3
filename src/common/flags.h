// FlagSet: command-line flags with environment fallback and generated --help.
//
// Precedence: a flag on the command line, then the environment variable (HEARTH_<NAME>, with
// '-' as '_', e.g. --offline-after → HEARTH_OFFLINE_AFTER), then the default. Every flag has
// help text; Help() renders usage, description, and each flag with its variable and default.
// Not thread-safe; use during start-up.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace hearth {

class FlagSet {
 public:
  using Getenv = std::function<const char*(const char*)>;

  FlagSet(std::string usage, std::string description);

  void String(std::string name, std::string* target, std::string help);
  void Int(std::string name, int64_t* target, std::string help, int64_t min, int64_t max);
  void Bool(std::string name, bool* target, std::string help);
  void Dur(std::string name, Duration* target, std::string help);
  // Repeatable: every --name VALUE appends; the environment variable holds comma-separated
  // values and is read only when the flag is not given.
  void Strings(std::string name, std::vector<std::string>* target, std::string help);
  // Extra text printed after the flags (examples).
  void Epilog(std::string text) { epilog_ = std::move(text); }

  // Parses args (without the program and subcommand names); returns the positional arguments.
  // Targets keep their current values as defaults. On error nothing useful is left in targets.
  StatusOr<std::vector<std::string>> Parse(const std::vector<std::string>& args,
                                           const Getenv& getenv = nullptr);
  bool help_requested() const { return help_requested_; }
  std::string Help() const;

  static std::string EnvName(const std::string& flag);

 private:
  enum class Kind { kString, kInt, kBool, kDuration, kStrings };
  struct Flag {
    std::string name;
    Kind kind;
    void* target;
    std::string help;
    std::string default_text;
    int64_t min = 0, max = 0;
  };
  Status Set(const Flag& f, const std::string& value, const std::string& source);
  const Flag* Find(const std::string& name) const;

  std::string usage_, description_, epilog_;
  std::vector<Flag> flags_;
  bool help_requested_ = false;
};

}  // namespace hearth
