// Fills {{name}} placeholders. Every placeholder needs a value and every value a placeholder,
// so a template and the settings that feed it cannot drift apart unnoticed.
#pragma once

#include <map>
#include <string>

#include "pgstack/core/status.h"

namespace pgstack::core {

// `source` names the template in errors ("file:line: ...").
Result<std::string> RenderTemplate(const std::string& text, const std::string& source,
                                   const std::map<std::string, std::string>& values);

}  // namespace pgstack::core
