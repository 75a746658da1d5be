#include "listen_sockets.h"

#include <arpa/inet.h>

#include <cstdint>
#include <cstdlib>
#include <sstream>

#include "pgstack/core/files.h"

namespace pgstack::verify {
namespace {

constexpr std::string_view kListenState = "0A";  // TCP_LISTEN in the kernel's tables

// The kernel prints an address as 32-bit words in host byte order, in hex.
std::string DecodeAddress(std::string_view hex, bool ipv6) {
  size_t words = ipv6 ? 4 : 1;
  if (hex.size() != words * 8) return "";
  unsigned char bytes[16];
  for (size_t w = 0; w < words; ++w) {
    uint32_t word =
        static_cast<uint32_t>(std::strtoul(std::string(hex.substr(w * 8, 8)).c_str(), nullptr, 16));
    // Host order is little-endian on every platform pgstack runs on (x86-64, arm64).
    for (int b = 0; b < 4; ++b) bytes[w * 4 + b] = static_cast<unsigned char>(word >> (8 * b));
  }
  char out[INET6_ADDRSTRLEN] = {};
  if (!inet_ntop(ipv6 ? AF_INET6 : AF_INET, bytes, out, sizeof(out))) return "";
  return out;
}

// An address in inet_ntop's canonical form, or "" when it is not an IP literal.
std::string Canonical(std::string_view address) {
  std::string a(address);
  unsigned char buf[16];
  char out[INET6_ADDRSTRLEN] = {};
  if (inet_pton(AF_INET, a.c_str(), buf) == 1) return inet_ntop(AF_INET, buf, out, sizeof(out));
  if (inet_pton(AF_INET6, a.c_str(), buf) == 1) return inet_ntop(AF_INET6, buf, out, sizeof(out));
  return "";
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t'\"");
  size_t e = s.find_last_not_of(" \t'\"");
  return b == std::string_view::npos ? "" : std::string(s.substr(b, e - b + 1));
}

// The socket table, or "" where the kernel has none (no IPv6).
std::string ReadAll(const char* path) {
  auto text = core::ReadFileIfExists(path);
  return text.ok() && *text ? **text : "";
}

}  // namespace

std::vector<ListenSocket> ParseProcNetTcp(std::string_view text, bool ipv6) {
  std::vector<ListenSocket> out;
  std::istringstream lines{std::string(text)};
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    if (!(fields >> slot >> local >> remote >> state) || state != kListenState) continue;
    size_t colon = local.find(':');
    if (colon == std::string::npos) continue;
    std::string address = DecodeAddress(std::string_view(local).substr(0, colon), ipv6);
    if (address.empty()) continue;
    int port = static_cast<int>(std::strtol(local.c_str() + colon + 1, nullptr, 16));
    out.push_back({address, port});
  }
  return out;
}

std::vector<ListenSocket> ListeningSockets() {
  std::vector<ListenSocket> out = ParseProcNetTcp(ReadAll("/proc/net/tcp"), false);
  std::vector<ListenSocket> v6 = ParseProcNetTcp(ReadAll("/proc/net/tcp6"), true);
  out.insert(out.end(), v6.begin(), v6.end());
  return out;
}

bool IsLoopback(std::string_view address) {
  std::string a = Canonical(address);
  if (a.rfind("::ffff:", 0) == 0) a = a.substr(7);  // IPv4-mapped
  return a.rfind("127.", 0) == 0 || a == "::1" || address == "localhost";
}

bool ListenAllowed(std::string_view address, std::string_view configured) {
  if (IsLoopback(address)) return true;
  std::string want = Canonical(address);
  size_t start = 0;
  while (start <= configured.size()) {
    size_t end = configured.find(',', start);
    if (end == std::string_view::npos) end = configured.size();
    std::string item = Trim(configured.substr(start, end - start));
    if (item == "*" || item == "0.0.0.0" || item == "::") return true;
    if (!item.empty() && Canonical(item) == want) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace pgstack::verify
