// Every fuzz target's way to fail: an invariant that does not hold aborts, which libFuzzer and
// the sanitizer replay both report with the input that broke it.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace {

void Require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

}  // namespace
