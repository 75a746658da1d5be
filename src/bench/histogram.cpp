#include "pgstack/bench/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace pgstack::bench {
namespace {

constexpr int kSubBits = 7;                         // 128 buckets per power of two
constexpr uint64_t kExactLimit = 2ull << kSubBits;  // values below 256 get a bucket each
// Powers of two from 2^8 to 2^63, 128 buckets each, after the exact range.
constexpr size_t kBuckets = kExactLimit + (64 - kSubBits - 1) * (1ull << kSubBits);

}  // namespace

Histogram::Histogram() : counts_(kBuckets, 0) {}

size_t Histogram::BucketOf(uint64_t v) {
  if (v < kExactLimit) return static_cast<size_t>(v);
  int exponent = 63 - std::countl_zero(v);  // >= kSubBits + 1
  int shift = exponent - kSubBits;
  uint64_t mantissa = v >> shift;  // in [128, 256)
  return kExactLimit + static_cast<size_t>(exponent - kSubBits - 1) * (1ull << kSubBits) +
         static_cast<size_t>(mantissa - (1ull << kSubBits));
}

uint64_t Histogram::BucketLower(size_t b) {
  if (b < kExactLimit) return b;
  size_t rel = b - kExactLimit;
  int shift = static_cast<int>(rel >> kSubBits) + 1;
  uint64_t mantissa = (1ull << kSubBits) + (rel & ((1ull << kSubBits) - 1));
  return mantissa << shift;
}

uint64_t Histogram::BucketWidth(size_t b) {
  if (b < kExactLimit) return 1;
  return 1ull << (((b - kExactLimit) >> kSubBits) + 1);
}

void Histogram::Record(uint64_t v) {
  ++counts_[BucketOf(v)];
  ++count_;
  min_ = std::min(min_, v);
  max_ = std::max(max_, v);
}

void Histogram::Merge(const Histogram& o) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += o.counts_[i];
  count_ += o.count_;
  min_ = std::min(min_, o.min_);
  max_ = std::max(max_, o.max_);
}

void Histogram::Clear() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
}

uint64_t Histogram::Percentile(double p) const {
  if (count_ == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  uint64_t rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t b = 0; b < counts_.size(); ++b) {
    seen += counts_[b];
    if (seen >= rank) {
      uint64_t mid = BucketLower(b) + BucketWidth(b) / 2;
      return std::clamp(mid, min_, max_);
    }
  }
  return max_;
}

}  // namespace pgstack::bench
