#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <thread>

#include "pgstack/core/files.h"
#include "readers.h"

namespace pgstack::migrate::internal {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

Result<std::string> ReadWholeFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::InvalidInput(path + ": cannot read the file");
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      close(fd);
      return Status::InvalidInput(path + ": cannot read the file");
    }
    out.append(buf, static_cast<size_t>(n));
    // A short read of a regular file is its end: saves a read() per file.
    if (static_cast<size_t>(n) < sizeof buf) break;
  }
  close(fd);
  return out;
}

Result<std::string> CheckedFileText(const std::string& path, std::string content) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (StartsWith(content, kBom)) content.erase(0, kBom.size());
  if (size_t nul = content.find('\0'); nul != std::string::npos) {
    LineColumn lc = LineColumnAt(content, nul);
    return Status::InvalidInput(
        fmt::format("{}:{}:{}: a NUL byte: SQL text cannot carry one (the server would see the "
                    "file cut short there); remove it",
                    path, lc.line, lc.column));
  }
  return content;
}

Result<std::string> ReadMigrationFile(const std::string& path) {
  PGSTACK_ASSIGN_OR_RETURN(std::string content, ReadWholeFile(path));
  return CheckedFileText(path, std::move(content));
}

Status CheckLinkInside(const std::string& root, const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return Status::Ok();
  std::error_code ec;
  auto target = std::filesystem::canonical(path, ec);
  if (ec == std::errc::too_many_symbolic_link_levels) {
    return Status::InvalidInput(path + ": a symlink loop (too many levels of symbolic links)");
  }
  if (ec) {
    return Status::InvalidInput(
        fmt::format("{}: a symlink that cannot be followed ({})", path, ec.message()));
  }
  auto base = std::filesystem::canonical(root, ec);
  if (ec) return Status::InvalidInput(fmt::format("{}: {}", root, ec.message()));
  auto [b, t] = std::mismatch(base.begin(), base.end(), target.begin(), target.end());
  if (b != base.end() || t == target.end()) {
    return Status::InvalidInput(fmt::format(
        "{}: a symlink to {}, outside the migrations directory {}: refused (copy the file in)",
        path, target.string(), base.string()));
  }
  return Status::Ok();
}

Result<std::string> EntryContent(const std::string& dir, const DirEntry& e) {
  if (e.content) return *e.content;
  return ReadMigrationFile(dir + "/" + e.name);
}

void ReadAhead(const std::string& dir, std::vector<DirEntry>& entries) {
  constexpr size_t kPerThread = 256;
  size_t cores = std::max(1u, std::thread::hardware_concurrency());
  size_t threads = std::min<size_t>(std::min<size_t>(cores, 4), entries.size() / kPerThread + 1);
  auto work = [&](size_t k) {
    for (size_t i = k; i < entries.size(); i += threads) {
      if (entries[i].is_dir) continue;
      auto r = ReadMigrationFile(dir + "/" + entries[i].name);
      if (r.ok()) entries[i].content = std::move(r).value();  // else: EntryContent reports it
    }
  };
  std::vector<std::thread> pool;
  for (size_t k = 1; k < threads; ++k) pool.emplace_back(work, k);
  work(0);
  for (auto& t : pool) t.join();
}

Result<bool> SettingSaysFalse(const std::string& path, std::string_view key) {
  PGSTACK_ASSIGN_OR_RETURN(auto text, core::ReadFileIfExists(path));
  if (!text) return false;
  std::string compact;
  for (char c : *text) {
    if (c != ' ' && c != '\t') compact += c;
  }
  return compact.find(std::string(key) + "=false") != std::string::npos;
}

Result<SqlText> MakeSqlText(std::string path, std::string sql, int first_line) {
  SqlText t;
  t.path = std::move(path);
  t.sql = std::move(sql);
  t.first_line = first_line;
  if (auto bad = InvalidUtf8At(t.sql)) {
    return Status::InvalidInput(t.Where(*bad) + ": the file is not valid UTF-8");
  }
  if (auto err = SplitStatements(t.sql, t.statements)) {
    return Status::InvalidInput(t.Where(err->offset) + ": " + err->message);
  }
  auto& st = t.statements;
  if (st.size() >= 2 && st.front().is_begin && st.back().is_commit) {
    st.erase(st.end() - 1);
    st.erase(st.begin());
    t.had_own_transaction = true;
  }
  for (const auto& s : st) {
    if (s.kind == StatementKind::kTransactionControl) {
      return Status::InvalidInput(fmt::format(
          "{}: {} inside a migration: pgstack runs each migration in a transaction of its own "
          "(a file wrapped whole in BEGIN ... COMMIT is fine); remove it or split the file",
          t.Where(s.begin), s.keyword));
    }
  }
  return t;
}

Result<std::optional<SqlText>> MakeDownSql(std::string path, std::string sql, int first_line) {
  PGSTACK_ASSIGN_OR_RETURN(SqlText t, MakeSqlText(std::move(path), std::move(sql), first_line));
  if (t.statements.empty()) return std::optional<SqlText>();
  return std::optional<SqlText>(std::move(t));
}

std::optional<std::pair<Version, std::string>> SplitNumbered(std::string_view stem) {
  size_t i = 0;
  while (i < stem.size() && stem[i] >= '0' && stem[i] <= '9') ++i;
  if (i == 0 || i >= stem.size() || stem[i] != '_') return std::nullopt;
  auto v = Version::Parse(stem.substr(0, i));
  if (!v) return std::nullopt;
  return std::make_pair(*v, std::string(stem.substr(i + 1)));
}

bool NumberedSqlName(const DirEntry& e) {
  std::string_view n = e.name;
  return !e.is_dir && EndsWith(n, ".sql") && !EndsWith(n, ".up.sql") && !EndsWith(n, ".down.sql") &&
         SplitNumbered(n.substr(0, n.size() - 4)).has_value();
}

std::optional<Sections> SplitSections(std::string_view content, std::string_view up_marker,
                                      std::string_view down_marker) {
  Sections out;
  Section* current = nullptr;
  size_t pos = 0;
  int line = 1;
  size_t section_start = 0;
  auto close = [&](size_t end) {
    if (current) current->text = std::string(content.substr(section_start, end - section_start));
  };
  while (pos < content.size()) {
    size_t eol = content.find('\n', pos);
    size_t next = eol == std::string_view::npos ? content.size() : eol + 1;
    std::string_view l = content.substr(pos, next - pos);
    Section* opened = nullptr;
    std::string_view rest;
    if (StartsWith(l, up_marker)) {
      opened = &out.up;
      rest = l.substr(up_marker.size());
    } else if (StartsWith(l, down_marker)) {
      opened = &out.down;
      rest = l.substr(down_marker.size());
    }
    if (opened) {
      close(pos);
      current = opened;
      current->present = true;
      current->first_line = line + 1;
      while (!rest.empty() && (rest.back() == '\n' || rest.back() == '\r')) rest.remove_suffix(1);
      current->options = std::string(rest);
      section_start = next;
    }
    pos = next;
    ++line;
  }
  close(content.size());
  if (!out.up.present) return std::nullopt;
  return out;
}

Status SortAndCheck(std::vector<Migration>& ms) {
  auto before = [](const Migration& a, const Migration& b) {
    if (a.version && b.version) return *a.version < *b.version;
    if (a.version != b.version) return a.version.has_value();
    return a.name < b.name;
  };
  // Readers mostly give them in order already; stable_sort would still move every (large)
  // Migration through its buffer n log n times (~8 ms over 5,000).
  if (!std::is_sorted(ms.begin(), ms.end(), before)) std::stable_sort(ms.begin(), ms.end(), before);
  for (size_t i = 1; i < ms.size(); ++i) {
    if (ms[i].key() == ms[i - 1].key()) {
      return Status::InvalidInput(fmt::format("duplicate version {}: {} and {}", ms[i].key(),
                                              ms[i - 1].up.path, ms[i].up.path));
    }
  }
  return Status::Ok();
}

}  // namespace pgstack::migrate::internal
