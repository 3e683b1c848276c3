#include "coordinator/akash/yaml.h"

namespace hearth::akash {

namespace {

// Byte offset of the first invalid UTF-8 sequence, or npos.
size_t InvalidUtf8At(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    if (c < 0x80) {
      n = 1;
    } else if ((c & 0xE0) == 0xC0 && c >= 0xC2) {
      n = 2;
    } else if ((c & 0xF0) == 0xE0) {
      n = 3;
    } else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
      n = 4;
    } else {
      return i;
    }
    if (i + n > s.size()) return i;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i;
    }
    // Overlong 3-byte forms and surrogates.
    if (n == 3) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) return i;
    }
    if (n == 4) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90)) return i;
    }
    i += n;
  }
  return std::string::npos;
}

}  // namespace

StatusOr<YAML::Node> LoadYaml(const std::string& text, const std::string& what) {
  // Everything read from the document ends up in JSON, which must be UTF-8.
  if (const size_t bad = InvalidUtf8At(text); bad != std::string::npos) {
    size_t line = 1;
    for (size_t i = 0; i < bad; ++i) line += text[i] == '\n' ? 1 : 0;
    return Status::InvalidArgument(
        what, "is not UTF-8 text (invalid byte at line " + std::to_string(line) + ")");
  }
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(what, "is not valid YAML at line " +
                                             std::to_string(e.mark.line + 1) + ", column " +
                                             std::to_string(e.mark.column + 1) + ": " + e.msg);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(what, std::string("could not be read: ") + e.what());
  }
}

std::string LineOf(const YAML::Node& n) {
  try {
    if (!n.IsDefined() || n.Mark().is_null()) return "";
    return " (line " + std::to_string(n.Mark().line + 1) + ")";
  } catch (const std::exception&) {
    return "";
  }
}

std::optional<std::string> ScalarOf(const YAML::Node& n) {
  try {
    if (!n.IsDefined() || !n.IsScalar()) return std::nullopt;
    return n.Scalar();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

YAML::Node Child(const YAML::Node& map, const std::string& key) {
  try {
    if (!map.IsDefined() || !map.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    for (const auto& kv : map) {
      if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.second;
    }
  } catch (const std::exception&) {
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

}  // namespace hearth::akash
