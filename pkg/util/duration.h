#pragma once
// Durations as flags take them: "40s", "1.5m", "500ms", "2h", or a bare number of seconds.
#include <chrono>
#include <optional>
#include <string_view>

namespace skiff::util {

// nullopt for anything else (negative, unknown unit, empty).
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace skiff::util
