#include "pgstack/testdb/http_server.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <list>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace pgstack::testdb {
namespace {

using Clock = std::chrono::steady_clock;

// The short answers the reading thread gives itself (errors before any handler runs): they
// never block it; what does not fit into the socket's buffer is lost with the connection.
void SendNow(int fd, const HttpResponse& r) {
  std::string data = Serialize(r, false);
  (void)send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

// All of data on a non-blocking socket, waiting for room at most timeout in all.
bool SendAll(int fd, std::string_view data, std::chrono::milliseconds timeout) {
  auto until = Clock::now() + timeout;
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    pollfd p{fd, POLLOUT, 0};
    if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) == 0) return false;
  }
  return true;
}

// "Authorization: Bearer <token>" (the scheme in any case), compared in constant time.
bool Authorized(const HttpRequest& req, const std::string& token) {
  if (token.empty()) return true;
  std::string_view h = req.header("authorization");
  constexpr std::string_view kScheme = "bearer ";
  if (h.size() != kScheme.size() + token.size()) return false;
  unsigned diff = 0;
  for (size_t i = 0; i < kScheme.size(); ++i) diff |= (h[i] | 0x20) ^ kScheme[i];
  for (size_t i = 0; i < token.size(); ++i) diff |= h[kScheme.size() + i] ^ token[i];
  return diff == 0;
}

HttpResponse Answer(const Handler& handler, const HttpRequest& req, const std::string& token) {
  if (!Authorized(req, token)) {
    HttpResponse r = ErrorResponse(401, "a bearer token is required (Authorization: Bearer ...)");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  try {
    return handler(req);
  } catch (const std::exception& e) {
    return ErrorResponse(500, e.what());
  } catch (...) {
    return ErrorResponse(500, "internal error");
  }
}

// The reading thread of HttpServer::Serve: accepts, reads each connection as bytes come
// (epoll), enforces the deadlines, and starts a thread per complete request. Connections live
// in conns_, touched only by this thread; while a handler has one (busy) it is out of epoll,
// and the handler's thread gives it back through back_ and the eventfd wake_.
class Loop {
 public:
  Loop(const ServerOptions& o, int listen_fd, int stop_fd, const Handler& handler)
      : o_(o), handler_(handler), listen_fd_(listen_fd), stop_fd_(stop_fd) {}
  ~Loop();
  Status Run();

 private:
  struct Conn {
    int fd;
    RequestReader reader;
    bool busy = false;
  };
  struct Worker {
    std::thread thread;
    std::atomic<bool> done{false};
  };
  void Watch(int fd, bool on);
  void Accept(Clock::time_point now);
  void Read(Conn& c, Clock::time_point now);
  void Advance(Conn& c, Clock::time_point now);
  void Dispatch(Conn& c, HttpRequest req);
  void TakeBack(Clock::time_point now);
  void Sweep(Clock::time_point now);
  void Reap();
  void Close(int fd);

  const ServerOptions& o_;
  const Handler& handler_;
  const int listen_fd_, stop_fd_;
  int ep_ = -1, wake_ = -1;
  std::unordered_map<int, Conn> conns_;
  std::list<Worker> workers_;
  std::mutex back_mu_;
  std::vector<std::pair<int, bool>> back_;  // connections handled, and whether to keep them
  std::atomic<bool> stopping_{false};
  Clock::time_point drain_until_;
  std::optional<Clock::time_point> accept_paused_until_;  // out of descriptors
};

Loop::~Loop() {
  for (Worker& w : workers_) w.thread.join();
  for (auto& [fd, c] : conns_) close(fd);
  if (ep_ >= 0) close(ep_);
  if (wake_ >= 0) close(wake_);
}

void Loop::Watch(int fd, bool on) {
  epoll_event e{};
  e.events = EPOLLIN;
  e.data.fd = fd;
  (void)epoll_ctl(ep_, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, fd, &e);
}

Status Loop::Run() {
  ep_ = epoll_create1(EPOLL_CLOEXEC);
  wake_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (ep_ < 0 || wake_ < 0) return Status::Failure(std::string("epoll: ") + std::strerror(errno));
  for (int fd : {listen_fd_, stop_fd_, wake_}) Watch(fd, true);
  epoll_event events[256];
  auto next_sweep = Clock::now();
  while (!stopping_ || !conns_.empty() || !workers_.empty()) {
    int n = epoll_wait(ep_, events, 256, 100);
    if (n < 0 && errno != EINTR)
      return Status::Failure(std::string("epoll_wait: ") + std::strerror(errno));
    auto now = Clock::now();
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == listen_fd_) {
        Accept(now);
      } else if (fd == stop_fd_) {
        stopping_ = true;
        drain_until_ = now + std::chrono::seconds(2);
        Watch(stop_fd_, false);
        Watch(listen_fd_, false);
        next_sweep = now;
      } else if (fd == wake_) {
        TakeBack(now);
      } else if (auto it = conns_.find(fd); it != conns_.end() && !it->second.busy) {
        Read(it->second, now);
      }
    }
    if (now >= next_sweep) {
      Sweep(now);
      next_sweep = now + std::chrono::milliseconds(100);
    }
    Reap();
  }
  return Status::Ok();
}

void Loop::Accept(Clock::time_point now) {
  while (true) {
    int c = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (c < 0) {
      // Out of descriptors: stop accepting for a moment rather than spin on a readable socket.
      if (errno == EMFILE || errno == ENFILE) {
        Watch(listen_fd_, false);
        accept_paused_until_ = now + std::chrono::milliseconds(100);
      }
      return;
    }
    if (static_cast<int>(conns_.size()) >= o_.max_connections) {
      SendNow(c, ErrorResponse(503, "too many connections"));
      close(c);
      continue;
    }
    int one = 1;
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    conns_.emplace(c, Conn{c, RequestReader(o_.limits, now)});
    Watch(c, true);
  }
}

void Loop::Read(Conn& c, Clock::time_point now) {
  // One buffer's worth per wake-up: a client that sends fast cannot make the others wait.
  char buf[64 * 1024];
  ssize_t n = recv(c.fd, buf, sizeof buf, 0);
  if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) return;
  if (n <= 0) return Close(c.fd);
  c.reader.Append(std::string_view(buf, static_cast<size_t>(n)), now);
  Advance(c, now);
}

void Loop::Advance(Conn& c, Clock::time_point now) {
  ReadStep step = c.reader.Next(now);
  switch (step.kind) {
    case ReadStep::Kind::kMore:
      return;
    case ReadStep::Kind::kClose:
      return Close(c.fd);
    case ReadStep::Kind::kReject:
      SendNow(c.fd, ErrorResponse(step.status, step.error));
      return Close(c.fd);
    case ReadStep::Kind::kRequest:
      return Dispatch(c, std::move(step.request));
  }
}

void Loop::Dispatch(Conn& c, HttpRequest req) {
  if (static_cast<int>(workers_.size()) >= o_.max_in_flight) {
    SendNow(c.fd, ErrorResponse(503, "too many requests in flight"));
    return Close(c.fd);
  }
  c.busy = true;
  Watch(c.fd, false);
  Worker& w = workers_.emplace_back();
  w.thread = std::thread([this, fd = c.fd, req = std::move(req), &w] {
    HttpResponse resp = Answer(handler_, req, o_.token);
    bool keep = req.keep_alive && !stopping_;
    bool sent = SendAll(fd, Serialize(resp, keep), o_.send_timeout);
    {
      std::lock_guard lock(back_mu_);
      back_.emplace_back(fd, sent && keep);
    }
    uint64_t one = 1;
    (void)!write(wake_, &one, sizeof one);
    w.done = true;
  });
}

void Loop::TakeBack(Clock::time_point now) {
  uint64_t count = 0;
  (void)!read(wake_, &count, sizeof count);
  std::vector<std::pair<int, bool>> back;
  {
    std::lock_guard lock(back_mu_);
    back.swap(back_);
  }
  for (auto [fd, keep] : back) {
    auto it = conns_.find(fd);
    if (it == conns_.end()) continue;
    it->second.busy = false;
    if (!keep) {
      Close(fd);
      continue;
    }
    it->second.reader.Resume(now);
    Watch(fd, true);
    Advance(it->second, now);  // a request pipelined behind the last one may be in already
  }
}

void Loop::Sweep(Clock::time_point now) {
  if (accept_paused_until_ && now >= *accept_paused_until_ && !stopping_) {
    accept_paused_until_.reset();
    Watch(listen_fd_, true);
  }
  // Draining: idle connections close now; one in the middle of a request gets a moment.
  std::vector<int> due, drop;
  for (auto& [fd, c] : conns_) {
    if (c.busy) continue;
    if (stopping_ && (c.reader.idle() || now >= drain_until_)) {
      drop.push_back(fd);
    } else if (now >= c.reader.deadline()) {
      due.push_back(fd);
    }
  }
  for (int fd : drop) Close(fd);
  for (int fd : due) Advance(conns_.at(fd), now);
}

void Loop::Reap() {
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (!it->done) {
      ++it;
      continue;
    }
    it->thread.join();
    it = workers_.erase(it);
  }
}

void Loop::Close(int fd) {
  Watch(fd, false);
  close(fd);
  conns_.erase(fd);
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
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
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
  Status s;
  {
    Loop loop(o_, fd_, stop_fd, handler);
    s = loop.Run();
  }
  close(fd_);
  fd_ = -1;
  return s;
}

bool IsLoopbackHost(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0) return false;
  bool loopback = res != nullptr;
  for (addrinfo* a = res; a; a = a->ai_next) {
    if (a->ai_family == AF_INET) {
      auto* v4 = reinterpret_cast<sockaddr_in*>(a->ai_addr);
      loopback = loopback && (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
    } else if (a->ai_family == AF_INET6) {
      auto* v6 = reinterpret_cast<sockaddr_in6*>(a->ai_addr);
      loopback = loopback && IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
    } else {
      loopback = false;
    }
  }
  freeaddrinfo(res);
  return loopback;
}

std::string BaseUrl(const std::string& host, int port) {
  bool v6 = host.find(':') != std::string::npos;
  return fmt::format("http://{}{}{}:{}", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

}  // namespace pgstack::testdb
