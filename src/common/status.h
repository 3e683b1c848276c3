// Status and StatusOr<T>: Hearth's one error model.
//
// Every fallible function returns a Status or a StatusOr<T>; no exception crosses a module
// boundary. A Status carries a canonical Code (mapped to an HTTP status in exactly one place,
// http/error_mapping.h), a machine-readable `reason` (e.g. "install_key_expired"), a
// human-readable message that says what to do, and optionally the input field at fault.
// Values are immutable after construction and safe to share between threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace hearth {

enum class Code {
  kOk,
  kInvalidArgument,     // the caller sent something wrong; fix the input
  kNotFound,            // no such thing (or not visible to the caller)
  kAlreadyExists,       // unique thing exists already
  kUnauthenticated,     // missing or bad credentials
  kPermissionDenied,    // authenticated but not allowed
  kFailedPrecondition,  // valid request, wrong state (e.g. key already used)
  kResourceExhausted,   // too large or too many
  kUnavailable,         // transient: retry later
  kDeadlineExceeded,    // timed out
  kInternal,            // a bug or a broken environment
};

std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message, std::string reason = {}, std::string field = {})
      : code_(code),
        message_(std::move(message)),
        reason_(std::move(reason)),
        field_(std::move(field)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string field, std::string message) {
    return {Code::kInvalidArgument, std::move(message), "invalid_argument", std::move(field)};
  }
  static Status NotFound(std::string message) {
    return {Code::kNotFound, std::move(message), "not_found"};
  }
  static Status AlreadyExists(std::string field, std::string message) {
    return {Code::kAlreadyExists, std::move(message), "already_exists", std::move(field)};
  }
  static Status Unauthenticated(std::string message, std::string reason = "unauthenticated") {
    return {Code::kUnauthenticated, std::move(message), std::move(reason)};
  }
  static Status PermissionDenied(std::string message) {
    return {Code::kPermissionDenied, std::move(message), "permission_denied"};
  }
  static Status FailedPrecondition(std::string reason, std::string message,
                                   std::string field = {}) {
    return {Code::kFailedPrecondition, std::move(message), std::move(reason), std::move(field)};
  }
  static Status Unavailable(std::string message) {
    return {Code::kUnavailable, std::move(message), "unavailable"};
  }
  static Status Internal(std::string message) {
    return {Code::kInternal, std::move(message), "internal"};
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // Machine-readable reason; defaults to the canonical code's name.
  std::string reason() const { return reason_.empty() ? std::string(CodeName(code_)) : reason_; }
  const std::string& field() const { return field_; }

  // "invalid_argument: email: must contain '@'" — for logs and CLI output.
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context: `.
  Status WithContext(std::string_view context) const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::string reason_;
  std::string field_;
};

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  StatusOr(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(v_).ok()) v_ = Status::Internal("StatusOr constructed from OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace hearth

// Early return on error.
#define HEARTH_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::hearth::Status hearth_status_ = (expr);        \
    if (!hearth_status_.ok()) return hearth_status_; \
  } while (0)

#define HEARTH_CONCAT_INNER(a, b) a##b
#define HEARTH_CONCAT(a, b) HEARTH_CONCAT_INNER(a, b)
#define HEARTH_ASSIGN_OR_RETURN(lhs, expr) \
  HEARTH_ASSIGN_OR_RETURN_IMPL(HEARTH_CONCAT(hearth_statusor_, __LINE__), lhs, expr)
// NOLINTBEGIN(bugprone-macro-parentheses): `lhs` is a declaration, it cannot be parenthesized.
#define HEARTH_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
