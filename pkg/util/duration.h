#pragma once
// Durations as flags take them, in Go's notation as Kubernetes flags do: "40s", "1.5m",
// "500ms", "2h", "1h30m", "1h0m0s" (units h, m, s, ms, us, ns), or a bare number of seconds.
#include <chrono>
#include <optional>
#include <string_view>

namespace skiff::util {

// nullopt for anything else (a sign, an unknown or missing unit, empty).
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace skiff::util
