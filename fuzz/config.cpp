// The config loader on any text, for each environment name the text may hold. Invariants: an
// error is bad input whose message names the file; a loaded environment answers its settings
// without crashing.
#include "pgstack/core/config.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "require.h"

using namespace pgstack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<std::string> kNames = {"development", "test", "production", "x"};
  std::string text(reinterpret_cast<const char*>(data), size);
  // Parsed once for the four names: parsing is most of the cost of an input.
  for (auto& env : core::ParseEnvironments(text, "fuzz.json", kNames)) {
    if (!env.ok()) {
      Require(env.status().code() == Code::kInvalidInput, "an error that is no bad input");
      Require(env.status().message().find("fuzz.json") != std::string::npos,
              "an error that does not name the file");
      continue;
    }
    for (const char* s : {"max_connections", "pool_mode", "shared_buffers", "port"}) {
      (void)env->setting(s);
    }
  }
  return 0;
}
