#include "coordinator/akash/availability.h"

#include <gtest/gtest.h>

namespace hearth::akash {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

// 2026-11-25T12:00:00Z: a fixed "now" for every case (the functions take time as an argument).
const Timestamp kNow = FromUnixMillis(1'795'608'000'000);

store::Device Worker(const std::string& id, Timestamp enrolled,
                     std::optional<Timestamp> removed = std::nullopt) {
  store::Device d;
  d.id = DeviceId(id);
  d.role = "worker";
  d.enrolled_at = enrolled;
  d.removed_at = removed;
  return d;
}

store::UptimeInterval Up(const std::string& id, Timestamp from, Timestamp to) {
  return {DeviceId(id), from, to};
}

TEST(AvailabilityTest, KnownIntervalsGiveTheExactFractions) {
  // a: enrolled long ago, down 04:00-08:00 today; up the rest of the last 24 hours.
  // b: enrolled 12 hours ago, up ever since.
  // c: enrolled long ago, up 18 hours, removed 6 hours ago (counts only until its removal).
  const std::vector<store::Device> devices = {
      Worker("dev_a", kNow - hours(24 * 40)), Worker("dev_b", kNow - hours(12)),
      Worker("dev_c", kNow - hours(24 * 40), kNow - hours(6))};
  const std::vector<store::UptimeInterval> intervals = {
      Up("dev_a", kNow - hours(30), kNow - hours(8)), Up("dev_a", kNow - hours(4), kNow),
      Up("dev_b", kNow - hours(12), kNow), Up("dev_c", kNow - hours(24), kNow - hours(6)),
      Up("dev_other", kNow - hours(24), kNow)};  // another region's device: ignored
  const Availability a = ComputeAvailability(devices, intervals, kNow, hours(24));
  EXPECT_EQ(a.devices, 3);
  ASSERT_TRUE(a.fleet.has_value());
  // up: a 20 h + b 12 h + c 18 h = 50 h; counted: a 24 h + b 12 h + c 18 h = 54 h.
  EXPECT_DOUBLE_EQ(*a.fleet, 50.0 / 54.0);
  // per device: 20/24, 1, 1 → median 1.
  EXPECT_DOUBLE_EQ(*a.median_device, 1.0);
}

TEST(AvailabilityTest, WindowsClipIntervalsAndEnrolments) {
  const std::vector<store::Device> devices = {Worker("dev_a", kNow - hours(24 * 10)),
                                              Worker("dev_b", kNow - hours(24 * 10))};
  // a was up the whole 10 days; b only the last 2 days.
  const std::vector<store::UptimeInterval> intervals = {Up("dev_a", kNow - hours(24 * 10), kNow),
                                                        Up("dev_b", kNow - hours(48), kNow)};
  const Availability d7 = ComputeAvailability(devices, intervals, kNow, hours(24 * 7));
  EXPECT_DOUBLE_EQ(*d7.fleet, (7.0 + 2.0) / 14.0);
  EXPECT_DOUBLE_EQ(*d7.median_device, (1.0 + 2.0 / 7.0) / 2);
  // 30 days: both count from their enrolment 10 days ago, not from the window start.
  const Availability d30 = ComputeAvailability(devices, intervals, kNow, hours(24 * 30));
  EXPECT_DOUBLE_EQ(*d30.fleet, (10.0 + 2.0) / 20.0);
}

TEST(AvailabilityTest, OverlappingIntervalsOfOneDeviceCountOnce) {
  const std::vector<store::Device> devices = {Worker("dev_a", kNow - hours(100))};
  const std::vector<store::UptimeInterval> intervals = {
      Up("dev_a", kNow - hours(24), kNow - hours(12)),
      Up("dev_a", kNow - hours(18), kNow - hours(6)),
      Up("dev_a", kNow - hours(20), kNow - hours(19))};
  const Availability a = ComputeAvailability(devices, intervals, kNow, hours(24));
  EXPECT_DOUBLE_EQ(*a.fleet, 18.0 / 24.0);
}

TEST(AvailabilityTest, ADeviceWithoutIntervalsWasDownAndNoDeviceMeansNoFigure) {
  const Availability a =
      ComputeAvailability({Worker("dev_a", kNow - hours(48))}, {}, kNow, hours(24));
  EXPECT_DOUBLE_EQ(*a.fleet, 0.0);
  const Availability none = ComputeAvailability({}, {}, kNow, hours(24));
  EXPECT_FALSE(none.fleet.has_value());
  EXPECT_FALSE(none.median_device.has_value());
  // Enrolled after `now` or removed before the window: not counted at all.
  const Availability outside = ComputeAvailability(
      {Worker("dev_b", kNow - hours(24 * 9), kNow - hours(24 * 8))}, {}, kNow, hours(24 * 7));
  EXPECT_EQ(outside.devices, 0);
  EXPECT_FALSE(outside.fleet.has_value());
}

TEST(AvailabilityTest, MoreUptimeNeverLowersTheFigures) {
  const std::vector<store::Device> devices = {Worker("dev_a", kNow - hours(48)),
                                              Worker("dev_b", kNow - hours(48))};
  std::vector<store::UptimeInterval> intervals = {Up("dev_b", kNow - hours(3), kNow)};
  double last_fleet = 0, last_median = 0;
  for (int h = 0; h <= 24; ++h) {
    intervals.push_back(Up("dev_a", kNow - hours(h), kNow - hours(h) + minutes(60)));
    const Availability a = ComputeAvailability(devices, intervals, kNow, hours(24));
    EXPECT_GE(*a.fleet, last_fleet);
    EXPECT_GE(*a.median_device, last_median);
    EXPECT_LE(*a.fleet, 1.0);
    last_fleet = *a.fleet;
    last_median = *a.median_device;
  }
  EXPECT_DOUBLE_EQ(last_fleet, (24.0 + 3.0) / 48.0);
}

TEST(ChurnTest, CountsJoinsAndRemovalsPerUtcDayOldestFirst) {
  const std::vector<store::Device> devices = {
      Worker("dev_a", kNow - hours(1)),                          // today
      Worker("dev_b", kNow - hours(13)),                         // yesterday 23:00
      Worker("dev_c", kNow - hours(12)),                         // today 00:00
      Worker("dev_d", kNow - hours(24 * 40), kNow - hours(37)),  // left 2026-11-23 23:00
      Worker("dev_e", kNow - hours(24 * 30 + 12)),               // before the 30 days
  };
  const std::vector<DailyChurn> days = ComputeDailyChurn(devices, kNow, 30);
  ASSERT_EQ(days.size(), 30u);
  EXPECT_EQ(days.back().date, "2026-11-25");
  EXPECT_EQ(days.front().date, "2026-10-27");
  EXPECT_EQ(days[29].joined, 2);
  EXPECT_EQ(days[28].joined, 1);
  EXPECT_EQ(days[28].date, "2026-11-24");
  EXPECT_EQ(days[27].left, 1);
  int64_t joined = 0, left = 0;
  for (const auto& d : days) {
    joined += d.joined;
    left += d.left;
  }
  EXPECT_EQ(joined, 3);
  EXPECT_EQ(left, 1);
}

}  // namespace
}  // namespace hearth::akash
