// testdb's HTTP server over loopback sockets, with a handler that needs no database: it keeps
// serving under a slow-client attack, and it gives up on requests that do not arrive in time.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "http_client.h"
#include "pgstack/core/wait.h"
#include "pgstack/testdb/http_server.h"

namespace pgstack::testdb {
namespace {

using std::chrono::milliseconds;

int Connect(int port) { return testing::ConnectLoopback(port); }

// Everything the server sends on fd until it closes it (or 10 s pass).
std::string ReadToClose(int fd) {
  std::string out;
  char buf[4096];
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// The status code of one request sent whole on a connection of its own; 0 when none came.
int StatusOf(int port, const std::string& request) {
  int fd = Connect(port);
  if (fd < 0) return 0;
  (void)send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string reply = ReadToClose(fd);
  close(fd);
  return reply.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(reply.substr(9, 3)) : 0;
}

// A server on a free loopback port with a handler that answers 200 at once; stopped at the end.
class Served {
 public:
  explicit Served(ServerOptions o) {
    o.host = "127.0.0.1";
    o.port = 0;
    auto s = HttpServer::Listen(o);
    EXPECT_TRUE(s.ok()) << s.status().message();
    server_ = std::move(*s);
    EXPECT_EQ(pipe2(stop_, O_CLOEXEC), 0);
    thread_ = std::thread([this] {
      (void)server_->Serve([](const HttpRequest&) { return HttpResponse{200, "{}\n"}; }, stop_[0]);
    });
  }
  ~Served() {
    (void)!write(stop_[1], "x", 1);
    thread_.join();
    close(stop_[0]);
    close(stop_[1]);
  }
  int port() const { return server_->port(); }

 private:
  std::unique_ptr<HttpServer> server_;
  int stop_[2] = {-1, -1};
  std::thread thread_;
};

// n clients that each send a request line and then one header line every 200 ms, forever,
// connecting again whenever the server drops them (the acceptance check's attack, faster).
class SlowClients {
 public:
  SlowClients(int port, int n) : port_(port), fds_(n, -1) {
    thread_ = std::thread([this] { Run(); });
  }
  ~SlowClients() {
    stop_ = true;
    thread_.join();
    for (int fd : fds_)
      if (fd >= 0) close(fd);
  }
  int connections() const { return connections_; }

 private:
  void Open(int& fd) {
    fd = Connect(port_);
    if (fd < 0) return;
    ++connections_;
    std::string start = "GET /slow HTTP/1.1\r\nHost: x\r\n";
    (void)send(fd, start.data(), start.size(), MSG_NOSIGNAL);
  }
  void Run() {
    for (int& fd : fds_) Open(fd);
    while (!stop_) {
      std::vector<pollfd> p;
      for (int fd : fds_) p.push_back({fd, POLLIN, 0});
      (void)poll(p.data(), p.size(), 200);
      for (size_t i = 0; i < fds_.size(); ++i) {
        char buf[512];
        bool gone = fds_[i] < 0 || ((p[i].revents & (POLLIN | POLLHUP | POLLERR)) &&
                                    recv(fds_[i], buf, sizeof buf, MSG_DONTWAIT) >= 0);
        if (!gone && send(fds_[i], "X-Slow: 1\r\n", 11, MSG_NOSIGNAL) < 0) gone = true;
        if (!gone) continue;
        if (fds_[i] >= 0) close(fds_[i]);
        Open(fds_[i]);
      }
    }
  }
  int port_;
  std::vector<int> fds_;
  std::atomic<int> connections_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(TestdbHttpServer, ServesANormalRequestWhile300SlowClientsKeepReconnecting) {
  Served server{ServerOptions{}};
  SlowClients attack(server.port(), 300);
  Status all = core::WaitUntil({.what = "300 slow clients to connect"}, [&] {
    return attack.connections() >= 300 ? core::Poll::Ready()
                                       : core::Poll::NotYet("some are not connected");
  });
  ASSERT_TRUE(all.ok()) << all.message();
  EXPECT_EQ(StatusOf(server.port(), "GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
            200);
}

ServerOptions ShortDeadlines() {
  ServerOptions o;
  o.limits.header_timeout = milliseconds(300);
  o.limits.body_timeout = milliseconds(300);
  return o;
}

TEST(TestdbHttpServer, AHeaderDeadlineGivesUpOnATrickler) {
  Served server(ShortDeadlines());
  int fd = Connect(server.port());
  ASSERT_GE(fd, 0);
  (void)send(fd, "GET /a HTTP/1.1\r\n", 17, MSG_NOSIGNAL);
  // A header line every 50 ms, on and on: the server answers 408 and closes all the same.
  std::string reply;
  Status closed = core::WaitUntil({.what = "the server to give up on the trickler"}, [&] {
    (void)send(fd, "X-Slow: 1\r\n", 11, MSG_NOSIGNAL);
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) return core::Poll::NotYet("it still reads");
    reply = ReadToClose(fd);
    return core::Poll::Ready();
  });
  close(fd);
  ASSERT_TRUE(closed.ok()) << closed.message();
  EXPECT_EQ(reply.rfind("HTTP/1.1 408 ", 0), 0u) << reply;
}

TEST(TestdbHttpServer, ABodyDeadlineAnswers408) {
  Served server(ShortDeadlines());
  EXPECT_EQ(StatusOf(server.port(), "POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc"), 408);
  // A request that arrives in time is served as usual.
  EXPECT_EQ(StatusOf(server.port(),
                     "POST /a HTTP/1.1\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc"),
            200);
}

TEST(TestdbHttpServer, ATokenIsRequiredWhenSet) {
  ServerOptions o;
  o.token = "s3cret";
  Served server(o);
  std::string get = "GET /a HTTP/1.1\r\nConnection: close\r\n";
  EXPECT_EQ(StatusOf(server.port(), get + "\r\n"), 401);
  EXPECT_EQ(StatusOf(server.port(), get + "Authorization: Bearer wrong!\r\n\r\n"), 401);
  EXPECT_EQ(StatusOf(server.port(), get + "Authorization: Bearer s3cret\r\n\r\n"), 200);
}

TEST(TestdbHttpServer, LoopbackHostsAndBaseUrls) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("::"));
  EXPECT_EQ(BaseUrl("::", 39845), "http://[::]:39845");
  EXPECT_EQ(BaseUrl("127.0.0.1", 5000), "http://127.0.0.1:5000");
}

}  // namespace
}  // namespace pgstack::testdb
