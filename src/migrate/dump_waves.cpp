#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "pgstack/migrate/dump.h"

namespace pgstack::migrate {
namespace {

// The kinds whose DDL makes relation files: most of a load's time, spent by the server on one
// core per connection.
bool MakesFiles(ObjectKind k) {
  return k == ObjectKind::kTable || k == ObjectKind::kConstraint || k == ObjectKind::kIndex;
}

}  // namespace

std::vector<DumpWave> DumpWaves(const Catalog& c, size_t lanes) {
  lanes = std::max<size_t>(lanes, 1);
  std::vector<DumpWave> waves;
  std::unordered_set<std::string> in_wave;               // the nodes of the last wave
  std::unordered_map<std::string, size_t> lane_of_root;  // in the last wave
  // A table's node and SQL name -> the SQL name of its inheritance tree's root: a lane keeps a
  // whole tree, whose DDL locks and changes all its tables (an index on a partitioned table
  // builds one on each partition).
  std::unordered_map<std::string, std::string> root_of;
  bool shared = false;  // whether the last wave has lanes
  for (const CatalogObject& o : c.objects) {
    bool files = MakesFiles(o.kind);
    bool needs_wave = false;
    for (const std::string& a : o.after) needs_wave |= in_wave.count(a) > 0;
    if (waves.empty() || files != shared || (files && needs_wave)) {
      waves.push_back({.lanes = std::vector<std::string>(files ? lanes : 1)});
      in_wave.clear();
      lane_of_root.clear();
      shared = files;
    }
    size_t lane = 0;
    if (files) {
      std::string root = o.kind == ObjectKind::kTable ? o.identity : o.parent;
      if (o.kind == ObjectKind::kTable) {
        for (const std::string& a : o.after) {  // a partition or child: its parent's tree
          if (auto it = root_of.find(a); it != root_of.end()) root = it->second;
        }
        root_of[o.node] = root_of[o.identity] = root;
      } else if (auto it = root_of.find(root); it != root_of.end()) {
        root = it->second;
      }
      lane = lane_of_root.emplace(root, lane_of_root.size() % lanes).first->second;
    }
    waves.back().lanes[lane] += o.ddl + "\n";
    in_wave.insert(o.node);
  }
  return waves;
}

}  // namespace pgstack::migrate
