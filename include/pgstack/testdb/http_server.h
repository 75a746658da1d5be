// A small HTTP/1.1 server on POSIX sockets. One thread reads every connection (epoll), so that
// thousands of idle or slow connections cost a descriptor and a few bytes each; a request is
// handed to a thread of its own only once it has fully arrived (its handler may wait on
// PostgreSQL for a while), and its connection comes back to the reader after the answer.
// Deadlines (http_reader.h) bound how long a request may take to arrive: a slow client cannot
// hold a slot. Keep-alive, and a stop that drains: once the stop descriptor turns readable it
// accepts nothing more, lets requests in flight finish and closes idle connections. What a
// request means is the handler's.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "pgstack/core/status.h"
#include "pgstack/testdb/http_reader.h"
#include "pgstack/testdb/http_request.h"
#include "pgstack/testdb/http_response.h"

namespace pgstack::testdb {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 5000;              // 0: any free port (see HttpServer::port)
  int max_connections = 10000;  // open connections; one more is answered 503 and closed
  int max_in_flight = 256;      // requests being handled at once; one more is answered 503
  ReadLimits limits;            // size and time bounds of a request (http_reader.h)
  std::chrono::milliseconds send_timeout{30000};  // a client that does not read its answer
  // Non-empty: every request must carry "Authorization: Bearer <token>", else 401.
  std::string token;
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
  ServerOptions o_;
  int fd_;
  int port_;
};

// "HOST:PORT", "[V6]:PORT" or ":PORT" (HOST defaults to 127.0.0.1); kInvalidInput naming flag.
Status ParseListen(const std::string& text, const std::string& flag, ServerOptions& o);
// Whether every address host stands for is a loopback one (127.0.0.0/8, ::1); false when it
// does not resolve.
bool IsLoopbackHost(const std::string& host);
// "http://HOST:PORT", an IPv6 address in brackets.
std::string BaseUrl(const std::string& host, int port);

}  // namespace pgstack::testdb
