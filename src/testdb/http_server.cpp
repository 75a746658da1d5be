#include "pgstack/testdb/http_server.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <list>
#include <thread>

#include "pgstack/core/wait.h"

namespace pgstack::testdb {
namespace {

bool Readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, 0) > 0;
}

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

HttpResponse Guarded(const Handler& handler, const HttpRequest& req) {
  try {
    return handler(req);
  } catch (const std::exception& e) {
    return ErrorResponse(500, e.what());
  } catch (...) {
    return ErrorResponse(500, "internal error");
  }
}

}  // namespace

Status ParseListen(const std::string& text, const std::string& flag, ServerOptions& o) {
  size_t colon = text.rfind(':');
  auto bad = [&] {
    return Status::InvalidInput(
        fmt::format("{} {}: want HOST:PORT (e.g. 127.0.0.1:5000)", flag, text));
  };
  if (colon == std::string::npos) return bad();
  std::string host = text.substr(0, colon), port = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "127.0.0.1";
  int p = 0;
  for (char c : port) {
    if (c < '0' || c > '9' || p > 65535) return bad();
    p = p * 10 + (c - '0');
  }
  if (port.empty() || p > 65535) return bad();
  o.host = host;
  o.port = p;
  return Status::Ok();
}

Result<std::unique_ptr<HttpServer>> HttpServer::Listen(const ServerOptions& o) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string port = std::to_string(o.port);
  if (int rc = getaddrinfo(o.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    return Status::InvalidInput(fmt::format("listen {}:{}: {}", o.host, o.port, gai_strerror(rc)));
  }
  std::string err = "no address";
  int fd = -1;
  for (addrinfo* a = res; a && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, 128) != 0) {
      err = std::strerror(errno);
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  if (fd < 0) return Status::Failure(fmt::format("listen {}:{}: {}", o.host, o.port, err));
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  int actual = bound.ss_family == AF_INET6
                   ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                   : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return std::unique_ptr<HttpServer>(new HttpServer(o, fd, actual));
}

HttpServer::~HttpServer() {
  if (fd_ >= 0) close(fd_);
}

Status HttpServer::Serve(const Handler& handler, int stop_fd) {
  struct Conn {
    std::thread thread;
    std::atomic<bool> done{false};
  };
  std::list<Conn> conns;
  auto reap = [&conns] {
    for (auto it = conns.begin(); it != conns.end();) {
      if (!it->done) {
        ++it;
        continue;
      }
      it->thread.join();
      it = conns.erase(it);
    }
  };
  while (true) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_fd, POLLIN, 0}};
    int n = poll(fds, 2, 1000);
    reap();
    if (n < 0 && errno != EINTR)
      return Status::Failure(std::string("poll: ") + std::strerror(errno));
    if (fds[1].revents) break;
    if (n <= 0 || !(fds[0].revents & POLLIN)) continue;
    int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) {
      // Out of descriptors: give the connections a moment to finish rather than spin.
      if (errno == EMFILE || errno == ENFILE)
        PGSTACK_RETURN_IF_ERROR(core::Pause(std::chrono::milliseconds(10)));
      continue;
    }
    if (static_cast<int>(conns.size()) >= o_.max_connections) {
      (void)SendAll(c, Serialize(ErrorResponse(503, "too many connections"), false));
      close(c);
      continue;
    }
    int one = 1;
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    Conn& slot = conns.emplace_back();
    slot.thread = std::thread([this, c, &handler, stop_fd, &slot] {
      ServeConnection(c, handler, stop_fd);
      slot.done = true;
    });
  }
  close(fd_);
  fd_ = -1;
  for (Conn& c : conns) c.thread.join();
  return Status::Ok();
}

void HttpServer::ServeConnection(int fd, const Handler& handler, int stop_fd) {
  std::string buf;
  char chunk[64 * 1024];
  bool stopping = false;
  while (true) {
    ParseResult p = ParseHttpRequest(buf, o_.max_body);
    if (p.state == ParseResult::State::kComplete) {
      HttpResponse resp = Guarded(handler, p.request);
      stopping = stopping || Readable(stop_fd);
      bool keep = p.request.keep_alive && !stopping;
      if (!SendAll(fd, Serialize(resp, keep)) || !keep) break;
      buf.erase(0, p.consumed);
      continue;
    }
    if (p.state == ParseResult::State::kBad) {
      (void)SendAll(fd, Serialize(ErrorResponse(p.status, p.error), false));
      break;
    }
    // Draining: an idle connection closes now; one in the middle of a request gets a moment.
    pollfd fds[2] = {{fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
    int n = poll(fds, stopping ? 1 : 2, stopping ? 2000 : o_.idle_timeout_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (!stopping && fds[1].revents) {
      stopping = true;
      if (buf.empty() && !(fds[0].revents & POLLIN)) break;
    }
    if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    ssize_t got = recv(fd, chunk, sizeof chunk, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    buf.append(chunk, static_cast<size_t>(got));
  }
  close(fd);
}

}  // namespace pgstack::testdb
