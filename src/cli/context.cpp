#include "context.h"

#include "pgstack/location/environment.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace pgstack::cli {

void Reporter::Line(const std::string& text) const {
  if (g_.json || g_.quiet) return;
  std::cout << text << '\n';
}

void Reporter::Detail(const std::string& text) const {
  if (g_.verbose) std::cerr << text << '\n';
}

void Reporter::Json(const nlohmann::json& doc) const {
  if (g_.json) std::cout << doc.dump(2) << '\n';
}

void Reporter::Progress(const std::string& text) const {
  if (g_.quiet || !isatty(STDERR_FILENO)) return;
  std::cerr << "\r\033[K" << text << std::flush;
  if (text.empty()) std::cerr << "\r\033[K" << std::flush;
}

int Reporter::Fail(const Status& s) const {
  Progress("");
  if (g_.json) {
    std::cout << nlohmann::json{{"error", s.message()}, {"exit_code", s.exit_code()}}.dump(2) << '\n';
  }
  std::cerr << "pgstack: " << s.message() << '\n';
  return s.exit_code();
}

std::string Context::EnvName() const {
  if (!global.env.empty()) return global.env;
  if (const char* e = std::getenv("PGSTACK_ENV"); e && *e) return e;
  return "development";
}

Result<core::Environment> Context::LoadEnv() const {
  return location::LoadEnvironment(global.config, EnvName(), core::ProcessEnv());
}

}  // namespace pgstack::cli
