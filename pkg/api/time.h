#pragma once
// Timestamps as the API writes them (RFC 3339, UTC, second precision: "2026-11-26T09:10:00Z")
// and the human "age" kubectl prints ("45s", "5m", "3h", "2d").
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace skiff::api {

using Clock = std::chrono::system_clock;

std::string format_rfc3339(Clock::time_point t);
// MicroTime, as Lease renewTime and Event eventTime carry it: "2026-11-26T12:30:00.123456Z".
std::string format_rfc3339_micro(Clock::time_point t);
std::string now_rfc3339();
// Accepts "...Z" and "...+hh:mm", with optional fractional seconds; nullopt when malformed.
std::optional<Clock::time_point> parse_rfc3339(std::string_view text);
// kubectl's HumanDuration: "0s".."119s", "2m".."9m59s"-style rules simplified to kubectl's
// output ("5m", "2m30s" under 10 minutes, "3h", "3h5m" under 8h, "2d", "2d3h" under 8d, "10d",
// "2y" ...). Negative durations print "0s".
std::string human_duration(std::chrono::seconds d);
// Age of a timestamp string relative to now; "<unknown>" when the timestamp is missing/bad.
std::string age(std::string_view rfc3339_timestamp, Clock::time_point now);

}  // namespace skiff::api
