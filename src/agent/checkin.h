// Check-in before enrollment (DESIGN §4): asks the coordinator for candidate regions
// (POST /v1/checkin) and measures the RTT to each candidate's gateway endpoints, so that the
// enrollment carries evidence for placement.
//
// The probe is a TCP connect: the time until the connection is accepted or refused is one round
// trip, whatever listens there (nothing needs to answer on the port). A few samples per gateway;
// the coordinator takes the median. Probes are bounded by a timeout; an unreachable gateway
// simply has no samples. Thread-compatible (no shared state).
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "http/client.h"

namespace hearth::agent {

// One TCP-connect round trip to "host:port" in milliseconds, or nullopt when it timed out or
// the address could not be resolved.
std::optional<double> ProbeRtt(const std::string& endpoint, std::chrono::milliseconds timeout);

// Checks in with `gpus` as the coarse inventory and returns the placement evidence for
// POST /v1/enroll ({"country"?, "rtt": [...]}). A coordinator without check-in (404) or any
// failure leaves RTT out: placement then uses the other evidence.
nlohmann::json CheckIn(http::Client& client, const std::string& country, int gpus,
                       int samples_per_gateway, std::ostream& out);

// Prints the enrollment response's placement: the region, or that the device is waitlisted, in
// which coarse cell, and that it will be placed without further action.
void PrintPlacement(const nlohmann::json& enroll_response, std::ostream& out);

}  // namespace hearth::agent
