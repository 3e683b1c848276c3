#include "http/client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http/error_mapping.h"

namespace hearth::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::ip::tcp;

struct Client::Conn {
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  bool connected = false;
};

std::string ClientResponse::Header(std::string_view lowercase_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lowercase_name) return v;
  }
  return "";
}

nlohmann::json ClientResponse::Json() const {
  auto j = nlohmann::json::parse(body, nullptr, false);
  return j.is_discarded() ? nlohmann::json() : j;
}

Status ClientResponse::ToStatus() const {
  if (status >= 200 && status < 300) return Status::Ok();
  const nlohmann::json j = Json();
  std::string reason, message = "HTTP " + std::to_string(status), field;
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const auto& e = j["error"];
    if (e.contains("code") && e["code"].is_string()) reason = e["code"];
    if (e.contains("message") && e["message"].is_string()) message = e["message"];
    if (e.contains("field") && e["field"].is_string()) field = e["field"];
  }
  return Status(CodeForHttpStatus(status), message, reason, field);
}

StatusOr<std::unique_ptr<Client>> Client::Create(const std::string& base_url, Duration timeout) {
  const std::string scheme = "http://";
  if (base_url.rfind(scheme, 0) != 0) {
    if (base_url.rfind("https://", 0) == 0) {
      return Status::InvalidArgument(
          "coordinator",
          "https is not supported by this build yet; terminate TLS at a load "
          "balancer and give the agent its http:// address on a trusted network");
    }
    return Status::InvalidArgument("coordinator", "'" + base_url +
                                                      "' is not a URL; write it like "
                                                      "http://127.0.0.1:8080");
  }
  std::string rest = base_url.substr(scheme.size());
  std::string prefix;
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    prefix = rest.substr(slash);
    rest = rest.substr(0, slash);
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  }
  std::string host = rest, port = "80";
  if (auto colon = rest.rfind(':'); colon != std::string::npos && rest.back() != ']') {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  if (host.empty() || port.empty() || port.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument("coordinator", "'" + base_url +
                                                      "' has no valid host:port; write it like "
                                                      "http://127.0.0.1:8080");
  }
  std::unique_ptr<Client> c(new Client());
  c->conn_ = std::make_unique<Conn>();
  c->host_ = host;
  c->port_ = port;
  c->prefix_ = prefix;
  c->timeout_ = timeout;
  return c;
}

Client::~Client() = default;

void Client::Cancel() {
  cancelled_ = true;
  // Runs inside the next (or current) ioc.run() of the thread in Do(), after its operation
  // started, so it always aborts that operation.
  asio::post(conn_->ioc, [c = conn_.get()] { c->stream.cancel(); });
}

StatusOr<ClientResponse> Client::Do(
    const std::string& method, const std::string& path, const std::string& body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  Conn& c = *conn_;
  if (cancelled_) return Status::Unavailable(method + " " + path + ": cancelled");
  const auto timeout = std::chrono::duration_cast<std::chrono::steady_clock::duration>(timeout_);
  // Retry once on a stale keep-alive connection the server closed in the meantime.
  for (int attempt = 0; attempt < 2; ++attempt) {
    boost::system::error_code ec;
    const bool reused = c.connected;
    if (!c.connected) {
      tcp::resolver resolver(c.ioc);
      auto results = resolver.resolve(host_, port_, ec);
      if (ec) {
        return Status::Unavailable("cannot resolve " + host_ + ": " + ec.message());
      }
      c.stream.expires_after(timeout);
      c.stream.async_connect(results,
                             [&](boost::system::error_code e, const tcp::endpoint&) { ec = e; });
      c.ioc.restart();
      c.ioc.run();
      if (ec) {
        c.stream.close();
        return Status::Unavailable("cannot connect to http://" + host_ + ":" + port_ + ": " +
                                   ec.message());
      }
      c.connected = true;
      c.buffer.clear();
    }
    bhttp::request<bhttp::string_body> req;
    req.version(11);
    bhttp::verb verb = bhttp::string_to_verb(method);
    if (verb == bhttp::verb::unknown)
      req.method_string(method);
    else
      req.method(verb);
    req.target(prefix_ + path);
    req.set(bhttp::field::host, host_ + ":" + port_);
    req.set(bhttp::field::user_agent, "hearth/" HEARTH_VERSION);
    if (!bearer_.empty()) req.set(bhttp::field::authorization, "Bearer " + bearer_);
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.keep_alive(true);
    req.prepare_payload();

    // Synchronous beast calls ignore tcp_stream's expiry, so run the async forms with a
    // deadline on our private io_context.
    boost::system::error_code wec, rec;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(uint64_t{64} << 20);
    c.stream.expires_after(timeout);
    bhttp::async_write(c.stream, req, [&](boost::system::error_code e, size_t) {
      wec = e;
      if (!e) {
        bhttp::async_read(c.stream, c.buffer, parser,
                          [&](boost::system::error_code e2, size_t) { rec = e2; });
      }
    });
    c.ioc.restart();
    c.ioc.run();
    ec = wec ? wec : rec;
    if (ec) {
      c.stream.close();
      c.connected = false;
      if (cancelled_) return Status::Unavailable(method + " " + path + ": cancelled");
      const bool stale =
          reused && (ec == bhttp::error::end_of_stream || ec == asio::error::connection_reset ||
                     ec == asio::error::broken_pipe || ec == asio::error::eof);
      if (stale && attempt == 0) continue;
      if (ec == beast::error::timeout) {
        return Status(
            Code::kDeadlineExceeded,
            method + " " + path + " timed out after " + std::to_string(timeout_.count()) + "ms",
            "timeout");
      }
      return Status::Unavailable(method + " " + path + ": " + ec.message());
    }
    const auto& res = parser.get();
    ClientResponse out;
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    for (const auto& f : res) {
      std::string name(f.name_string());
      for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      out.headers.emplace_back(std::move(name), std::string(f.value()));
    }
    if (!res.keep_alive()) {
      c.stream.close();
      c.connected = false;
    }
    return out;
  }
  return Status::Unavailable("unreachable");
}

}  // namespace hearth::http
