// The unsigned Cosmos SDK transaction for a payout batch: one /cosmos.bank.v1beta1.MsgMultiSend
// from the provider wallet to every owner's address, in the JSON shape the Akash CLI prints with
// `--generate-only`. The admin signs and broadcasts it outside Hearth
// (`akash tx sign batch.json --from provider` then `akash tx broadcast signed.json`).
// Pure; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/amount.h"
#include "common/status.h"
#include "store/store.h"

namespace hearth::rewards {

struct PayoutConfig {
  std::string from_address;  // the provider wallet (akash1...); required to export
  std::string denom = "uakt";
  Amount fee = Amount::Micro(20'000);  // paid by the provider wallet, not by owners
  int64_t gas_base = 100'000;          // gas limit = base + per_output × outputs
  int64_t gas_per_output = 25'000;
};

// Outputs are summed per address and sorted by address; the single input equals their sum.
StatusOr<nlohmann::json> BuildMultiSendTx(const PayoutConfig& config,
                                          const std::vector<store::Withdrawal>& withdrawals,
                                          const std::string& memo);

}  // namespace hearth::rewards
