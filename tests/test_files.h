// Files a test writes for the code under test to read. Shared by the unit and the integration
// tests, so it depends on nothing but the standard library.
#pragma once

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace pgstack::testing {

// Writes content to path byte for byte (replacing the file), making its folders first. Throws
// when it cannot: a test must not go on to check what the code under test made of a missing file.
inline void WriteText(const std::string& path, const std::string& content) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

}  // namespace pgstack::testing
