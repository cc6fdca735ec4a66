#include "pkg/api/time.h"

#include <cctype>
#include <cstdio>

namespace skiff::api {

namespace {

// Days since 1970-01-01 for a proleptic Gregorian civil date (Howard Hinnant's algorithm), so
// parsing never depends on the process time zone (no mktime/timegm).
long long days_from_civil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

bool is_leap(long long y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in_month(long long y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `width` digits at `pos`; false when any is not a digit.
bool read_digits(std::string_view text, size_t& pos, size_t width, int& out) {
  if (pos + width > text.size()) return false;
  out = 0;
  for (size_t i = 0; i < width; ++i) {
    char c = text[pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    out = out * 10 + (c - '0');
  }
  pos += width;
  return true;
}

bool expect(std::string_view text, size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

std::string format_rfc3339_micro(Clock::time_point t) {
  auto whole = std::chrono::floor<std::chrono::seconds>(t);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t - whole).count();
  std::string text = format_rfc3339(whole);
  char fraction[32];  // room for any long long, so the compiler sees no truncation
  std::snprintf(fraction, sizeof fraction, ".%06lldZ", static_cast<long long>(micros));
  text.pop_back();  // the 'Z'
  return text + fraction;
}

namespace {

// `value` as exactly `width` decimal digits (zero-padded) at `at`.
void put_digits(char* at, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    at[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

std::string format_rfc3339(Clock::time_point t) {
  // Written from the civil date by hand: strftime cost about 1,500 instructions per object
  // created (every object gets a creationTimestamp), and gmtime_r takes glibc's time-zone lock.
  const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  const auto days = std::chrono::floor<std::chrono::days>(seconds);
  const std::chrono::year_month_day date{days};
  const std::chrono::hh_mm_ss time{seconds - days};
  char text[] = "0000-00-00T00:00:00Z";
  // Four digits: system_clock's nanoseconds reach from 1677 to 2262.
  put_digits(text, static_cast<unsigned>(static_cast<int>(date.year())), 4);
  put_digits(text + 5, static_cast<unsigned>(date.month()), 2);
  put_digits(text + 8, static_cast<unsigned>(date.day()), 2);
  put_digits(text + 11, static_cast<unsigned>(time.hours().count()), 2);
  put_digits(text + 14, static_cast<unsigned>(time.minutes().count()), 2);
  put_digits(text + 17, static_cast<unsigned>(time.seconds().count()), 2);
  return std::string(text, sizeof text - 1);
}

std::string now_rfc3339() {
  return format_rfc3339(Clock::now());
}

std::optional<Clock::time_point> parse_rfc3339(std::string_view text) {
  size_t pos = 0;
  int year, month, day, hour, minute, second;
  if (!read_digits(text, pos, 4, year) || !expect(text, pos, '-') ||
      !read_digits(text, pos, 2, month) || !expect(text, pos, '-') ||
      !read_digits(text, pos, 2, day))
    return std::nullopt;
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' '))
    return std::nullopt;
  ++pos;
  if (!read_digits(text, pos, 2, hour) || !expect(text, pos, ':') ||
      !read_digits(text, pos, 2, minute) || !expect(text, pos, ':') ||
      !read_digits(text, pos, 2, second))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || static_cast<unsigned>(day) > days_in_month(year, month))
    return std::nullopt;
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;  // 60: leap second

  long long nanos = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      if (digits < 9) nanos = nanos * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (size_t i = digits; i < 9; ++i) nanos *= 10;
  }

  long long offset_seconds = 0;
  if (pos >= text.size()) return std::nullopt;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int off_hours, off_minutes;
    if (!read_digits(text, pos, 2, off_hours) || !expect(text, pos, ':') ||
        !read_digits(text, pos, 2, off_minutes) || off_hours > 23 || off_minutes > 59)
      return std::nullopt;
    offset_seconds = sign * (off_hours * 3600LL + off_minutes * 60LL);
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;

  const long long epoch_seconds = days_from_civil(year, month, day) * 86400LL + hour * 3600LL +
                                  minute * 60LL + second - offset_seconds;
  auto since_epoch = std::chrono::seconds(epoch_seconds) + std::chrono::nanoseconds(nanos);
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(since_epoch));
}

// Mirrors k8s.io/apimachinery/pkg/util/duration.HumanDuration, except that every negative
// duration prints "0s" (clock skew between nodes should not print "<invalid>").
std::string human_duration(std::chrono::seconds d) {
  const long long seconds = d.count();
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return std::to_string(seconds) + "s";
  const long long minutes = seconds / 60;
  if (minutes < 10) {
    const long long s = seconds % 60;
    if (s == 0) return std::to_string(minutes) + "m";
    return std::to_string(minutes) + "m" + std::to_string(s) + "s";
  }
  if (minutes < 60 * 3) return std::to_string(minutes) + "m";
  const long long hours = seconds / 3600;
  if (hours < 8) {
    const long long m = minutes % 60;
    if (m == 0) return std::to_string(hours) + "h";
    return std::to_string(hours) + "h" + std::to_string(m) + "m";
  }
  if (hours < 48) return std::to_string(hours) + "h";
  if (hours < 24 * 8) {
    const long long h = hours % 24;
    if (h == 0) return std::to_string(hours / 24) + "d";
    return std::to_string(hours / 24) + "d" + std::to_string(h) + "h";
  }
  if (hours < 24 * 365 * 2) return std::to_string(hours / 24) + "d";
  if (hours < 24 * 365 * 8) {
    const long long days = (hours / 24) % 365;
    if (days == 0) return std::to_string(hours / 24 / 365) + "y";
    return std::to_string(hours / 24 / 365) + "y" + std::to_string(days) + "d";
  }
  return std::to_string(hours / 24 / 365) + "y";
}

std::string age(std::string_view rfc3339_timestamp, Clock::time_point now) {
  auto then = parse_rfc3339(rfc3339_timestamp);
  if (!then) return "<unknown>";
  return human_duration(std::chrono::duration_cast<std::chrono::seconds>(now - *then));
}

}  // namespace skiff::api
