#include "secret_scan.h"

#include <algorithm>
#include <fstream>

namespace pgstack::verify {

Result<std::optional<long long>> FindSecretInFile(const std::string& path,
                                                  std::string_view secret) {
  if (secret.empty()) return std::optional<long long>();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Failure("cannot read " + path);
  constexpr size_t kChunk = 1 << 20;
  // The window keeps the last secret.size()-1 bytes of the previous chunk, so an occurrence
  // split across two reads is still found.
  std::string window;
  long long line = 1;  // line number of window[0]
  std::string buf(kChunk, '\0');
  while (in.read(buf.data(), kChunk) || in.gcount() > 0) {
    window.append(buf.data(), static_cast<size_t>(in.gcount()));
    if (size_t at = window.find(secret); at != std::string::npos) {
      return std::optional<long long>(line + std::count(window.begin(), window.begin() + at, '\n'));
    }
    size_t keep = std::min(window.size(), secret.size() - 1);
    line += std::count(window.begin(), window.end() - keep, '\n');
    window.erase(0, window.size() - keep);
  }
  if (in.bad()) return Status::Failure("cannot read " + path);
  return std::optional<long long>();
}

}  // namespace pgstack::verify
