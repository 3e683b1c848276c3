// The `hearth` subcommands, one file each. Each takes its arguments (after the subcommand
// name) and returns the process exit code.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/k3s/k3s.h"
#include "common/flags.h"

namespace hearth::cli {

using Args = std::vector<std::string>;

int RunServe(const Args& args);
int RunJoin(const Args& args);
int RunAgentCommand(const Args& args);
int RunStatus(const Args& args);
int RunLeave(const Args& args);
int RunDemo(const Args& args);
int RunRewards(const Args& args);
int RunEarnings(const Args& args);
int RunBidScriptCommand(const Args& args);
int RunSdl(const Args& args);
int RunAdmin(const Args& args);
int RunAdminRegion(const Args& args);
int RunAdminDevice(const Args& args);
int RunRegion(const Args& args);
// The proposals of GET /v1/regions/proposals, one per line with their volunteers.
void PrintProposals(const nlohmann::json& body);
int RunK3s(const Args& args);

// --k3s-root, --k3s-binary, --cni-bin-dir (shared by `hearth agent`, `hearth k3s render` and
// `hearth leave`).
void AddK3sFlags(FlagSet& flags, agent::k3s::K3sOptions* options);

// Blocks SIGINT and SIGTERM in the calling thread and threads it creates later, so they can
// be received synchronously with WaitForSignal.
void BlockTerminationSignals();
// Waits up to `timeout` for SIGINT/SIGTERM; returns true when one arrived.
bool WaitForSignal(std::chrono::milliseconds timeout);

}  // namespace hearth::cli
