// What the testdb integration tests share: the real binary started in the background (for
// SIGKILL and for `serve`), a plain HTTP/1.1 client over a socket, and queries as the
// administrator on the shared stack.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "fixture.h"

namespace pgstack::testing {

inline void WriteFile(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

// Starts pgstack with the shared stack's flags and args, output to log; returns its pid.
inline pid_t SpawnPgstack(const std::vector<std::string>& args, const std::string& log,
                          const std::vector<std::string>& env = {}) {
  const TestStack& s = TestStack::Shared();
  std::string bin =
      (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "pgstack").string();
  std::vector<std::string> full = {
      bin,           "--config",   SourceDir() + "/config/database.json", "--env", s.env().name,
      "--state-dir", s.state_dir()};
  full.insert(full.end(), args.begin(), args.end());
  pid_t pid = fork();
  if (pid == 0) {
    for (const std::string& e : env) putenv(const_cast<char*>(e.c_str()));
    if (!freopen(log.c_str(), "w", stdout)) _exit(126);
    dup2(1, 2);
    std::vector<char*> argv;
    for (auto& a : full) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

// Waits for pid with a bound; its exit code, 128+signal, or -1 when it outlived the bound.
inline int WaitExit(pid_t pid, int bound_ms) {
  for (int waited = 0; waited <= bound_ms; waited += 20) {
    int st = 0;
    if (waitpid(pid, &st, WNOHANG) == pid) {
      return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

inline void KillAndReap(pid_t pid) {
  kill(pid, SIGKILL);
  int st = 0;
  waitpid(pid, &st, 0);
}

struct HttpReply {
  int status = 0;  // 0: no answer
  std::string body;
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

// One request on its own connection ("Connection: close"), or on `fd` when given.
inline HttpReply HttpCall(int port, const std::string& method, const std::string& path,
                          const std::string& body = "") {
  HttpReply r;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return r;
  }
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
  if (!body.empty()) {
    req +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  (void)!write(fd, req.data(), req.size());
  std::string in;
  char buf[8192];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) in.append(buf, static_cast<size_t>(n));
  close(fd);
  if (in.size() < 12) return r;
  r.status = std::stoi(in.substr(9, 3));
  size_t end = in.find("\r\n\r\n");
  if (end != std::string::npos) r.body = in.substr(end + 4);
  return r;
}

// A scalar as the administrator in the maintenance database.
inline std::string AdminScalar(const std::string& sql) {
  auto c = TestStack::Shared().Superuser();
  EXPECT_TRUE(c.ok()) << c.status().message();
  if (!c.ok()) return "";
  auto r = c->Exec(sql);
  EXPECT_TRUE(r.ok()) << sql << ": " << r.status().message();
  return r.ok() ? r->scalar() : "";
}

// A scalar in the database a testdb JSON body names, with the credentials it hands out.
inline std::string ScalarAt(const nlohmann::json& body, const std::string& sql) {
  const nlohmann::json& c = body["database"]["config"];
  pg::ConnParams p{.host = c["host"],
                   .port = c["port"],
                   .user = c["username"],
                   .dbname = c["database"],
                   .password = c["password"],
                   .sslmode = "disable"};
  auto conn = pg::Connection::Open(p);
  EXPECT_TRUE(conn.ok()) << conn.status().message();
  if (!conn.ok()) return "<no connection>";
  auto r = conn->Exec(sql);
  EXPECT_TRUE(r.ok()) << sql << ": " << r.status().message();
  return r.ok() ? r->scalar() : "<error>";
}

}  // namespace pgstack::testing
