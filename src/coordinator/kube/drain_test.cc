// Drain pieces, pure: which pods a drain evicts, the eviction request, the report kept in the
// device's k8s_json (a restarted coordinator resumes from it), and refusals (PDB: 429).
#include "coordinator/kube/drain.h"

#include <gtest/gtest.h>

namespace hearth::kube {
namespace {

TEST(DrainTest, DaemonSetAndMirrorPodsStayTerminatingOnesAreWaitedFor) {
  auto pod = [](const std::string& extra) {
    return nlohmann::json::parse(R"({"metadata":{"namespace":"ns","name":"p")" + extra + "}}");
  };
  EXPECT_EQ(ClassifyForDrain(pod("")), PodDrainClass::kEvict);
  EXPECT_EQ(
      ClassifyForDrain(pod(R"(,"ownerReferences":[{"kind":"ReplicaSet","controller":true}])")),
      PodDrainClass::kEvict);
  EXPECT_EQ(ClassifyForDrain(pod(R"(,"ownerReferences":[{"kind":"DaemonSet","controller":true}])")),
            PodDrainClass::kDaemonSet);
  EXPECT_EQ(ClassifyForDrain(pod(R"(,"annotations":{"kubernetes.io/config.mirror":"x"})")),
            PodDrainClass::kMirror);
  EXPECT_EQ(ClassifyForDrain(pod(R"(,"deletionTimestamp":"2026-12-02T08:00:00Z")")),
            PodDrainClass::kTerminating);
  EXPECT_EQ(PodKey(pod("")), "ns/p");
  Request r = EvictionRequest("ns", "p", std::chrono::seconds(3));
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/api/v1/namespaces/ns/pods/p/eviction");
  EXPECT_EQ(nlohmann::json::parse(r.body)["apiVersion"], "policy/v1");
}

TEST(DrainTest, ReportSurvivesItsJsonAndRefusalsAreExplained) {
  DrainReport r;
  r.state = DrainReport::State::kTimedOut;
  r.started_at = FromUnixMillis(1'700'000'000'000);
  r.finished_at = FromUnixMillis(1'700'000'060'000);
  r.evicted = {"ns/a"};
  r.not_evicted = {{"ns/b", "Cannot evict pod as it would violate the pod's disruption budget."}};
  r.attempts = 7;
  auto back = DrainReport::FromJson(r.ToJson());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->state, DrainReport::State::kTimedOut);
  EXPECT_EQ(back->started_at, r.started_at);
  EXPECT_EQ(back->finished_at, r.finished_at);
  EXPECT_EQ(back->evicted, r.evicted);
  EXPECT_EQ(back->not_evicted, r.not_evicted);
  EXPECT_EQ(back->attempts, 7);
  EXPECT_EQ(r.ToJson()["not_evicted"][0]["pod"], "ns/b");
  EXPECT_FALSE(DrainReport::FromJson(nlohmann::json::object()).has_value());
  EXPECT_FALSE(DrainReport::FromJson({{"state", "sideways"}}).has_value());

  Response tooMany{429,
                   R"({"kind":"Status","message":"Cannot evict pod as it would violate)"
                   R"( the pod's disruption budget.","reason":"TooManyRequests"})",
                   "application/json"};
  EXPECT_EQ(EvictionRefusal(tooMany),
            "Cannot evict pod as it would violate the pod's disruption budget.");
  EXPECT_EQ(EvictionRefusal(Response{201, "{}", ""}), "");
  EXPECT_EQ(EvictionRefusal(Response{404, "{}", ""}), "");
  EXPECT_EQ(EvictionRefusal(StatusOr<Response>(Status::Unavailable("down"))), "down");
}

}  // namespace
}  // namespace hearth::kube
