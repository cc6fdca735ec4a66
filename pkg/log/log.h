#pragma once
// One structured logger: `ts=... level=info msg="..." key=value ...` lines on stderr.
// Application code logs; pkg/ libraries return errors instead. Never log secrets.
#include <initializer_list>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

namespace skiff::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };

void set_level(Level level);
// "debug", "info", "warn" or "error" (the --log-level values); false for anything else.
bool set_level_by_name(std::string_view name);
Level level();
bool enabled(Level level);

// A key=value field; values are quoted when they contain spaces or quotes.
struct Field {
  std::string key;
  std::string value;
  template <typename T>
  Field(std::string k, const T& v) : key(std::move(k)) {
    std::ostringstream out;
    out << v;
    value = out.str();
  }
  Field(std::string k, std::string v) : key(std::move(k)), value(std::move(v)) {}
  Field(std::string k, const char* v) : key(std::move(k)), value(v) {}
  Field(std::string k, std::string_view v) : key(std::move(k)), value(v) {}
};

void write(Level level, std::string_view message, std::initializer_list<Field> fields = {});

inline void debug(std::string_view m, std::initializer_list<Field> f = {}) {
  if (enabled(Level::Debug)) write(Level::Debug, m, f);
}
inline void info(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::Info, m, f);
}
inline void warn(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::Warn, m, f);
}
inline void error(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::Error, m, f);
}

}  // namespace skiff::log
