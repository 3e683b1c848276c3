// Human durations on the command line and in config: "500ms", "1s", "30s", "5m", "1h30m", "24h".
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace hearth {

// Parses a non-negative duration; `field` names the flag or key in the error.
StatusOr<Duration> ParseDuration(std::string_view text, std::string_view field);
// Shortest exact form, e.g. 90000ms → "1m30s".
std::string FormatDuration(Duration d);

}  // namespace hearth
