#include "pkg/log/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace skiff::log {

namespace {

std::atomic<Level> g_level{Level::Info};

const char* level_name(Level level) {
  switch (level) {
    case Level::Debug:
      return "debug";
    case Level::Info:
      return "info";
    case Level::Warn:
      return "warn";
    case Level::Error:
      return "error";
  }
  return "info";
}

void append_value(std::string& line, std::string_view value) {
  bool needs_quotes = value.empty() || value.find_first_of(" \"=\t\n") != std::string_view::npos;
  if (!needs_quotes) {
    line.append(value);
    return;
  }
  line.push_back('"');
  for (char c : value) {
    if (c == '"' || c == '\\') line.push_back('\\');
    if (c == '\n') {
      line.append("\\n");
      continue;
    }
    line.push_back(c);
  }
  line.push_back('"');
}

}  // namespace

void set_level(Level level) {
  g_level.store(level);
}
bool set_level_by_name(std::string_view name) {
  if (name == "debug") {
    set_level(Level::Debug);
  } else if (name == "info") {
    set_level(Level::Info);
  } else if (name == "warn") {
    set_level(Level::Warn);
  } else if (name == "error") {
    set_level(Level::Error);
  } else {
    return false;
  }
  return true;
}
Level level() {
  return g_level.load();
}
bool enabled(Level level) {
  return level >= g_level.load();
}

void write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  auto now = std::chrono::system_clock::now();
  auto seconds = std::chrono::system_clock::to_time_t(now);
  auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[64];  // room for any int fields, so the compiler sees no truncation
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(millis));
  std::string line = "ts=";
  line += stamp;
  line += " level=";
  line += level_name(level);
  line += " msg=";
  append_value(line, message);
  for (const auto& field : fields) {
    line.push_back(' ');
    line += field.key;
    line.push_back('=');
    append_value(line, field.value);
  }
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace skiff::log
