#include "common/flags.h"

#include <cctype>
#include <cstdlib>
#include <set>

#include "common/duration.h"

namespace hearth {

FlagSet::FlagSet(std::string usage, std::string description)
    : usage_(std::move(usage)), description_(std::move(description)) {}

void FlagSet::String(std::string name, std::string* target, std::string help) {
  flags_.push_back({std::move(name), Kind::kString, target, std::move(help), *target});
}
void FlagSet::Int(std::string name, int64_t* target, std::string help, int64_t min, int64_t max) {
  flags_.push_back(
      {std::move(name), Kind::kInt, target, std::move(help), std::to_string(*target), min, max});
}
void FlagSet::Bool(std::string name, bool* target, std::string help) {
  flags_.push_back(
      {std::move(name), Kind::kBool, target, std::move(help), *target ? "true" : "false"});
}
void FlagSet::Dur(std::string name, Duration* target, std::string help) {
  flags_.push_back(
      {std::move(name), Kind::kDuration, target, std::move(help), FormatDuration(*target)});
}

void FlagSet::Strings(std::string name, std::vector<std::string>* target, std::string help) {
  std::string def;
  for (const auto& v : *target) def += (def.empty() ? "" : ",") + v;
  flags_.push_back({std::move(name), Kind::kStrings, target, std::move(help), def});
}

std::string FlagSet::EnvName(const std::string& flag) {
  std::string out = "HEARTH_";
  for (char c : flag) out += c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return out;
}

const FlagSet::Flag* FlagSet::Find(const std::string& name) const {
  for (const Flag& f : flags_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Status FlagSet::Set(const Flag& f, const std::string& value, const std::string& source) {
  const std::string& field = source;
  switch (f.kind) {
    case Kind::kString:
      *static_cast<std::string*>(f.target) = value;
      return Status::Ok();
    case Kind::kBool:
      if (value == "true" || value == "1" || value == "yes") {
        *static_cast<bool*>(f.target) = true;
      } else if (value == "false" || value == "0" || value == "no") {
        *static_cast<bool*>(f.target) = false;
      } else {
        return Status::InvalidArgument(field,
                                       "'" + value + "' is not a boolean; use true or false");
      }
      return Status::Ok();
    case Kind::kInt: {
      char* end = nullptr;
      errno = 0;
      const long long v = std::strtoll(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || errno != 0 || v < f.min || v > f.max) {
        return Status::InvalidArgument(field, "'" + value + "' is not an integer between " +
                                                  std::to_string(f.min) + " and " +
                                                  std::to_string(f.max));
      }
      *static_cast<int64_t*>(f.target) = v;
      return Status::Ok();
    }
    case Kind::kDuration: {
      HEARTH_ASSIGN_OR_RETURN(Duration d, ParseDuration(value, field));
      *static_cast<Duration*>(f.target) = d;
      return Status::Ok();
    }
    case Kind::kStrings: {
      auto* list = static_cast<std::vector<std::string>*>(f.target);
      if (source.rfind("--", 0) == 0) {
        list->push_back(value);
        return Status::Ok();
      }
      size_t start = 0;  // the environment: comma-separated
      while (start <= value.size()) {
        size_t comma = value.find(',', start);
        if (comma == std::string::npos) comma = value.size();
        if (comma > start) list->push_back(value.substr(start, comma - start));
        start = comma + 1;
      }
      return Status::Ok();
    }
  }
  return Status::Internal("unknown flag kind");
}

StatusOr<std::vector<std::string>> FlagSet::Parse(const std::vector<std::string>& args,
                                                  const Getenv& getenv) {
  std::vector<std::string> positional;
  std::set<std::string> seen;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      positional.insert(positional.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (a == "-h" || a == "--help") {
      help_requested_ = true;
      continue;
    }
    if (a.size() < 3 || a.rfind("--", 0) != 0) {
      if (!a.empty() && a[0] == '-' && a != "-") {
        return Status::InvalidArgument(a, "unknown flag; flags are written --name (see --help)");
      }
      positional.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::string value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    const Flag* f = Find(name);
    if (f == nullptr) {
      return Status::InvalidArgument("--" + name, "unknown flag; run with --help to list flags");
    }
    if (!has_value) {
      if (f->kind == Kind::kBool) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return Status::InvalidArgument("--" + name, "needs a value, e.g. --" + name + " VALUE");
      }
    }
    HEARTH_RETURN_IF_ERROR(Set(*f, value, "--" + name));
    seen.insert(name);
  }
  for (const Flag& f : flags_) {
    if (seen.count(f.name)) continue;
    const std::string env = EnvName(f.name);
    const char* v = getenv ? getenv(env.c_str()) : std::getenv(env.c_str());
    if (v != nullptr) HEARTH_RETURN_IF_ERROR(Set(f, v, env));
  }
  return positional;
}

std::string FlagSet::Help() const {
  std::string out = "Usage: " + usage_ + "\n\n" + description_ + "\n";
  if (!flags_.empty()) out += "\nFlags (each also read from the environment variable shown):\n";
  for (const Flag& f : flags_) {
    std::string head = "  --" + f.name;
    if (f.kind == Kind::kDuration)
      head += " DURATION";
    else if (f.kind == Kind::kInt)
      head += " N";
    else if (f.kind == Kind::kString)
      head += " VALUE";
    else if (f.kind == Kind::kStrings)
      head += " VALUE (repeatable)";
    out += head + "\n      " + f.help + "\n      env " + EnvName(f.name);
    if (!f.default_text.empty()) out += ", default " + f.default_text;
    out += "\n";
  }
  out += "  -h, --help\n      Show this help.\n";
  if (!epilog_.empty()) out += "\n" + epilog_ + "\n";
  return out;
}

}  // namespace hearth
