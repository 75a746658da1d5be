#include "cache_manifest.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <filesystem>
#include <sstream>

#include "pgstack/core/files.h"
#include "pgstack/core/sha256.h"

namespace pgstack::stack {
namespace {

namespace fs = std::filesystem;

constexpr const char* kControlFile = "global/pg_control";
// The first line: "pg_control-sha256 <hex>"; then one "<size> <path relative to data_dir>" a file.
constexpr const char* kControlTag = "pg_control-sha256";

Result<std::string> ControlDigest(const std::string& data_dir) {
  PGSTACK_ASSIGN_OR_RETURN(auto text, core::ReadFileIfExists(data_dir + "/" + kControlFile));
  if (!text) return Status::Failure(fmt::format("{} is missing", kControlFile));
  return core::Sha256Hex(*text);
}

}  // namespace

Result<std::string> MakeManifest(const std::string& data_dir) {
  PGSTACK_ASSIGN_OR_RETURN(std::string digest, ControlDigest(data_dir));
  std::string out = fmt::format("{} {}\n", kControlTag, digest);
  std::error_code ec;
  fs::recursive_directory_iterator it(data_dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    out +=
        fmt::format("{} {}\n", it->file_size(ec), fs::relative(it->path(), data_dir, ec).string());
  }
  if (ec) return Status::Failure(fmt::format("{}: cannot list: {}", data_dir, ec.message()));
  return out;
}

Status CheckManifest(const std::string& data_dir, const std::string& manifest) {
  std::istringstream lines(manifest);
  std::string tag, digest;
  if (!(lines >> tag >> digest) || tag != kControlTag) return Status::Failure("no manifest");
  unsigned long long size = 0;
  std::string path;
  while (lines >> size >> std::ws && std::getline(lines, path)) {
    struct stat st {};
    if (::stat((data_dir + "/" + path).c_str(), &st) != 0)
      return Status::Failure(fmt::format("{} is missing", path));
    if (static_cast<unsigned long long>(st.st_size) != size)
      return Status::Failure(
          fmt::format("{} has {} bytes, {} when it was cached", path, st.st_size, size));
  }
  PGSTACK_ASSIGN_OR_RETURN(std::string now, ControlDigest(data_dir));
  if (now != digest) return Status::Failure(fmt::format("{} has changed", kControlFile));
  return Status::Ok();
}

}  // namespace pgstack::stack
