// Which addresses a TCP port listens on, from the kernel's own tables (/proc/net/tcp and tcp6),
// so that verify sees what a server actually bound, not what its configuration claims.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pgstack::verify {

struct ListenSocket {
  std::string address;  // "127.0.0.1", "::1", "0.0.0.0", ...
  int port = 0;
};

// The LISTEN sockets of one /proc/net/tcp (ipv6 = false) or tcp6 (true) table.
std::vector<ListenSocket> ParseProcNetTcp(std::string_view text, bool ipv6);
// Both tables of this machine's network namespace.
std::vector<ListenSocket> ListeningSockets();

bool IsLoopback(std::string_view address);
// Whether a socket bound to `address` is allowed by a configured listen list (comma-separated,
// as listen_addresses and listen_addr take it): "*", a wildcard address, the address itself, or
// loopback, which is always allowed.
bool ListenAllowed(std::string_view address, std::string_view configured);

}  // namespace pgstack::verify
