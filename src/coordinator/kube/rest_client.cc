#include "coordinator/kube/rest_client.h"

#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "common/log.h"
#include "coordinator/kube/backoff.h"
#include "coordinator/kube/object_cache.h"

namespace hearth::kube {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using asio::ip::tcp;
using SteadyTime = std::chrono::steady_clock::time_point;
using Stream = beast::ssl_stream<beast::tcp_stream>;

namespace {

constexpr auto kToken = asio::as_tuple(asio::use_awaitable);

SteadyTime SteadyNow() { return std::chrono::steady_clock::now(); }

bool Retryable(int status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

std::string SslError(const boost::system::error_code& ec) { return ec.message(); }

}  // namespace

std::string QueryEscape(const std::string& value) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

struct RestClient::Impl : std::enable_shared_from_this<RestClient::Impl> {
  KubeConfig config;
  RestClientOptions options;
  asio::io_context ioc{1};
  asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
  ssl::context tls{ssl::context::tls_client};       // with the kubeconfig's client certificate
  ssl::context tls_anon{ssl::context::tls_client};  // without (for bearer_override)
  std::thread thread;
  std::thread::id thread_id;
  std::atomic<bool> running{true};
  std::vector<std::unique_ptr<Stream>> idle;  // keep-alive connections; I/O thread only

  Random& random() { return options.random ? *options.random : SecureRandom::Instance(); }

  Status SetUpTls(ssl::context& ctx, bool with_client_cert) {
    boost::system::error_code ec;
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                    ec);
    if (config.insecure_skip_tls_verify) {
      ctx.set_verify_mode(ssl::verify_none, ec);
    } else {
      ctx.set_verify_mode(ssl::verify_peer, ec);
      ctx.add_certificate_authority(asio::buffer(config.ca_pem), ec);
      if (ec) {
        return Status::InvalidArgument("certificate-authority-data",
                                       "is not a usable PEM CA bundle: " + SslError(ec));
      }
    }
    if (with_client_cert && !config.client_cert_pem.empty()) {
      ctx.use_certificate_chain(asio::buffer(config.client_cert_pem), ec);
      if (ec) {
        return Status::InvalidArgument("client-certificate-data",
                                       "is not a usable PEM certificate: " + SslError(ec));
      }
      ctx.use_private_key(asio::buffer(config.client_key_pem.Reveal()), ssl::context::pem, ec);
      if (ec) {
        return Status::InvalidArgument(
            "client-key-data",
            "is not a usable PEM private key for the certificate: " + SslError(ec));
      }
    }
    return Status::Ok();
  }

  // A connected, TLS-established stream; reuses an idle one when `reuse`. `anon`: without the
  // kubeconfig's client certificate (for bearer_override); such streams are never pooled.
  asio::awaitable<StatusOr<std::unique_ptr<Stream>>> Connect(bool anon, bool reuse,
                                                             SteadyTime deadline, bool* reused) {
    *reused = false;
    if (reuse && !anon && !idle.empty()) {
      auto s = std::move(idle.back());
      idle.pop_back();
      *reused = true;
      co_return s;
    }
    tcp::resolver resolver(ioc);
    auto [rec, results] = co_await resolver.async_resolve(config.host, config.port, kToken);
    if (rec) co_return Status::Unavailable("cannot resolve " + config.host + ": " + rec.message());
    auto stream = std::make_unique<Stream>(ioc, anon ? tls_anon : tls);
    if (!config.insecure_skip_tls_verify) {
      stream->set_verify_callback(ssl::host_name_verification(config.host));
    }
    boost::system::error_code addr_ec;
    (void)asio::ip::make_address(config.host, addr_ec);
    if (addr_ec) {  // SNI only for names, never for IP addresses
      SSL_ctrl(stream->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(config.host.c_str()));
    }
    auto& tcp_layer = beast::get_lowest_layer(*stream);
    tcp_layer.expires_at(deadline);
    auto [cec, ep] = co_await tcp_layer.async_connect(results, kToken);
    if (cec) {
      co_return Status::Unavailable("cannot connect to " + config.server + ": " + cec.message());
    }
    tcp_layer.expires_at(deadline);
    auto [hec] = co_await stream->async_handshake(ssl::stream_base::client, kToken);
    if (hec) {
      co_return Status::Unavailable("TLS handshake with " + config.server +
                                    " failed: " + SslError(hec));
    }
    co_return stream;
  }

  bhttp::request<bhttp::string_body> BuildRequest(const Request& r) {
    bhttp::request<bhttp::string_body> req;
    req.version(11);
    const bhttp::verb verb = bhttp::string_to_verb(r.method);
    if (verb == bhttp::verb::unknown) {
      req.method_string(r.method);
    } else {
      req.method(verb);
    }
    req.target(r.path);
    const bool ipv6 = config.host.find(':') != std::string::npos;
    req.set(bhttp::field::host, (ipv6 ? "[" + config.host + "]" : config.host) + ":" + config.port);
    req.set(bhttp::field::user_agent, "hearth/" HEARTH_VERSION);
    req.set(bhttp::field::accept, "application/json");
    if (!r.bearer_override.empty()) {
      req.set(bhttp::field::authorization, "Bearer " + r.bearer_override);
    } else if (!config.token.empty()) {
      req.set(bhttp::field::authorization, "Bearer " + config.token.Reveal());
    }
    if (!r.body.empty()) {
      req.set(bhttp::field::content_type,
              r.content_type.empty() ? "application/json" : r.content_type);
      req.body() = r.body;
    }
    req.keep_alive(true);
    req.prepare_payload();
    return req;
  }

  // One attempt. `*sent` tells whether the request may have reached the server.
  asio::awaitable<StatusOr<Response>> Once(const Request& r, SteadyTime deadline, bool* sent) {
    const bool anon = !r.bearer_override.empty();
    for (int attempt = 0; attempt < 2; ++attempt) {
      *sent = false;
      bool reused = false;
      auto conn = co_await Connect(anon, /*reuse=*/true, deadline, &reused);
      if (!conn.ok()) co_return conn.status();
      std::unique_ptr<Stream> stream = std::move(*conn);
      auto req = BuildRequest(r);
      beast::get_lowest_layer(*stream).expires_at(deadline);
      *sent = true;
      auto [wec, wn] = co_await bhttp::async_write(*stream, req, kToken);
      beast::flat_buffer buffer;
      bhttp::response_parser<bhttp::string_body> parser;
      parser.body_limit(options.body_limit);
      boost::system::error_code ec = wec;
      if (!ec) {
        auto [rec, rn] = co_await bhttp::async_read(*stream, buffer, parser, kToken);
        ec = rec;
      }
      if (ec) {
        // A kept-alive connection the server closed meanwhile: try once on a fresh one. A POST
        // is safe to resend only if nothing came back, which is the case here.
        if (reused && attempt == 0 && ec != beast::error::timeout) continue;
        if (ec == beast::error::timeout) {
          co_return Status(Code::kDeadlineExceeded,
                           r.method + " " + r.path + " to " + config.server + " timed out",
                           "timeout");
        }
        co_return Status::Unavailable(r.method + " " + r.path + " to " + config.server + ": " +
                                      ec.message());
      }
      const auto& res = parser.get();
      Response out;
      out.status = static_cast<int>(res.result_int());
      out.body = res.body();
      out.content_type = std::string(res[bhttp::field::content_type]);
      if (res.keep_alive() && !anon && idle.size() < 8) {
        beast::get_lowest_layer(*stream).expires_never();
        idle.push_back(std::move(stream));
      }
      co_return out;
    }
    co_return Status::Unavailable("unreachable");
  }

  asio::awaitable<void> Run(Request r, Callback done) {
    const SteadyTime deadline = SteadyNow() + r.timeout;
    Backoff backoff(random(), std::chrono::milliseconds(100), options.max_backoff);
    asio::steady_timer timer(ioc);
    for (;;) {
      bool sent = false;
      StatusOr<Response> result = co_await Once(r, deadline, &sent);
      bool retry = false;
      if (result.ok()) {
        retry = Retryable(result->status) && r.method != "POST";
      } else {
        retry = result.status().code() == Code::kUnavailable && !(r.method == "POST" && sent);
      }
      const Duration wait = backoff.Next();
      if (!retry || SteadyNow() + wait >= deadline) {
        done(std::move(result));
        co_return;
      }
      timer.expires_after(wait);
      co_await timer.async_wait(kToken);
    }
  }
};

namespace {

// One list+watch loop (see Client::StartWatch). Its coroutine runs on the client's thread.
class WatchImpl final : public Watch, public std::enable_shared_from_this<WatchImpl> {
 public:
  WatchImpl(std::shared_ptr<RestClient::Impl> client, WatchOptions options,
            Client::EventHandler handler)
      : client_(std::move(client)),
        options_(std::move(options)),
        handler_(std::move(handler)),
        timer_(client_->ioc) {}

  void Start() {
    auto self = shared_from_this();
    asio::co_spawn(client_->ioc, Loop(),
                   [self](const std::exception_ptr&) { self->done_.set_value(); });
  }

  void Stop() override {
    if (stop_requested_.exchange(true)) return;
    auto self = shared_from_this();
    asio::post(client_->ioc, [self] {
      self->stopped_ = true;
      self->timer_.cancel();
      if (self->stream_ != nullptr) beast::get_lowest_layer(*self->stream_).cancel();
    });
    if (std::this_thread::get_id() == client_->thread_id) return;
    auto f = done_future_;
    while (f.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
      if (!client_->running) return;
    }
  }

  const WatchStats& stats() const override { return stats_; }

  std::string resource_version() const override {
    std::lock_guard<std::mutex> lock(rv_mu_);
    return rv_;
  }

 private:
  void SetRv(std::string rv) {
    std::lock_guard<std::mutex> lock(rv_mu_);
    rv_ = std::move(rv);
  }

  std::string Selectors() const {
    std::string q;
    if (!options_.label_selector.empty()) {
      q += "&labelSelector=" + QueryEscape(options_.label_selector);
    }
    if (!options_.field_selector.empty()) {
      q += "&fieldSelector=" + QueryEscape(options_.field_selector);
    }
    return q;
  }

  void Deliver(const WatchEvent& e) {
    if (stopped_) return;
    ++stats_.events;
    handler_(e);
  }

  asio::awaitable<void> Sleep(Backoff& backoff) {
    timer_.expires_after(backoff.Next());
    co_await timer_.async_wait(kToken);
  }

  // Lists the collection page by page. Returns false (after counting the error) on failure;
  // `gone` is set when the apiserver answered 410.
  asio::awaitable<bool> List(bool* gone) {
    *gone = false;
    std::vector<nlohmann::json> items;
    std::string cont, rv;
    do {
      Request r;
      r.path = options_.path + "?limit=" + std::to_string(options_.list_page_size) + Selectors();
      if (!cont.empty()) r.path += "&continue=" + QueryEscape(cont);
      bool sent = false;
      auto res = co_await client_->Once(r, SteadyNow() + std::chrono::seconds(60), &sent);
      if (stopped_) co_return false;
      if (!res.ok() || res->status != 200) {
        ++stats_.errors;
        if (res.ok() && res->status == 410) *gone = true;
        log::Warn("kube: list failed", {{"path", options_.path},
                                        {"error", res.ok() ? ToStatus(*res, "list").ToString()
                                                           : res.status().ToString()}});
        co_return false;
      }
      nlohmann::json j = res->Json();
      if (!j.is_object() || !j.contains("items") || !j["items"].is_array()) {
        ++stats_.errors;
        log::Warn("kube: list answer has no items", {{"path", options_.path}});
        co_return false;
      }
      for (auto& item : j["items"]) items.push_back(std::move(item));
      const auto& md = j.value("metadata", nlohmann::json::object());
      rv = md.value("resourceVersion", "");
      cont = md.value("continue", "");
    } while (!cont.empty());
    ++stats_.lists;
    for (const auto& e : cache_.Replace(items)) Deliver(e);
    SetRv(rv);
    stats_.synced = true;
    co_return true;
  }

  enum class WatchEnd { kTimeout, kGone, kError };

  // Applies one line of a watch stream. Returns false when the stream must end.
  bool HandleLine(const std::string& line, WatchEnd* end) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string() || !j.contains("object") ||
        !j["object"].is_object()) {
      ++stats_.errors;
      *end = WatchEnd::kError;
      return false;
    }
    const std::string type = j["type"];
    const nlohmann::json& obj = j["object"];
    if (type == "ERROR") {
      const int code = obj.value("code", 0);
      *end = code == 410 ? WatchEnd::kGone : WatchEnd::kError;
      if (code != 410) ++stats_.errors;
      return false;
    }
    const std::string rv = ObjectCache::ResourceVersion(obj);
    if (type == "BOOKMARK") {
      ++stats_.bookmarks;
      if (!rv.empty()) SetRv(rv);
      return true;
    }
    WatchEvent::Type t = WatchEvent::Type::kAdded;
    if (type == "MODIFIED") {
      t = WatchEvent::Type::kModified;
    } else if (type == "DELETED") {
      t = WatchEvent::Type::kDeleted;
    } else if (type != "ADDED") {
      return true;  // unknown event types are ignored
    }
    if (auto e = cache_.Apply(t, obj)) {
      Deliver(*e);
    } else {
      ++stats_.duplicates;
    }
    if (!rv.empty()) SetRv(rv);
    return true;
  }

  asio::awaitable<WatchEnd> WatchOnce() {
    Request r;
    r.path = options_.path + "?watch=1&allowWatchBookmarks=true&resourceVersion=" +
             QueryEscape(resource_version()) + "&timeoutSeconds=" +
             std::to_string(
                 std::chrono::duration_cast<std::chrono::seconds>(options_.watch_timeout).count()) +
             Selectors();
    const auto read_timeout = options_.watch_timeout + std::chrono::seconds(30);
    bool reused = false;
    auto conn = co_await client_->Connect(/*anon=*/false, /*reuse=*/false,
                                          SteadyNow() + std::chrono::seconds(30), &reused);
    if (!conn.ok()) {
      ++stats_.errors;
      co_return WatchEnd::kError;
    }
    // Watches never share a connection (and never use the idle pool): own stream, closed here.
    std::unique_ptr<Stream> stream = std::move(*conn);
    stream_ = stream.get();
    struct Clear {
      Stream** p;
      ~Clear() { *p = nullptr; }
    } clear{&stream_};
    if (stopped_) co_return WatchEnd::kError;
    auto req = client_->BuildRequest(r);
    req.keep_alive(false);
    beast::get_lowest_layer(*stream).expires_after(std::chrono::seconds(30));
    auto [wec, wn] = co_await bhttp::async_write(*stream, req, kToken);
    if (wec) {
      ++stats_.errors;
      co_return WatchEnd::kError;
    }
    ++stats_.watches;
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::buffer_body> parser;
    parser.body_limit(boost::none);
    beast::get_lowest_layer(*stream).expires_after(std::chrono::seconds(30));
    auto [hec, hn] = co_await bhttp::async_read_header(*stream, buffer, parser, kToken);
    if (hec) {
      ++stats_.errors;
      co_return WatchEnd::kError;
    }
    const int status = static_cast<int>(parser.get().result_int());
    if (status == 410) co_return WatchEnd::kGone;
    std::string pending;
    char chunk[16384];
    while (!parser.is_done()) {
      parser.get().body().data = chunk;
      parser.get().body().size = sizeof(chunk);
      beast::get_lowest_layer(*stream).expires_after(read_timeout);
      auto [ec, n] = co_await bhttp::async_read_some(*stream, buffer, parser, kToken);
      if (ec == bhttp::error::need_buffer) ec = {};
      if (stopped_) co_return WatchEnd::kError;
      pending.append(chunk, sizeof(chunk) - parser.get().body().size);
      if (ec) {
        ++stats_.errors;
        co_return WatchEnd::kError;
      }
      if (status != 200) continue;  // read the error body to its end
      size_t start = 0;
      for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
        if (nl == start) continue;
        WatchEnd end = WatchEnd::kTimeout;
        if (!HandleLine(pending.substr(start, nl - start), &end)) co_return end;
      }
      pending.erase(0, start);
    }
    if (status != 200) {
      ++stats_.errors;
      Response res{status, pending, ""};
      log::Warn("kube: watch refused",
                {{"path", options_.path}, {"error", ToStatus(res, "watch").ToString()}});
      co_return WatchEnd::kError;
    }
    co_return WatchEnd::kTimeout;  // the server ended the watch (timeoutSeconds)
  }

  asio::awaitable<void> Loop() {
    Backoff backoff(client_->random(), std::chrono::milliseconds(100),
                    client_->options.max_backoff);
    bool need_list = true;
    while (!stopped_) {
      if (need_list) {
        bool gone = false;
        if (!co_await List(&gone)) {
          if (stopped_) break;
          co_await Sleep(backoff);
          continue;
        }
        need_list = false;
        backoff.Reset();
      }
      const WatchEnd end = co_await WatchOnce();
      if (stopped_) break;
      switch (end) {
        case WatchEnd::kTimeout:
          backoff.Reset();
          break;
        case WatchEnd::kGone:
          ++stats_.gone;
          need_list = true;
          log::Info("kube: watch expired (410 Gone); relisting", {{"path", options_.path}});
          break;
        case WatchEnd::kError:
          co_await Sleep(backoff);
          break;
      }
    }
  }

  std::shared_ptr<RestClient::Impl> client_;
  WatchOptions options_;
  Client::EventHandler handler_;
  asio::steady_timer timer_;
  ObjectCache cache_;         // I/O thread only
  Stream* stream_ = nullptr;  // the open watch connection; I/O thread only
  bool stopped_ = false;      // I/O thread only
  std::atomic<bool> stop_requested_{false};
  std::promise<void> done_;
  std::shared_future<void> done_future_ = done_.get_future().share();
  WatchStats stats_;
  mutable std::mutex rv_mu_;
  std::string rv_;
};

// The handle given to callers: stops the watch when destroyed.
class WatchHandle final : public Watch {
 public:
  explicit WatchHandle(std::shared_ptr<WatchImpl> impl) : impl_(std::move(impl)) {}
  ~WatchHandle() override { impl_->Stop(); }
  void Stop() override { impl_->Stop(); }
  const WatchStats& stats() const override { return impl_->stats(); }
  std::string resource_version() const override { return impl_->resource_version(); }

 private:
  std::shared_ptr<WatchImpl> impl_;
};

}  // namespace

RestClient::RestClient(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

StatusOr<std::unique_ptr<RestClient>> RestClient::Create(KubeConfig config,
                                                         RestClientOptions options) {
  auto impl = std::make_shared<Impl>();
  impl->config = std::move(config);
  impl->options = options;
  HEARTH_RETURN_IF_ERROR(impl->SetUpTls(impl->tls, /*with_client_cert=*/true));
  HEARTH_RETURN_IF_ERROR(impl->SetUpTls(impl->tls_anon, /*with_client_cert=*/false));
  std::promise<std::thread::id> id;
  auto id_future = id.get_future();
  Impl* raw = impl.get();
  impl->thread = std::thread([raw, &id] {
    id.set_value(std::this_thread::get_id());
    raw->ioc.run();
  });
  impl->thread_id = id_future.get();
  return std::unique_ptr<RestClient>(new RestClient(std::move(impl)));
}

RestClient::~RestClient() {
  impl_->running = false;
  impl_->work.reset();
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void RestClient::Send(Request request, Callback done) {
  auto impl = impl_;
  asio::co_spawn(impl->ioc, impl->Run(std::move(request), std::move(done)), asio::detached);
}

std::unique_ptr<Watch> RestClient::StartWatch(WatchOptions options, EventHandler handler) {
  auto w = std::make_shared<WatchImpl>(impl_, std::move(options), std::move(handler));
  w->Start();
  return std::make_unique<WatchHandle>(std::move(w));
}

const std::string& RestClient::ca_pem() const { return impl_->config.ca_pem; }

bool RestClient::OnClientThread() const { return std::this_thread::get_id() == impl_->thread_id; }

}  // namespace hearth::kube
