#include "api/map.h"

namespace hearth::api {

nlohmann::json EncodeNetworkMap(const NetworkMap& m) {
  nlohmann::json cells = nlohmann::json::array();
  for (const MapCell& c : m.cells) {
    nlohmann::json j = {{"cell", c.cell},
                        {"country", c.country},
                        {"lat", c.lat ? nlohmann::json(*c.lat) : nlohmann::json(nullptr)},
                        {"lon", c.lon ? nlohmann::json(*c.lon) : nlohmann::json(nullptr)},
                        {"devices", c.devices},
                        {"online", c.online},
                        {"gpus", c.gpus},
                        {"mine", c.mine},
                        {"waitlisted", c.waitlisted},
                        {"waitlisted_gpus", c.waitlisted_gpus},
                        {"gpu_models", c.gpu_models}};
    cells.push_back(std::move(j));
  }
  nlohmann::json regions = nlohmann::json::array();
  for (const MapRegion& r : m.regions) {
    regions.push_back({{"id", r.id},
                       {"name", r.name},
                       {"status", r.status},
                       {"location_region", r.location_region},
                       {"hardware_policy", r.hardware_policy},
                       {"lat", r.lat},
                       {"lon", r.lon},
                       {"countries", r.countries},
                       {"max_workers", r.max_workers},
                       {"devices", r.devices},
                       {"online", r.online},
                       {"gpus", r.gpus},
                       {"mine", r.mine}});
  }
  return {{"generated_at", FormatRfc3339(m.generated_at)},
          {"cell_size", m.cell_size},
          {"cells", cells},
          {"regions", regions},
          {"totals",
           {{"devices", m.devices},
            {"online", m.online},
            {"gpus", m.gpus},
            {"waitlisted", m.waitlisted},
            {"mine", m.mine},
            {"unlocated", m.unlocated},
            {"unlocated_mine", m.unlocated_mine}}}};
}

}  // namespace hearth::api
