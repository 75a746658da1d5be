// Security properties of the state directory's files: modes, and no plaintext password in any
// log. These look at the local stack's files; in external mode there are none to look at.
#include <fmt/format.h>
#include <sys/stat.h>

#include <filesystem>

#include "checks.h"
#include "secret_scan.h"
#include "text.h"

namespace pgstack::verify {
namespace {

std::string ModeText(mode_t m) { return fmt::format("{:04o}", m & 07777); }

// Fails unless path has exactly `want` permission bits; a missing file is a skip when
// `optional` (nothing there to protect), a failure otherwise.
Outcome ModeCheck(Probe& probe, const std::string& path, mode_t want, bool optional) {
  if (!probe.local()) return Outcome::Skip("external mode: the state dir holds no stack files");
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    if (optional) return Outcome::Skip(path + " does not exist");
    return Outcome::Fail(path + " does not exist", ModeText(want), "missing");
  }
  std::string actual = ModeText(st.st_mode);
  if ((st.st_mode & 07777) != want) {
    Outcome o = Outcome::Fail(fmt::format("{} is {}", path, actual), ModeText(want), actual);
    o.fix = fmt::format("chmod {:o} {}", want, path);
    return o;
  }
  return Outcome::Pass(fmt::format("{} {}", actual, path), ModeText(want), actual);
}

}  // namespace

Outcome SecurityServerLog(Probe& probe) {
  if (!probe.local())
    return Outcome::Skip("external mode: the server's log is not in the state dir");
  auto ep = probe.endpoints();
  if (!ep.ok()) return probe.Unreachable(ep.status());
  const std::string& password = (*ep)->direct.password;
  if (password.empty()) return Outcome::Skip("no password known to look for");
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::string> scanned, found;
  for (const auto& entry : fs::directory_iterator(probe.paths().logs, ec)) {
    if (!entry.is_regular_file()) continue;
    std::string name = entry.path().filename().string();
    auto hit = FindSecretInFile(entry.path().string(), password);
    if (!hit.ok()) return Outcome::Fail(hit.status().message());
    scanned.push_back(name);
    if (*hit) found.push_back(fmt::format("{} line {}", name, **hit));
  }
  if (ec) return Outcome::Fail(fmt::format("cannot list {}: {}", probe.paths().logs, ec.message()));
  if (!found.empty()) {
    return Outcome::Fail("the plaintext password is in " + Join(found), "absent", "present");
  }
  if (scanned.empty()) return Outcome::Skip("no log files in " + probe.paths().logs);
  return Outcome::Pass("no plaintext password in " + Join(scanned), "absent", "absent");
}

Outcome SecurityUserlistMode(Probe& probe) {
  return ModeCheck(probe, probe.paths().userlist, 0600, false);
}

Outcome SecurityCredentialsMode(Probe& probe) {
  // The file exists only when pgstack generated the password (none was in the environment).
  return ModeCheck(probe, probe.paths().credentials, 0600, true);
}

Outcome SecurityStateDirMode(Probe& probe) {
  return ModeCheck(probe, probe.paths().root, 0700, false);
}

}  // namespace pgstack::verify
