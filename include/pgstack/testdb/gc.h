// Garbage collection: what builders and cloners that died left behind, test databases of
// templates that are gone, templates beyond the cap, and databases that carry testdb's name
// prefix and comment but are in no catalog row. Runs at any time next to live builders and
// cloners: it only touches rows whose lock it gets (catalog.h).
#pragma once

#include "pgstack/core/status.h"
#include "pgstack/testdb/conn_pool.h"
#include "pgstack/testdb/templates.h"
#include "pgstack/testdb/test_pool.h"

namespace pgstack::testdb {

struct GcReport {
  int dead_builds = 0;  // templates whose builder died mid-build
  int dead_clones = 0;  // test databases whose cloner died mid-clone
  int stale_tests = 0;  // test databases of templates discarded or gone
  int recreated = 0;    // returned with "recreate", dropped (the warm pool clones anew)
  int evicted = 0;      // least recently used templates beyond max_templates
  int discarded = 0;    // with all: every template
  int orphans = 0;      // marked databases without a catalog row
};

// all: discard every template as well (nothing of testdb's stays but the catalog).
Result<GcReport> CollectGarbage(ConnPool& conns, Templates& templates, TestPool& tests,
                                const Options& o, bool all);

}  // namespace pgstack::testdb
