// The bid-script order: the JSON document Akash's provider daemon writes to a bid price
// script's stdin (../shared/reference/akash/bid-script.md), parsed defensively. Real inputs
// omit optional fields, carry nulls and can hold huge numbers; anything unreadable is a
// Status naming the field, never an exception. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace hearth::akash {

struct GpuModelReq {
  std::string vendor;          // "nvidia"
  std::string model;           // "rtx4090"; "*" or "" = any model of this vendor
  std::string ram, interface;  // optional
};

struct StorageReq {
  std::string klass = "ephemeral";  // ephemeral | default | beta1 | beta2 | beta3 | ram
  int64_t size_bytes = 0;
  // Persistent unless ephemeral or ram (the contract's rule).
  bool persistent() const { return klass != "ephemeral" && klass != "ram"; }
};

// One resource unit of the group: what one replica needs, and how many replicas.
struct ResourceReq {
  int64_t cpu_millicores = 0;
  int64_t memory_bytes = 0;
  int64_t gpu_units = 0;
  // Acceptable GPU models (any one will do); empty with gpu_units > 0 = any GPU.
  std::vector<GpuModelReq> gpu_models;
  std::vector<StorageReq> storage;
  int64_t count = 1;
  int64_t endpoint_quantity = 0;
  int64_t ip_lease_quantity = 0;
};

struct Order {
  std::vector<ResourceReq> resources;
  std::string denom;       // from price.denom, else AKASH_DENOM
  std::string max_amount;  // tenant's maximum price per block, decimal; "" when absent
  int precision = 6;       // price_precision, 0..18
};

// Parses the stdin document. `env_denom` is AKASH_DENOM ("" when unset).
StatusOr<Order> ParseOrder(const std::string& text, const std::string& env_denom);
StatusOr<Order> OrderFromJson(const nlohmann::json& j, const std::string& env_denom);
// The contract's JSON shape (what `hearth sdl check` derives and the bid script reads).
nlohmann::json OrderToJson(const Order& o);

}  // namespace hearth::akash
