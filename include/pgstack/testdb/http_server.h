// A small HTTP/1.1 server on POSIX sockets: one listening socket, a thread per connection (each
// request may wait on PostgreSQL for a while), keep-alive, and a stop that drains: once the
// stop descriptor turns readable it accepts nothing more, lets requests in flight finish and
// closes idle connections. Parsing is http_request.h; what a request means is the handler's.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "pgstack/core/status.h"
#include "pgstack/testdb/http_request.h"
#include "pgstack/testdb/http_response.h"

namespace pgstack::testdb {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 5000;  // 0: any free port (see HttpServer::port)
  int max_connections = 256;
  int idle_timeout_ms = 30000;  // a keep-alive connection silent this long is closed
  size_t max_body = 1 << 20;
};

using Handler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  // Binds and listens now, so that a taken port is an error before anything else happens.
  static Result<std::unique_ptr<HttpServer>> Listen(const ServerOptions& o);
  ~HttpServer();
  int port() const { return port_; }
  const std::string& host() const { return o_.host; }

  // Serves until stop_fd is readable, then drains and returns. Requests in flight run to
  // their end: a handler that may wait long must give up when asked to stop.
  Status Serve(const Handler& handler, int stop_fd);

 private:
  HttpServer(ServerOptions o, int fd, int port) : o_(std::move(o)), fd_(fd), port_(port) {}
  void ServeConnection(int fd, const Handler& handler, int stop_fd);
  ServerOptions o_;
  int fd_;
  int port_;
};

// "HOST:PORT", "[V6]:PORT" or ":PORT" (HOST defaults to 127.0.0.1); kInvalidInput naming flag.
Status ParseListen(const std::string& text, const std::string& flag, ServerOptions& o);

}  // namespace pgstack::testdb
