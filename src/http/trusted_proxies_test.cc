// X-Forwarded-For is believed only from trusted proxies, and then only up to the rightmost hop
// that is not one of them: a client cannot choose the address rate limits and GeoIP see.
#include "http/trusted_proxies.h"

#include <gtest/gtest.h>

#include <thread>

#include "http/client.h"
#include "http/server.h"

namespace hearth::http {
namespace {

TrustedProxies Trust(const std::string& csv) {
  auto t = TrustedProxies::Parse(csv, "--trusted-proxies");
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? *t : TrustedProxies();
}

struct Case {
  std::string name, trusted, peer;
  std::vector<std::string> xff;
  std::string client;
};

TEST(TrustedProxiesTest, ClientIsTheRightmostUntrustedHop) {
  const std::vector<Case> cases = {
      {"no proxies trusted: the header is ignored",
       "",
       "203.0.113.9",
       {"198.51.100.1"},
       "203.0.113.9"},
      {"untrusted peer spoofing the header",
       "10.0.0.0/8",
       "203.0.113.9",
       {"198.51.100.1"},
       "203.0.113.9"},
      {"trusted peer, one hop", "10.0.0.0/8", "10.1.2.3", {"198.51.100.1"}, "198.51.100.1"},
      {"client-written hops left of the real one are ignored",
       "10.0.0.0/8",
       "10.1.2.3",
       {"1.2.3.4, 198.51.100.1"},
       "198.51.100.1"},
      {"a chain of trusted proxies is skipped",
       "10.0.0.0/8,192.0.2.0/24",
       "10.1.2.3",
       {"6.6.6.6, 198.51.100.1, 192.0.2.7"},
       "198.51.100.1"},
      {"several header lines are one list",
       "10.0.0.0/8",
       "10.1.2.3",
       {"6.6.6.6", "198.51.100.1, 10.9.9.9"},
       "198.51.100.1"},
      {"trusted peer without the header", "10.0.0.0/8", "10.1.2.3", {}, "10.1.2.3"},
      {"every hop trusted: the leftmost",
       "10.0.0.0/8",
       "10.1.2.3",
       {"10.0.0.1, 10.0.0.2"},
       "10.0.0.1"},
      {"garbage stops the walk at the last trusted hop",
       "10.0.0.0/8",
       "10.1.2.3",
       {"198.51.100.1, not-an-ip, 10.0.0.2"},
       "10.0.0.2"},
      {"ports are dropped", "10.0.0.0/8", "10.1.2.3", {"198.51.100.1:4711"}, "198.51.100.1"},
      {"IPv6 client through an IPv6 proxy",
       "2001:db8::/32",
       "2001:db8::1",
       {"[2001:4860:4860::8888]:443"},
       "2001:4860:4860::8888"},
      {"an IPv4-mapped peer matches an IPv4 prefix",
       "127.0.0.0/8",
       "::ffff:127.0.0.1",
       {"198.51.100.1"},
       "198.51.100.1"},
      {"a /32 trusts one address only", "10.1.2.3", "10.1.2.4", {"198.51.100.1"}, "10.1.2.4"},
      {"an empty hop is garbage", "10.0.0.0/8", "10.1.2.3", {"198.51.100.1,,"}, "10.1.2.3"},
  };
  for (const Case& c : cases) {
    const TrustedProxies t = c.trusted.empty() ? TrustedProxies() : Trust(c.trusted);
    EXPECT_EQ(t.ClientAddress(c.peer, c.xff), c.client) << c.name;
  }
}

TEST(TrustedProxiesTest, BadCidrsAreRefusedNamingTheFlag) {
  for (const std::string bad : {"10.0.0.0/33", "10.1.2.3/8", "example.com", "10.0.0.0/",
                                "10.0.0.0/x", "::/129", "2001:db8::1/32", "10.0.0.0/8,300.1.1.1"}) {
    auto t = TrustedProxies::Parse(bad, "--trusted-proxies");
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.status().field(), "--trusted-proxies") << bad;
    EXPECT_NE(t.status().message().find("CIDR"), std::string::npos) << t.status().message();
  }
  EXPECT_TRUE(TrustedProxies::Parse("", "--trusted-proxies")->empty());
  EXPECT_FALSE(TrustedProxies::Parse(" 10.0.0.0/8 , ::1 ", "--trusted-proxies")->empty());
}

// The real server: a spoofed header from an untrusted peer (this test, on loopback) changes
// nothing; once loopback is a trusted proxy, the forwarded address is the client.
TEST(TrustedProxiesTest, TheServerAppliesThemToRemoteAddress) {
  Router router;
  router.Add("GET", "/who", [](const Request& r) {
    return Response::Json(200, {{"remote", r.remote_address}, {"peer", r.peer_address}});
  });
  for (const std::string trusted : {"", "127.0.0.0/8"}) {
    ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.trusted_proxies = Trust(trusted.empty() ? "192.0.2.0/24" : trusted);
    Server server(o, router, nullptr);
    ASSERT_TRUE(server.Start().ok());
    std::thread t([&] { server.Run(); });
    auto c = Client::Create("http://" + server.BoundAddress()).value();
    auto res = c->Do("GET", "/who", "", {{"X-Forwarded-For", "6.6.6.6, 198.51.100.1"}});
    ASSERT_TRUE(res.ok());
    EXPECT_EQ(res->Json()["peer"], "127.0.0.1");
    EXPECT_EQ(res->Json()["remote"], trusted.empty() ? "127.0.0.1" : "198.51.100.1") << trusted;
    server.Shutdown(std::chrono::seconds(2));
    t.join();
  }
}

}  // namespace
}  // namespace hearth::http
