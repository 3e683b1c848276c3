// kube::Client: the coordinator's connection to one region's Kubernetes API (plain REST).
//
// A region holds one Client. All I/O runs on the client's own thread, so coordinator HTTP
// handlers never block on Kubernetes: they use the asynchronous Send()/Watch(), whose callbacks
// run on that thread (keep them short; hand work elsewhere). Background loops may use the
// blocking helpers (Call, Get, Create, ...), which must never be called from a callback.
// Every request has a timeout; transport failures and 429/5xx answers are retried with
// exponential backoff and jitter until the request's deadline (a POST only when it was never
// sent). Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/clock.h"
#include "common/status.h"

namespace hearth::kube {

struct Request {
  std::string method = "GET";  // GET, POST, PUT, PATCH, DELETE
  std::string path;            // "/api/v1/namespaces/kube-system/secrets?labelSelector=..."
  std::string body;
  std::string content_type;                     // default application/json when a body is given
  Duration timeout = std::chrono::seconds(30);  // total, including retries
  // Credentials for this request instead of the kubeconfig's (e.g. to test a bootstrap token):
  // when set, no client certificate is presented and this bearer token is sent.
  std::string bearer_override;
};

struct Response {
  int status = 0;
  std::string body;
  std::string content_type;
  nlohmann::json Json() const;  // null when the body is not JSON
};

// OK for 2xx; otherwise a Status from the apiserver's Status object: the HTTP code's canonical
// Code, the Kubernetes `reason` (e.g. "AlreadyExists", "Expired") and its message.
Status ToStatus(const Response& response, const std::string& what);

enum class PatchType {
  kMerge,           // application/merge-patch+json (RFC 7386)
  kStrategicMerge,  // application/strategic-merge-patch+json (built-in kinds only)
  kJson,            // application/json-patch+json (RFC 6902)
};
std::string ContentType(PatchType type);

struct WatchEvent {
  enum class Type { kAdded, kModified, kDeleted };
  Type type = Type::kAdded;
  nlohmann::json object;  // the object (for kDeleted: its last known state)
};

struct WatchOptions {
  std::string path;  // collection, e.g. "/api/v1/nodes" or "/api/v1/namespaces/x/configmaps"
  std::string label_selector;
  std::string field_selector;
  int list_page_size = 500;
  // Server-side end of one watch request; the client then resumes from the last version.
  Duration watch_timeout = std::chrono::minutes(5);
};

// Counters of one watch, readable from any thread.
struct WatchStats {
  std::atomic<int64_t> lists{0};       // full lists (the first one and every relist)
  std::atomic<int64_t> gone{0};        // 410 Gone answers that forced a relist
  std::atomic<int64_t> watches{0};     // watch requests opened
  std::atomic<int64_t> bookmarks{0};   // BOOKMARK events seen
  std::atomic<int64_t> events{0};      // events delivered to the handler
  std::atomic<int64_t> duplicates{0};  // events dropped because the handler had seen them
  std::atomic<int64_t> errors{0};      // failed requests (retried with backoff)
  std::atomic<bool> synced{false};     // the first list has been delivered
};

// A running list+watch. Destroying it (or Stop()) ends it; no callback runs after Stop returns
// (when called from another thread than the client's).
class Watch {
 public:
  virtual ~Watch() = default;
  virtual void Stop() = 0;
  virtual const WatchStats& stats() const = 0;
  // The resourceVersion the watch would resume from.
  virtual std::string resource_version() const = 0;
};

class Client {
 public:
  using Callback = std::function<void(StatusOr<Response>)>;
  using EventHandler = std::function<void(const WatchEvent&)>;

  virtual ~Client() = default;

  // Asynchronous request; `done` runs once on the client's thread with the final response
  // (any HTTP status) or a transport error after retries.
  virtual void Send(Request request, Callback done) = 0;

  // Keeps `handler` in step with the collection: a list, then a watch from its
  // resourceVersion with bookmarks; 410 Gone → relist; transport errors → resume with backoff.
  // After a relist the handler gets exactly the difference to what it saw (added, modified,
  // deleted), so no change is lost or delivered twice. `handler` runs on the client's thread.
  virtual std::unique_ptr<Watch> StartWatch(WatchOptions options, EventHandler handler) = 0;

  // The cluster CA bundle (PEM) from the kubeconfig.
  virtual const std::string& ca_pem() const = 0;

  // Blocking: Send and wait. Errors: kInternal when called on the client's thread.
  StatusOr<Response> Call(Request request);

  // Blocking JSON helpers; non-2xx answers become a Status (see ToStatus).
  StatusOr<nlohmann::json> Get(const std::string& path);
  StatusOr<nlohmann::json> Create(const std::string& collection_path, const nlohmann::json& obj);
  StatusOr<nlohmann::json> Patch(const std::string& path, PatchType type,
                                 const nlohmann::json& patch);
  // OK when the object is gone (including when it never existed).
  Status Delete(const std::string& path);

 protected:
  virtual bool OnClientThread() const = 0;
};

}  // namespace hearth::kube
