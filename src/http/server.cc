#include "http/server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>
#include <vector>

#include "common/log.h"

namespace hearth::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::ip::tcp;

namespace {

constexpr auto kToken = asio::as_tuple(asio::use_awaitable);

std::string PercentDecodeQueryPart(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() &&
               std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

Request ToRequest(const bhttp::request<bhttp::string_body>& r, const std::string& remote,
                  const TrustedProxies& proxies) {
  Request req;
  req.method = std::string(r.method_string());
  const std::string target(r.target());
  const size_t q = target.find('?');
  req.path = target.substr(0, q);
  if (q != std::string::npos) {
    std::string_view qs(target);
    qs.remove_prefix(q + 1);
    while (!qs.empty()) {
      size_t amp = qs.find('&');
      std::string_view part = qs.substr(0, amp);
      size_t eq = part.find('=');
      req.query[PercentDecodeQueryPart(part.substr(0, eq))] =
          eq == std::string_view::npos ? "" : PercentDecodeQueryPart(part.substr(eq + 1));
      if (amp == std::string_view::npos) break;
      qs.remove_prefix(amp + 1);
    }
  }
  for (const auto& f : r) {
    std::string name(f.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.headers.emplace_back(std::move(name), std::string(f.value()));
  }
  req.body = r.body();
  req.peer_address = remote;
  req.remote_address = remote;
  if (!proxies.empty()) {
    std::vector<std::string> forwarded;
    for (const auto& [name, value] : req.headers) {
      if (name == "x-forwarded-for") forwarded.push_back(value);
    }
    req.remote_address = proxies.ClientAddress(remote, forwarded);
  }
  return req;
}

}  // namespace

Status ParseHostPort(const std::string& text, const std::string& field, std::string* host,
                     uint16_t* port) {
  const size_t colon = text.rfind(':');
  auto bad = [&] {
    return Status::InvalidArgument(field, "'" + text +
                                              "' is not HOST:PORT; e.g. 127.0.0.1:8080 or "
                                              "0.0.0.0:8080 (port 0 picks a free port)");
  };
  if (colon == std::string::npos || colon == 0) return bad();
  std::string h = text.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  const std::string p = text.substr(colon + 1);
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos) {
    return bad();
  }
  const int v = std::stoi(p);
  if (v > 65535) return bad();
  boost::system::error_code ec;
  asio::ip::make_address(h, ec);
  if (ec && h != "localhost") {
    return Status::InvalidArgument(field, "'" + h + "' is not an IP address; use e.g. 127.0.0.1");
  }
  *host = h == "localhost" ? "127.0.0.1" : h;
  *port = static_cast<uint16_t>(v);
  return Status::Ok();
}

struct Server::Impl {
  Impl(ServerOptions o, const Router& r, Metrics* m, Notifier* n)
      : options(std::move(o)), router(r), metrics(m), notifier(n), acceptor(ioc) {}

  asio::awaitable<void> Accept() {
    while (true) {
      // Each connection runs on its own strand, so a Notifier waking a parked request from
      // another thread is serialized with the connection's coroutine.
      auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(ioc), kToken);
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        log::Warn("http: accept failed", {{"error", ec.message()}});
        continue;
      }
      auto executor = socket.get_executor();
      asio::co_spawn(executor, Session(beast::tcp_stream(std::move(socket))), asio::detached);
    }
  }

  asio::awaitable<void> Session(beast::tcp_stream stream) {
    boost::system::error_code rec;
    const auto ep = stream.socket().remote_endpoint(rec);
    const std::string remote = rec ? "" : ep.address().to_string();
    beast::flat_buffer buffer;
    bool first = true;
    while (!stopping) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(options.body_limit);
      parser.header_limit(16 * 1024);
      // The first request must arrive within the read timeout; later ones may idle longer.
      stream.expires_after(first ? options.read_timeout : options.idle_timeout);
      auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, kToken);
      if (!ec) {
        stream.expires_after(options.read_timeout);
        std::tie(ec, n) = co_await bhttp::async_read(stream, buffer, parser, kToken);
      }
      first = false;
      if (ec == bhttp::error::body_limit) {
        Response r = Response::Error(Status(Code::kResourceExhausted,
                                            "request body is larger than the limit of " +
                                                std::to_string(options.body_limit) + " bytes",
                                            "body_too_large"));
        r.status = 413;
        co_await Write(stream, r, false, "GET");
        break;
      }
      if (ec) break;  // closed, timed out or malformed: nothing useful to answer
      // In flight from here until the response is written; Shutdown() waits for these.
      ++inflight;
      const auto started = std::chrono::steady_clock::now();
      Request req = ToRequest(parser.get(), remote, options.trusted_proxies);
      std::string route;
      Response res = Dispatch(&req, &route);
      if (!res.wait_topic.empty()) res = co_await Park(&req, std::move(res), &route);
      const bool keep = parser.get().keep_alive() && !stopping;
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      if (metrics) metrics->CountRequest(route, req.method, res.status, secs);
      const bool written = co_await Write(stream, res, keep, req.method);
      --inflight;
      if (!written || !keep) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  // Long-poll: waits for a notification on res.wait_topic (or the re-check interval) and calls
  // the handler again, until it answers or the deadline passes (then one final attempt).
  asio::awaitable<Response> Park(Request* req, Response res, std::string* route) {
    const auto deadline = std::chrono::steady_clock::now() + res.wait_for;
    auto executor = co_await asio::this_coro::executor;
    while (!res.wait_topic.empty()) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline || stopping || notifier == nullptr) {
        req->final_attempt = true;
        res = Dispatch(req, route);
        if (!res.wait_topic.empty()) {
          res = Response::Error(Status::Internal("handler asked to wait on its final attempt"));
        }
        break;
      }
      auto timer = std::make_shared<asio::steady_timer>(executor);
      timer->expires_after(
          std::min<std::chrono::steady_clock::duration>(deadline - now, options.long_poll_recheck));
      const Notifier::Token token = notifier->Subscribe(res.wait_topic, [timer] {
        asio::post(timer->get_executor(), [timer] { timer->cancel(); });
      });
      co_await timer->async_wait(kToken);
      notifier->Unsubscribe(token);
      res = Dispatch(req, route);
    }
    co_return res;
  }

  asio::awaitable<bool> Write(beast::tcp_stream& stream, const Response& r, bool keep,
                              const std::string& method) {
    bhttp::response<bhttp::string_body> res;
    res.version(11);
    res.result(static_cast<unsigned>(r.status));
    res.set(bhttp::field::server, "hearth");
    if (!r.content_type.empty()) res.set(bhttp::field::content_type, r.content_type);
    res.set("X-Content-Type-Options", "nosniff");
    for (const auto& [k, v] : r.headers) res.insert(k, v);
    // 204 and 304 have no body by definition (Beast refuses to frame one).
    const bool bodyless = r.status == 204 || r.status == 304;
    if (method != "HEAD" && !bodyless) res.body() = r.body;
    if (bodyless) res.erase(bhttp::field::content_type);
    res.keep_alive(keep);
    res.prepare_payload();
    stream.expires_after(options.read_timeout);
    auto [ec, n] = co_await bhttp::async_write(stream, res, kToken);
    co_return !ec;
  }

  Response Dispatch(Request* req, std::string* route) {
    Router::Match m = router.Find(req);
    *route = m.route;
    if (m.handler == nullptr) {
      if (options.static_files && (req->method == "GET" || req->method == "HEAD") &&
          m.status == 404) {
        if (auto r = options.static_files(*req)) {
          *route = "static";
          return *r;
        }
      }
      if (m.status == 405) {
        Response r = Response::Error(
            Status(Code::kInvalidArgument,
                   req->method + " is not allowed on " + req->path + "; allowed: " + m.allow,
                   "method_not_allowed"));
        r.status = 405;
        r.headers.emplace_back("Allow", m.allow);
        return r;
      }
      return Response::Error(
          Status(Code::kNotFound,
                 "no route " + req->method + " " + req->path + "; see /v1/openapi.yaml for the API",
                 "route_not_found"));
    }
    try {
      return (*m.handler)(*req);
    } catch (const std::exception& e) {
      // A handler bug must not kill the server; log it and answer 500.
      log::Error("http: handler threw", {{"route", m.route}, {"error", e.what()}});
      return Response::Error(Status::Internal("internal error; see the coordinator log"));
    }
  }

  ServerOptions options;
  const Router& router;
  Metrics* metrics;
  Notifier* notifier;
  asio::io_context ioc;
  tcp::acceptor acceptor;
  std::atomic<int> inflight{0};
  std::atomic<bool> stopping{false};
  std::thread shutdown_waiter;
};

Server::Server(ServerOptions options, const Router& router, Metrics* metrics, Notifier* notifier)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics, notifier)) {}

Server::~Server() {
  // Joined here, not in Run(): Run() can return (the waiter stopped the context) before
  // Shutdown() has finished assigning shutdown_waiter, so Run() cannot see it reliably.
  if (impl_->shutdown_waiter.joinable()) impl_->shutdown_waiter.join();
}

Status Server::Start() {
  std::string host;
  uint16_t port = 0;
  HEARTH_RETURN_IF_ERROR(ParseHostPort(impl_->options.listen, "--listen", &host, &port));
  boost::system::error_code ec;
  tcp::endpoint ep(asio::ip::make_address(host, ec), port);
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Unavailable("cannot listen on " + impl_->options.listen + ": " + ec.message() +
                               "; pick another --listen address or stop the other process");
  }
  asio::co_spawn(impl_->ioc, impl_->Accept(), asio::detached);
  return Status::Ok();
}

std::string Server::BoundAddress() const {
  boost::system::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  if (ec) return "";
  const auto addr = ep.address();
  return (addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string()) + ":" +
         std::to_string(ep.port());
}

void Server::Run() {
  auto guard = asio::make_work_guard(impl_->ioc);
  std::vector<std::thread> threads;
  for (int i = 1; i < impl_->options.threads; ++i) {
    threads.emplace_back([this] { impl_->ioc.run(); });
  }
  impl_->ioc.run();
  for (auto& t : threads) t.join();
}

void Server::Shutdown(Duration grace) {
  if (impl_->stopping.exchange(true)) return;
  // Parked long-polls answer now (their final attempt) instead of holding up the shutdown.
  if (impl_->notifier != nullptr) impl_->notifier->NotifyAll();
  asio::post(impl_->ioc, [this] {
    boost::system::error_code ec;
    impl_->acceptor.close(ec);
  });
  // Wait for in-flight requests on a separate thread so the caller never blocks the I/O
  // threads; idle keep-alive connections are simply dropped when the context stops.
  impl_->shutdown_waiter = std::thread([impl = impl_.get(), grace] {
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (impl->inflight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (impl->inflight.load() > 0) {
      log::Warn("http: shutdown deadline reached", {{"in_flight", impl->inflight.load()}});
    }
    impl->ioc.stop();
  });
}

}  // namespace hearth::http
