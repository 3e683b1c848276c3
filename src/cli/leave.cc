#include <iostream>

#include "agent/network.h"
#include "agent/state.h"
#include "api/device_auth.h"
#include "cli/commands.h"
#include "common/flags.h"
#include "http/client.h"

namespace hearth::cli {

int RunLeave(const Args& args) {
  std::string state_dir = "/var/lib/hearth";
  bool force = false;
  FlagSet flags("hearth leave [FLAGS]",
                "Deregisters this device from the coordinator (its credential is revoked),\n"
                "removes the overlay interface and the wireguard-go the agent started, stops\n"
                "and removes the k3s agent it installed (files marked as hearth's only), and\n"
                "deletes the local state and keys. Stop `hearth agent` first.");
  flags.String("state-dir", &state_dir, "Directory written by `hearth join`.");
  agent::k3s::K3sOptions k3s;
  AddK3sFlags(flags, &k3s);
  flags.Bool("force", &force,
             "Delete the local state even if the coordinator cannot be told (the owner can "
             "still remove the device in the portal).");
  auto rest = flags.Parse(args);
  if (!rest.ok()) {
    std::cerr << "hearth leave: " << rest.status().ToString() << "\n";
    return 2;
  }
  if (flags.help_requested()) {
    std::cout << flags.Help();
    return 0;
  }
  agent::StateDir dir(state_dir);
  auto device = dir.LoadDevice();
  if (!device.ok()) {
    std::cerr << "hearth leave: " << device.status().ToString() << "\n";
    return 1;
  }
  if (!device->has_value()) {
    std::cerr << "hearth leave: not enrolled (nothing in " << state_dir << ")\n";
    return 1;
  }
  const auto& d = **device;
  Status told = Status::Ok();
  auto client = http::Client::Create(d.coordinator, std::chrono::seconds(10));
  if (!client.ok()) {
    told = client.status();
  } else {
    (*client)->SetBearer(d.credential.Reveal());
    auto identity = dir.LoadIdentityKey();
    if (!identity.ok()) {
      told = identity.status();
    } else {
      const std::string path = "/v1/devices/" + d.device_id;
      auto res = (*client)->Do(
          "DELETE", path, "",
          api::SignDeviceRequest(*identity, "DELETE", path, "", SystemClock::Instance().Now()));
      told = res.ok() ? res->ToStatus() : res.status();
    }
    // Already removed by the owner: the goal is reached.
    if (told.reason() == "device_removed") told = Status::Ok();
  }
  if (!told.ok() && !force) {
    std::cerr << "hearth leave: could not deregister " << d.device_id << ": " << told.message()
              << "\nNothing was deleted. Retry when the coordinator is reachable, or pass "
                 "--force to delete the local state anyway.\n";
    return told.code() == Code::kUnavailable ? 4 : 1;
  }
  if (Status st = agent::RemoveNetwork(dir, agent::NetworkOptions{}, std::cout); !st.ok()) {
    std::cerr << "hearth leave: could not remove the overlay network: " << st.ToString()
              << "\nThe device was deregistered; fix the error (root is needed) and run "
                 "`hearth leave --force` again to finish.\n";
    return 1;
  }
  if (Status st = agent::k3s::RemoveK3s(k3s, std::cout); !st.ok()) {
    std::cerr << "hearth leave: could not remove the k3s agent: " << st.ToString()
              << "\nThe device was deregistered; fix the error (root is needed) and run "
                 "`hearth leave --force` again to finish.\n";
    return 1;
  }
  if (Status st = dir.Clear(); !st.ok()) {
    std::cerr << "hearth leave: " << st.ToString() << "\n";
    return 1;
  }
  std::cout << "Device " << d.device_id << " left"
            << (told.ok() ? "" : " (coordinator not told: " + told.message() + ")")
            << "; local state and keys deleted.\n";
  return 0;
}

}  // namespace hearth::cli
