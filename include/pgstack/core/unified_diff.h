// A unified diff (as `diff -u` prints it) of two texts, for showing what a dry run would write.
#pragma once

#include <string>

namespace pgstack::core {

// The diff of old_text to new_text with three lines of context, headed "--- old_name" and
// "+++ new_name"; "" when the texts are equal. A missing file is passed as "" and named
// /dev/null by the caller. Lines are compared whole; a last line without a newline is marked
// "\ No newline at end of file" as diff does.
std::string UnifiedDiff(const std::string& old_text, const std::string& new_text,
                        const std::string& old_name, const std::string& new_name);

}  // namespace pgstack::core
