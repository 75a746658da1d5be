#include "http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace pgstack::testing {

int ConnectLoopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

HttpReply HttpCall(int port, const std::string& method, const std::string& path,
                   const std::string& body) {
  HttpReply r;
  int fd = ConnectLoopback(port);
  if (fd < 0) return r;
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

}  // namespace pgstack::testing
