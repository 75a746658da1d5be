#include <queue>
#include <tuple>
#include <unordered_map>

#include "pgstack/migrate/catalog.h"

namespace pgstack::migrate {

void OrderObjects(std::vector<CatalogObject>& objects) {
  const size_t n = objects.size();
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < n; ++i) index.emplace(objects[i].node, i);
  std::vector<std::vector<size_t>> dependents(n);
  std::vector<size_t> waiting(n, 0);
  for (size_t i = 0; i < n; ++i) {
    for (const std::string& a : objects[i].after) {
      auto it = index.find(a);
      if (it == index.end() || it->second == i) continue;
      dependents[it->second].push_back(i);
      ++waiting[i];
    }
  }
  auto before = [&](size_t a, size_t b) {
    const CatalogObject& x = objects[a];
    const CatalogObject& y = objects[b];
    return std::tie(x.kind, x.schema, x.identity, x.node) <
           std::tie(y.kind, y.schema, y.identity, y.node);
  };
  // A min-heap on `before`: the first ready object in the tie-break order comes out next.
  auto later = [&](size_t a, size_t b) { return before(b, a); };
  std::priority_queue<size_t, std::vector<size_t>, decltype(later)> ready(later);
  for (size_t i = 0; i < n; ++i) {
    if (waiting[i] == 0) ready.push(i);
  }
  std::vector<bool> placed(n, false);
  std::vector<size_t> order;
  order.reserve(n);
  while (order.size() < n) {
    if (ready.empty()) {
      // A cycle: release its first object in the tie-break order.
      size_t first = n;
      for (size_t i = 0; i < n; ++i) {
        if (!placed[i] && (first == n || before(i, first))) first = i;
      }
      waiting[first] = 0;
      ready.push(first);
    }
    size_t i = ready.top();
    ready.pop();
    if (placed[i]) continue;
    placed[i] = true;
    order.push_back(i);
    for (size_t d : dependents[i]) {
      if (waiting[d] > 0 && --waiting[d] == 0 && !placed[d]) ready.push(d);
    }
  }
  std::vector<CatalogObject> sorted;
  sorted.reserve(n);
  for (size_t i : order) sorted.push_back(std::move(objects[i]));
  objects = std::move(sorted);
}

}  // namespace pgstack::migrate
