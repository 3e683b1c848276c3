#include "api/json_reader.h"

namespace hearth::api {

StatusOr<nlohmann::json> ParseObject(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return Status(Code::kInvalidArgument,
                  "the request body is not valid JSON; send a JSON object with "
                  "Content-Type: application/json",
                  "malformed_json");
  }
  if (!j.is_object()) {
    return Status(Code::kInvalidArgument, "the request body must be a JSON object ({...})",
                  "malformed_json");
  }
  return j;
}

StatusOr<std::optional<std::string>> JsonReader::OptString(const std::string& key,
                                                           size_t max_len) const {
  auto it = obj_.find(key);
  if (it == obj_.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return Status::InvalidArgument(Field(key), "must be a string");
  std::string v = it->get<std::string>();
  if (v.size() > max_len) {
    return Status::InvalidArgument(Field(key),
                                   "is longer than " + std::to_string(max_len) + " characters");
  }
  return std::optional<std::string>(std::move(v));
}

StatusOr<std::string> JsonReader::String(const std::string& key, size_t max_len) const {
  HEARTH_ASSIGN_OR_RETURN(std::optional<std::string> v, OptString(key, max_len));
  if (!v) return Status::InvalidArgument(Field(key), "is required");
  return *v;
}

StatusOr<std::optional<int64_t>> JsonReader::OptInt(const std::string& key, int64_t min,
                                                    int64_t max) const {
  auto it = obj_.find(key);
  if (it == obj_.end() || it->is_null()) return std::optional<int64_t>();
  const std::string range = " between " + std::to_string(min) + " and " + std::to_string(max);
  if (!it->is_number_integer()) {
    return Status::InvalidArgument(Field(key), "must be an integer" + range);
  }
  if (it->is_number_unsigned()) {
    const uint64_t u = it->get<uint64_t>();
    if (u > static_cast<uint64_t>(max)) {
      return Status::InvalidArgument(Field(key), "must be an integer" + range);
    }
    return std::optional<int64_t>(static_cast<int64_t>(u));
  }
  const int64_t v = it->get<int64_t>();
  if (v < min || v > max) return Status::InvalidArgument(Field(key), "must be an integer" + range);
  return std::optional<int64_t>(v);
}

StatusOr<int64_t> JsonReader::Int(const std::string& key, int64_t min, int64_t max) const {
  HEARTH_ASSIGN_OR_RETURN(std::optional<int64_t> v, OptInt(key, min, max));
  if (!v) return Status::InvalidArgument(Field(key), "is required");
  return *v;
}

StatusOr<std::optional<double>> JsonReader::OptNumber(const std::string& key, double min,
                                                      double max) const {
  auto it = obj_.find(key);
  if (it == obj_.end() || it->is_null()) return std::optional<double>();
  if (!it->is_number() || it->get<double>() < min || it->get<double>() > max) {
    return Status::InvalidArgument(Field(key), "must be a number between " + std::to_string(min) +
                                                   " and " + std::to_string(max));
  }
  return std::optional<double>(it->get<double>());
}

StatusOr<nlohmann::json> JsonReader::Object(const std::string& key) const {
  auto it = obj_.find(key);
  if (it == obj_.end() || it->is_null()) {
    return Status::InvalidArgument(Field(key), "is required (a JSON object)");
  }
  if (!it->is_object()) return Status::InvalidArgument(Field(key), "must be a JSON object");
  return *it;
}

}  // namespace hearth::api
