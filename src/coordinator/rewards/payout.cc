#include "coordinator/rewards/payout.h"

#include <map>

#include "common/bech32.h"

namespace hearth::rewards {

StatusOr<nlohmann::json> BuildMultiSendTx(const PayoutConfig& config,
                                          const std::vector<store::Withdrawal>& withdrawals,
                                          const std::string& memo) {
  if (config.from_address.empty()) {
    return Status::FailedPrecondition(
        "payout_wallet_unset",
        "set the provider wallet address with `hearth serve --payout-from akash1...` to export "
        "payout batches",
        "payout_from");
  }
  HEARTH_RETURN_IF_ERROR(AkashAddress::Parse(config.from_address, "payout_from").status());
  std::map<std::string, int64_t> outputs;
  int64_t total = 0;
  for (const store::Withdrawal& w : withdrawals) {
    HEARTH_ASSIGN_OR_RETURN(AkashAddress to, AkashAddress::Parse(w.address, "address"));
    outputs[to.str()] += w.amount.micro();
    total += w.amount.micro();
  }
  auto coins = [&](int64_t amount) {
    return nlohmann::json::array({{{"denom", config.denom}, {"amount", std::to_string(amount)}}});
  };
  nlohmann::json outs = nlohmann::json::array();
  for (const auto& [addr, amount] : outputs) {
    outs.push_back({{"address", addr}, {"coins", coins(amount)}});
  }
  const int64_t gas =
      config.gas_base + config.gas_per_output * static_cast<int64_t>(outputs.size());
  return nlohmann::json{
      {"body",
       {{"messages", nlohmann::json::array(
                         {{{"@type", "/cosmos.bank.v1beta1.MsgMultiSend"},
                           {"inputs", nlohmann::json::array({{{"address", config.from_address},
                                                              {"coins", coins(total)}}})},
                           {"outputs", outs}}})},
        {"memo", memo},
        {"timeout_height", "0"},
        {"extension_options", nlohmann::json::array()},
        {"non_critical_extension_options", nlohmann::json::array()}}},
      {"auth_info",
       {{"signer_infos", nlohmann::json::array()},
        {"fee",
         {{"amount", config.fee.is_zero() ? nlohmann::json::array() : coins(config.fee.micro())},
          {"gas_limit", std::to_string(gas)},
          {"payer", ""},
          {"granter", ""}}},
        {"tip", nullptr}}},
      {"signatures", nlohmann::json::array()}};
}

}  // namespace hearth::rewards
