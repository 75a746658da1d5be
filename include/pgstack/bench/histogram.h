// A latency histogram with bounded relative error, in the manner of HdrHistogram: values (in
// nanoseconds) below 256 are counted exactly; above, each power of two is split into 128 equal
// buckets, so a reported value is within 1/256 (0.4%) of some recorded value of the same rank.
// Recording is a few integer operations and no allocation, so a load thread can record every
// transaction. Not thread-safe: one histogram per thread, merged at the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pgstack::bench {

class Histogram {
 public:
  Histogram();

  void Record(uint64_t value_ns);
  void Merge(const Histogram& other);
  void Clear();

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ ? min_ : 0; }
  uint64_t max() const { return max_; }  // exact
  // The nearest-rank percentile (p in [0, 100]): the value of rank ceil(p/100 * count), reported
  // as the middle of its bucket and clamped to [min, max]. 0 when empty.
  uint64_t Percentile(double p) const;

  // The bucket a value falls in, and the bucket's bounds [lower, lower + width); exposed for tests.
  static size_t BucketOf(uint64_t value);
  static uint64_t BucketLower(size_t bucket);
  static uint64_t BucketWidth(size_t bucket);

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
};

}  // namespace pgstack::bench
