#include "pgstack/migrate/migration.h"

#include <fmt/format.h>

#include "format_table.h"
#include "pgstack/core/nearest.h"

namespace pgstack::migrate {

std::optional<Version> Version::Parse(std::string_view text) {
  Version v;
  size_t i = 0;
  while (true) {
    size_t start = i;
    uint64_t n = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      n = n * 10 + static_cast<uint64_t>(text[i] - '0');
      ++i;
    }
    if (i == start || i - start > 19) return std::nullopt;
    v.parts_.push_back(n);
    if (!v.text_.empty()) v.text_ += '.';
    v.text_ += std::to_string(n);
    if (i == text.size()) return v;
    if (text[i] != '.') return std::nullopt;
    ++i;
  }
}

std::string_view FormatName(Format f) { return internal::SpecOf(f).name; }

std::optional<Format> ParseFormat(std::string_view name) {
  for (const auto& r : internal::FormatTable()) {
    if (r.name == name) return r.format;
  }
  return std::nullopt;
}

std::vector<std::string> FormatNames() {
  std::vector<std::string> out;
  for (const auto& r : internal::FormatTable()) out.emplace_back(r.name);
  return out;
}

std::string FormatLayouts() {
  std::string out;
  for (const auto& r : internal::FormatTable()) {
    out += fmt::format("{}: {}\n", r.name, r.layout);
  }
  return out;
}

Result<std::optional<Format>> ParseFormatFlag(std::string_view flag, std::string_view text) {
  if (text.empty()) return std::optional<Format>();
  std::optional<Format> format = ParseFormat(text);
  if (!format) return Status::InvalidInput(core::UnknownChoice(flag, text, FormatNames()));
  return format;
}

std::string SqlText::Where(size_t offset) const {
  LineColumn lc = LineColumnAt(sql, offset);
  return fmt::format("{}:{}:{}", path, first_line + lc.line - 1, lc.column);
}

bool SqlText::NeedsNoTransaction() const {
  for (const auto& s : statements) {
    if (s.kind == StatementKind::kNoTransaction) return true;
  }
  return false;
}

bool SqlText::HasCopy() const {
  for (const auto& s : statements) {
    if (s.copy_from_stdin) return true;
  }
  return false;
}

Status Unreadables(const std::vector<const Migration*>& migrations) {
  std::string why;
  size_t n = 0;
  for (const Migration* m : migrations) {
    n += m->unreadable.size();
    for (const auto& reason : m->unreadable) why += "\n  " + reason;
  }
  if (n == 0) return Status::Ok();
  return Status::InvalidInput(fmt::format("cannot read {} migration file{}; nothing was run:{}", n,
                                          n == 1 ? "" : "s", why));
}

std::string_view RunModeName(RunMode m) {
  return m == RunMode::kTransaction ? "transaction" : "statements";
}

std::string Migration::key() const { return version ? version->str() : "R__" + name; }

RunMode Migration::UpMode() const {
  return up_options.no_transaction || up.NeedsNoTransaction() ? RunMode::kStatements
                                                              : RunMode::kTransaction;
}

RunMode Migration::DownMode() const {
  if (!down) return RunMode::kTransaction;
  return down_options.no_transaction || down->NeedsNoTransaction() ? RunMode::kStatements
                                                                   : RunMode::kTransaction;
}

const Migration* MigrationSet::Find(const Version& v) const {
  for (const auto& m : migrations) {
    if (m.version && *m.version == v) return &m;
  }
  return nullptr;
}

}  // namespace pgstack::migrate
