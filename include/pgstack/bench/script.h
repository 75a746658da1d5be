// What one client sends for one transaction: a list of statements, sent one at a time with the
// simple query protocol (as pgbench -M simple does), with `:name` variables drawn uniformly at
// random for each transaction, as pgbench's `\set name random(min, max)`. Rendering writes into
// reusable buffers, so a load thread does not allocate per transaction.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pgstack/core/status.h"

namespace pgstack::bench {

// A small, fast random generator (xorshift64*): one per client, seeded distinctly.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t Next() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 0x2545F4914F6CDD1Dull;
  }
  // Uniform in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }

 private:
  uint64_t state_;
};

struct ScriptVar {
  std::string name;
  int64_t min = 1;
  int64_t max = 1;
};

class Script {
 public:
  // Statements may refer to vars as :name (an unknown :word, such as a ::cast, stays as is).
  static Result<Script> Make(const std::vector<std::string>& statements,
                             const std::vector<ScriptVar>& vars);

  size_t size() const { return statements_.size(); }
  // Draws this transaction's variables.
  void Draw(Rng& rng, std::vector<int64_t>& values) const;
  // Statement i with values substituted, written into out (which is reused).
  void Render(size_t i, const std::vector<int64_t>& values, std::string& out) const;

 private:
  struct Statement {
    std::vector<std::string> pieces;  // text between variable references
    std::vector<int> refs;            // refs[k] goes between pieces[k] and pieces[k + 1]
  };
  std::vector<ScriptVar> vars_;
  std::vector<Statement> statements_;
};

}  // namespace pgstack::bench
