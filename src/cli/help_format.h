// How `--help` reads: the usage line names `pgstack` and the command path, a flag shows its
// value's kind and its range in words (not CLI11's "INT:INT in [0 - 65535]"), and a command's help
// lists every flag that works there, including those of the commands above it. Lines fit
// `width` (the terminal's, or $COLUMNS): descriptions and paragraphs wrap at words.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>

namespace pgstack::cli {

// Set on the root before its subcommands are added: they inherit it.
std::shared_ptr<CLI::Formatter> MakeHelpFormatter(size_t width);

}  // namespace pgstack::cli
