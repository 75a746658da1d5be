// A schema of its own for one bench run (pgstack_bench_<pid>), created by the application role
// (which needs CREATE on the database, as migrations do) and dropped with everything in it when
// the run ends, also after a failure.
#pragma once

#include <optional>
#include <string>

#include "pgstack/core/status.h"
#include "pgstack/pg/conn_params.h"
#include "pgstack/pg/connection.h"

namespace pgstack::bench {

// The bench's DDL (DROP ... IF EXISTS, DROP ... CASCADE) draws NOTICEs that libpq would print
// on stderr; the library never prints, so the bench's own connections drop them.
void SilenceNotices(pg::Connection& conn);

class ScratchSchema {
 public:
  static Result<ScratchSchema> Create(const pg::ConnParams& params);
  ScratchSchema(ScratchSchema&& o) noexcept : params_(o.params_), name_(std::move(o.name_)) {
    o.name_.clear();
  }
  ScratchSchema& operator=(ScratchSchema&&) = delete;
  ~ScratchSchema() { (void)Drop(); }

  const std::string& name() const { return name_; }  // safe to splice into SQL as is
  // Drops the schema (once); later calls do nothing.
  Status Drop();

 private:
  ScratchSchema(pg::ConnParams params, std::string name)
      : params_(std::move(params)), name_(std::move(name)) {}
  pg::ConnParams params_;
  std::string name_;
};

}  // namespace pgstack::bench
