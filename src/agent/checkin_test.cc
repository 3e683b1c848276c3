#include "agent/checkin.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>

namespace hearth::agent {
namespace {

// A loopback listener on port 0; closing it leaves a port that refuses connections.
class Listener {
 public:
  Listener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(listen(fd_, 8), 0);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~Listener() { Close(); }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(CheckInTest, ProbeMeasuresAcceptedAndRefusedConnections) {
  Listener l;
  auto accepted = ProbeRtt(l.endpoint(), std::chrono::milliseconds(1000));
  ASSERT_TRUE(accepted.has_value());
  EXPECT_GE(*accepted, 0);
  EXPECT_LT(*accepted, 1000);
  const std::string closed = l.endpoint();
  l.Close();
  // Refused is a round trip too.
  EXPECT_TRUE(ProbeRtt(closed, std::chrono::milliseconds(1000)).has_value());
  EXPECT_FALSE(ProbeRtt("no-port", std::chrono::milliseconds(100)).has_value());
}

TEST(CheckInTest, PrintsPlacementOrWaitlist) {
  std::ostringstream placed, waiting;
  PrintPlacement(nlohmann::json::parse(
                     R"({"placement":{"region":"eu-berlin","detail":"serves the country"}})"),
                 placed);
  EXPECT_NE(placed.str().find("Placed in region eu-berlin"), std::string::npos);
  PrintPlacement(nlohmann::json::parse(R"({"placement":{"region":null,"reason":"no_region_serves",
                     "waitlist_cell":"KE/-/-","waitlist_position":3}})"),
                 waiting);
  EXPECT_NE(waiting.str().find("cell KE/-/- at position 3"), std::string::npos) << waiting.str();
}

}  // namespace
}  // namespace hearth::agent
