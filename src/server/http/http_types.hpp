#pragma once
// The request and response that handlers see. Handlers never touch sockets or Beast types, so every
// route can be unit-tested by building an HttpRequest by hand.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/auth/auth_context.hpp"
#include "spooled/json.hpp"

namespace spooled::server {

struct HttpRequest {
  std::string method;  // upper case: "GET", "POST", ...
  std::string target;  // as sent: path plus query string
  std::string path;    // percent-decoded path, no query string
  std::map<std::string, std::string> query;    // percent-decoded query parameters (last one wins)
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::map<std::string, std::string> pathParams;  // filled by the router: "{id}" -> value
  std::string routePattern;                       // filled by the dispatcher: "/api/v1/jobs/{id}" (metrics)
  std::optional<AuthContext> auth;                // filled for routes that need an API key

  // Splits target into path and query (percent-decoding both).
  void setTarget(std::string target);

  std::optional<std::string> header(const std::string& lowerCaseName) const;
  std::optional<std::string> queryParam(const std::string& name) const;
  // The value of a "{name}" segment of the route; throws std::out_of_range when the route has none.
  const std::string& pathParam(const std::string& name) const { return pathParams.at(name); }
  // The caller; throws ApiError(Unauthorized) when the route was not authenticated (a wiring bug).
  const AuthContext& authContext() const;
};

// A response that stays open: an event stream (SSE) written after a 200 head, or a WebSocket the
// connection is upgraded to. The session drives it on the connection's strand and never blocks a thread
// while it waits: the source calls `wake` when it has something, the session then pulls it.
class ResponseStream {
 public:
  enum class Kind { EventStream, WebSocket };
  struct Batch {
    std::vector<std::string> messages;   // SSE: wire text to write; WebSocket: one text message each
    bool end = false;                    // after these, close
    std::optional<std::string> reason;   // why it ends early (WebSocket close reason); the source has
                                         // already put a message saying so in `messages`
    bool goingAway = false;              // it ends because the server is shutting down
  };
  virtual ~ResponseStream() = default;
  virtual Kind kind() const = 0;
  // Called once the stream is open, on the strand. `wake` may be called from any thread, any number of
  // times; it only schedules a pull().
  virtual void start(std::function<void()> wake) = 0;
  virtual Batch pull() = 0;
  // Sent after a quiet interval, so proxies keep the connection and dead peers are noticed.
  virtual std::string keepAlive() = 0;
  // A text message from a WebSocket client; replies go out through pull().
  virtual void receive(const std::string& text) = 0;
  // The connection ended (either side, or shutdown). Called once.
  virtual void stop() = 0;
};

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string contentType = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, e.g. Allow
  // Set for a streaming answer: status, body and contentType are then ignored, headers are kept.
  std::shared_ptr<ResponseStream> stream;

  static HttpResponse json(int status, const spooled::json& body);
  // A response without a body (204, or a bare 200 / 503 for probes).
  static HttpResponse empty(int status);
};

// "%41b+c" -> "Ab c" ('+' is a space only when plusIsSpace, i.e. in query strings).
std::string percentDecode(std::string_view text, bool plusIsSpace);

}  // namespace spooled::server
