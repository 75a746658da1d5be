#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "pgstack/bench/histogram.h"

namespace pgstack::bench {
namespace {

// The nearest-rank percentile of a sorted sample, the definition Histogram follows.
uint64_t Exact(const std::vector<uint64_t>& sorted, double p) {
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * sorted.size()));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

void ExpectWithinBound(const std::vector<uint64_t>& values) {
  Histogram h;
  for (uint64_t v : values) h.Record(v);
  std::vector<uint64_t> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  for (double p : {0.0, 1.0, 25.0, 50.0, 90.0, 95.0, 99.0, 99.9, 100.0}) {
    double exact = static_cast<double>(Exact(sorted, p));
    double got = static_cast<double>(h.Percentile(p));
    EXPECT_LE(std::abs(got - exact), exact / 256.0 + 1e-9) << "p" << p;
  }
  EXPECT_EQ(h.max(), sorted.back());
  EXPECT_EQ(h.min(), sorted.front());
  EXPECT_EQ(h.count(), values.size());
}

TEST(BenchHistogram, SmallValuesAreExact) {
  Histogram h;
  for (uint64_t v = 1; v <= 200; ++v) h.Record(v);
  EXPECT_EQ(h.Percentile(50), 100u);
  EXPECT_EQ(h.Percentile(99), 198u);
  EXPECT_EQ(h.Percentile(100), 200u);
  EXPECT_EQ(h.Percentile(0), 1u);
}

TEST(BenchHistogram, UniformMicrosecondsToSeconds) {
  std::vector<uint64_t> v;
  for (uint64_t i = 1; i <= 100000; ++i) v.push_back(i * 10007);  // 10us .. 1s
  ExpectWithinBound(v);
}

TEST(BenchHistogram, ExponentialLatencies) {
  std::mt19937_64 gen(42);
  std::exponential_distribution<double> d(1.0 / 300000.0);  // mean 0.3 ms
  std::vector<uint64_t> v;
  for (int i = 0; i < 200000; ++i) v.push_back(static_cast<uint64_t>(d(gen)) + 1);
  ExpectWithinBound(v);
}

TEST(BenchHistogram, BimodalWithRareOutliers) {
  // 99% fast (~0.1 ms), 1% slow (~50 ms): p99 sits at the border, p99.9 among the slow.
  std::vector<uint64_t> v;
  for (int i = 0; i < 9900; ++i) v.push_back(100000 + i);
  for (int i = 0; i < 100; ++i) v.push_back(50000000 + i * 1000);
  ExpectWithinBound(v);
  Histogram h;
  for (uint64_t x : v) h.Record(x);
  EXPECT_LT(h.Percentile(99), 200000u);
  EXPECT_GT(h.Percentile(99.5), 40000000u);
}

TEST(BenchHistogram, BucketsTileTheRange) {
  for (uint64_t v : {0ull, 1ull, 255ull, 256ull, 257ull, 1000ull, 123456789ull, 1ull << 40,
                     (1ull << 63) + 5, ~0ull}) {
    size_t b = Histogram::BucketOf(v);
    EXPECT_LE(Histogram::BucketLower(b), v);
    EXPECT_LE(v - Histogram::BucketLower(b), Histogram::BucketWidth(b) - 1);
    if (v >= 256) {
      EXPECT_LE(Histogram::BucketWidth(b), v / 128);
    }
  }
}

TEST(BenchHistogram, MergeEqualsRecordingTogether) {
  Histogram a, b, both;
  for (uint64_t i = 1; i < 5000; ++i) {
    (i % 3 ? a : b).Record(i * 997);
    both.Record(i * 997);
  }
  a.Merge(b);
  for (double p : {50.0, 95.0, 99.0}) EXPECT_EQ(a.Percentile(p), both.Percentile(p));
  EXPECT_EQ(a.count(), both.count());
  EXPECT_EQ(a.max(), both.max());
}

TEST(BenchHistogram, EmptyReportsZero) {
  Histogram h;
  EXPECT_EQ(h.Percentile(99), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.min(), 0u);
}

}  // namespace
}  // namespace pgstack::bench
