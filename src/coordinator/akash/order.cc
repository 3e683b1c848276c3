#include "coordinator/akash/order.h"

#include <cmath>

#include "coordinator/akash/quantity.h"

namespace hearth::akash {
namespace {

bool IsDecimal(const std::string& s) {
  if (s.empty() || s.size() > 80) return false;
  bool dot = false, digit = false;
  for (char c : s) {
    if (c == '.') {
      if (dot) return false;
      dot = true;
    } else if (c >= '0' && c <= '9') {
      digit = true;
    } else {
      return false;
    }
  }
  return digit;
}

// A non-negative integer quantity: a JSON integer, a finite non-negative float (rounded up) or
// a decimal string. Missing or null → `fallback` (or an error when `fallback` is empty).
StatusOr<int64_t> Quantity(const nlohmann::json& obj, const std::string& key,
                           const std::string& field, std::optional<int64_t> fallback) {
  const std::string range = "must be a whole number between 0 and 2^62";
  if (!obj.is_object()) return Status::InvalidArgument(field, "must be an object");
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (fallback) return *fallback;
    return Status::InvalidArgument(field, "is required");
  }
  const nlohmann::json& v = *it;
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(kMaxQuantity)) {
      return Status::InvalidArgument(field, "is too large (" + range + ")");
    }
    return static_cast<int64_t>(u);
  }
  if (v.is_number_integer()) {
    const int64_t i = v.get<int64_t>();
    if (i < 0 || i > kMaxQuantity) return Status::InvalidArgument(field, range);
    return i;
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!std::isfinite(d) || d < 0) return Status::InvalidArgument(field, range);
    if (d > static_cast<double>(kMaxQuantity)) {
      return Status::InvalidArgument(field, "is too large (" + range + ")");
    }
    return static_cast<int64_t>(std::ceil(d));
  }
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (!IsDecimal(s)) return Status::InvalidArgument(field, range);
    long double d = 0;
    for (char c : s) {
      if (c == '.') break;
      d = d * 10 + (c - '0');
      if (d > static_cast<long double>(kMaxQuantity)) {
        return Status::InvalidArgument(field, "is too large (" + range + ")");
      }
    }
    return static_cast<int64_t>(d);
  }
  return Status::InvalidArgument(field, range);
}

StatusOr<std::string> OptString(const nlohmann::json& obj, const std::string& key,
                                const std::string& field) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::string();
  if (!it->is_string()) return Status::InvalidArgument(field, "must be a string");
  std::string s = it->get<std::string>();
  if (s.size() > 128) return Status::InvalidArgument(field, "is longer than 128 characters");
  return s;
}

StatusOr<GpuModelReq> GpuModel(const std::string& vendor, const nlohmann::json& m,
                               const std::string& field) {
  GpuModelReq g;
  g.vendor = vendor;
  if (m.is_null()) return g;
  if (m.is_string()) {
    g.model = m.get<std::string>();
    return g;
  }
  if (!m.is_object()) {
    return Status::InvalidArgument(field, "must be an object like {\"model\":\"rtx4090\"}");
  }
  HEARTH_ASSIGN_OR_RETURN(g.model, OptString(m, "model", field + ".model"));
  HEARTH_ASSIGN_OR_RETURN(g.ram, OptString(m, "ram", field + ".ram"));
  HEARTH_ASSIGN_OR_RETURN(g.interface, OptString(m, "interface", field + ".interface"));
  return g;
}

StatusOr<ResourceReq> Resource(const nlohmann::json& r, const std::string& field) {
  if (!r.is_object()) return Status::InvalidArgument(field, "must be an object");
  ResourceReq out;
  HEARTH_ASSIGN_OR_RETURN(out.cpu_millicores, Quantity(r, "cpu", field + ".cpu", std::nullopt));
  HEARTH_ASSIGN_OR_RETURN(out.memory_bytes, Quantity(r, "memory", field + ".memory", std::nullopt));
  HEARTH_ASSIGN_OR_RETURN(out.count, Quantity(r, "count", field + ".count", 1));
  HEARTH_ASSIGN_OR_RETURN(out.endpoint_quantity,
                          Quantity(r, "endpoint_quantity", field + ".endpoint_quantity", 0));
  HEARTH_ASSIGN_OR_RETURN(out.ip_lease_quantity,
                          Quantity(r, "ip_lease_quantity", field + ".ip_lease_quantity", 0));
  if (auto gpu = r.find("gpu"); gpu != r.end() && !gpu->is_null()) {
    const std::string gf = field + ".gpu";
    if (!gpu->is_object()) return Status::InvalidArgument(gf, "must be an object");
    HEARTH_ASSIGN_OR_RETURN(out.gpu_units, Quantity(*gpu, "units", gf + ".units", 0));
    auto attrs = gpu->find("attributes");
    if (attrs != gpu->end() && !attrs->is_null()) {
      if (!attrs->is_object())
        return Status::InvalidArgument(gf + ".attributes", "must be an object");
      auto vendors = attrs->find("vendor");
      if (vendors != attrs->end() && !vendors->is_null()) {
        const std::string vf = gf + ".attributes.vendor";
        if (!vendors->is_object()) return Status::InvalidArgument(vf, "must be an object");
        for (const auto& [vendor, models] : vendors->items()) {
          const std::string mf = vf + "." + vendor;
          if (models.is_array()) {
            if (models.empty()) out.gpu_models.push_back({vendor, "", "", ""});
            for (size_t i = 0; i < models.size(); ++i) {
              HEARTH_ASSIGN_OR_RETURN(
                  GpuModelReq g, GpuModel(vendor, models[i], mf + "[" + std::to_string(i) + "]"));
              out.gpu_models.push_back(std::move(g));
            }
          } else {
            HEARTH_ASSIGN_OR_RETURN(GpuModelReq g, GpuModel(vendor, models, mf));
            out.gpu_models.push_back(std::move(g));
          }
        }
      }
    }
  }
  if (auto st = r.find("storage"); st != r.end() && !st->is_null()) {
    const std::string sf = field + ".storage";
    if (!st->is_array()) return Status::InvalidArgument(sf, "must be an array");
    for (size_t i = 0; i < st->size(); ++i) {
      const std::string ef = sf + "[" + std::to_string(i) + "]";
      const nlohmann::json& e = (*st)[i];
      if (!e.is_object()) return Status::InvalidArgument(ef, "must be an object");
      StorageReq s;
      HEARTH_ASSIGN_OR_RETURN(s.klass, OptString(e, "class", ef + ".class"));
      if (s.klass.empty()) s.klass = "ephemeral";
      HEARTH_ASSIGN_OR_RETURN(s.size_bytes, Quantity(e, "size", ef + ".size", 0));
      out.storage.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace

StatusOr<Order> OrderFromJson(const nlohmann::json& j, const std::string& env_denom) {
  if (!j.is_object()) return Status::InvalidArgument("order", "must be a JSON object");
  Order o;
  auto res = j.find("resources");
  if (res == j.end() || !res->is_array() || res->empty()) {
    return Status::InvalidArgument("resources", "must be a non-empty array of resource units");
  }
  if (res->size() > 1000) return Status::InvalidArgument("resources", "has more than 1000 units");
  for (size_t i = 0; i < res->size(); ++i) {
    HEARTH_ASSIGN_OR_RETURN(ResourceReq r,
                            Resource((*res)[i], "resources[" + std::to_string(i) + "]"));
    o.resources.push_back(std::move(r));
  }
  o.denom = env_denom;
  if (auto price = j.find("price"); price != j.end() && !price->is_null()) {
    if (!price->is_object()) return Status::InvalidArgument("price", "must be an object");
    HEARTH_ASSIGN_OR_RETURN(std::string denom, OptString(*price, "denom", "price.denom"));
    if (!denom.empty()) o.denom = denom;
    auto amount = price->find("amount");
    if (amount != price->end() && !amount->is_null()) {
      if (amount->is_string() && IsDecimal(amount->get<std::string>())) {
        o.max_amount = amount->get<std::string>();
      } else if (amount->is_number_unsigned() || amount->is_number_integer()) {
        if (amount->is_number_integer() && !amount->is_number_unsigned() &&
            amount->get<int64_t>() < 0) {
          return Status::InvalidArgument("price.amount", "must not be negative");
        }
        o.max_amount = amount->dump();
      } else {
        return Status::InvalidArgument("price.amount",
                                       "must be a non-negative decimal string like \"100.5\"");
      }
    }
  }
  if (o.denom.empty()) {
    return Status::InvalidArgument("price.denom", "is missing (and AKASH_DENOM is not set)");
  }
  HEARTH_ASSIGN_OR_RETURN(int64_t precision, Quantity(j, "price_precision", "price_precision", 6));
  if (precision > 18) return Status::InvalidArgument("price_precision", "must be 0..18");
  o.precision = static_cast<int>(precision);
  return o;
}

StatusOr<Order> ParseOrder(const std::string& text, const std::string& env_denom) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("stdin", "is not a JSON document");
  return OrderFromJson(j, env_denom);
}

nlohmann::json OrderToJson(const Order& o) {
  nlohmann::json resources = nlohmann::json::array();
  for (const auto& r : o.resources) {
    nlohmann::json storage = nlohmann::json::array();
    for (const auto& s : r.storage) storage.push_back({{"class", s.klass}, {"size", s.size_bytes}});
    nlohmann::json vendors = nlohmann::json::object();
    for (const auto& g : r.gpu_models) {
      nlohmann::json m = {{"model", g.model.empty() ? "*" : g.model}};
      if (!g.ram.empty()) m["ram"] = g.ram;
      if (!g.interface.empty()) m["interface"] = g.interface;
      // The contract has one model per vendor; several acceptable models become an array.
      if (!vendors.contains(g.vendor)) {
        vendors[g.vendor] = m;
      } else {
        if (!vendors[g.vendor].is_array())
          vendors[g.vendor] = nlohmann::json::array({vendors[g.vendor]});
        vendors[g.vendor].push_back(m);
      }
    }
    resources.push_back({{"cpu", r.cpu_millicores},
                         {"memory", r.memory_bytes},
                         {"gpu", {{"units", r.gpu_units}, {"attributes", {{"vendor", vendors}}}}},
                         {"storage", storage},
                         {"count", r.count},
                         {"endpoint_quantity", r.endpoint_quantity},
                         {"ip_lease_quantity", r.ip_lease_quantity}});
  }
  nlohmann::json j = {{"resources", resources}, {"price_precision", o.precision}};
  j["price"] = {{"denom", o.denom}};
  if (!o.max_amount.empty()) j["price"]["amount"] = o.max_amount;
  return j;
}

}  // namespace hearth::akash
