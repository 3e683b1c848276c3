#include "coordinator/rewards/leases.h"

#include <gtest/gtest.h>

namespace hearth::rewards {
namespace {

nlohmann::json Lease(const std::string& dseq, const std::string& amount, const std::string& created,
                     const std::string& closed, const std::string& denom = "uakt") {
  return {{"lease",
           {{"lease_id",
             {{"owner", "akash1owner"},
              {"dseq", dseq},
              {"gseq", 1},
              {"oseq", 1},
              {"provider", "akash1provider"}}},
            {"state", closed == "0" ? "active" : "closed"},
            {"price", {{"denom", denom}, {"amount", amount}}},
            {"created_at", created},
            {"closed_on", closed}}},
          {"escrow_payment", nlohmann::json::object()}};
}

TEST(Leases, PricePerBlockOverTheBlocksOpenInTheWindow) {
  // Window [1000, 1600): 600 blocks of ~6 s = one hour.
  const nlohmann::json list = {
      {"leases",
       {Lease("1", "10.000000000000000000", "500", "0"),       // open all window: 600 blocks
        Lease("2", "2.500000000000000000", "1300", "0"),       // from 1300: 300 blocks
        Lease("3", "100.0", "900", "1100"),                    // closed at 1100: 100 blocks
        Lease("4", "7.0", "1600", "0"),                        // starts after the window
        Lease("5", "0.333333333333333333", "1000", "1600")}},  // 600 blocks, floored
      {"pagination", {{"next_key", nullptr}, {"total", "5"}}}};
  auto r = RevenueFromLeases(list, 1000, 1600);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->leases.size(), 4U);
  EXPECT_EQ(r->leases[0].amount.micro(), 6000);
  EXPECT_EQ(r->leases[0].lease_id, "akash1owner/1/1/1/akash1provider");
  EXPECT_EQ(r->leases[1].amount.micro(), 750);
  EXPECT_EQ(r->leases[2].blocks, 100);
  EXPECT_EQ(r->leases[2].amount.micro(), 10000);
  EXPECT_EQ(r->leases[3].amount.micro(), 199);  // 199.9999... floored
  EXPECT_EQ(r->total.micro(), 6000 + 750 + 10000 + 199);
}

TEST(Leases, InvalidRecordsNameTheField) {
  auto denom = RevenueFromLeases({{"leases", {Lease("1", "1.0", "1", "0", "uusdc")}}}, 0, 10);
  ASSERT_FALSE(denom.ok());
  EXPECT_EQ(denom.status().field(), "leases[0].lease.price.denom");
  auto amount = RevenueFromLeases({{"leases", {Lease("1", "-1", "1", "0")}}}, 0, 10);
  ASSERT_FALSE(amount.ok());
  EXPECT_EQ(amount.status().field(), "leases[0].lease.price.amount");
  auto height = RevenueFromLeases({{"leases", {Lease("1", "1", "x", "0")}}}, 0, 10);
  ASSERT_FALSE(height.ok());
  EXPECT_EQ(height.status().field(), "leases[0].lease.created_at");
  EXPECT_FALSE(RevenueFromLeases({{"leases", {}}}, 10, 10).ok());
  EXPECT_FALSE(RevenueFromLeases(nlohmann::json::array(), 0, 10).ok());
}

}  // namespace
}  // namespace hearth::rewards
