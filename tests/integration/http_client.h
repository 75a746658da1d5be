// A plain HTTP/1.1 client over a loopback socket, for tests of pgstack's HTTP servers: what a
// real client sends, and the status and body it gets back.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace pgstack::testing {

struct HttpReply {
  int status = 0;  // 0: no answer (nothing listens, or the connection closed early)
  std::string body;
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

// A socket connected to 127.0.0.1:port, -1 when nothing listens there.
int ConnectLoopback(int port);

// One request on a connection of its own ("Connection: close"); a body is sent as JSON.
HttpReply HttpCall(int port, const std::string& method, const std::string& path,
                   const std::string& body = "");

}  // namespace pgstack::testing
