#include "pkg/api/time.h"

#include <gtest/gtest.h>

#include <ctime>
#include <random>
#include <string>
#include <vector>

namespace skiff::api {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(Rfc3339, FormatsUtcWithSecondPrecision) {
  auto t = Clock::time_point(seconds(1795685400)) + std::chrono::milliseconds(750);
  EXPECT_EQ(format_rfc3339(t), "2026-11-26T09:30:00Z");
  EXPECT_EQ(format_rfc3339(Clock::time_point(seconds(0))), "1970-01-01T00:00:00Z");
}

// format_rfc3339 writes the digits itself: the same text as strftime over four centuries
// (leap days, year ends, times before 1970, fractions of a second floored); system_clock counts
// nanoseconds, so its range ends in 2262.
TEST(Rfc3339, FormatsAsStrftimeDoes) {
  const auto strftime_text = [](long long whole_seconds) {
    std::time_t value = static_cast<std::time_t>(whole_seconds);
    std::tm utc{};
    gmtime_r(&value, &utc);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return std::string(buffer);
  };
  std::mt19937_64 random(7);
  std::uniform_int_distribution<long long> pick(-2208988800LL, 7258118400LL);  // 1900..2200
  std::vector<long long> moments = {0, -1, 951782400, 951868799, 946684799, 7258118399};
  for (int i = 0; i < 20000; ++i) moments.push_back(pick(random));
  for (long long moment : moments) {
    EXPECT_EQ(format_rfc3339(Clock::time_point(seconds(moment))), strftime_text(moment)) << moment;
  }
  EXPECT_EQ(format_rfc3339(Clock::time_point(std::chrono::milliseconds(-1))),
            "1969-12-31T23:59:59Z");
  EXPECT_EQ(format_rfc3339(Clock::time_point(seconds(951782400) + std::chrono::microseconds(999))),
            "2000-02-29T00:00:00Z");
}

TEST(Rfc3339, ParsesUtcOffsetsAndFractions) {
  auto utc = parse_rfc3339("2026-11-26T09:30:00Z");
  ASSERT_TRUE(utc);
  EXPECT_EQ(utc->time_since_epoch(), Clock::duration(seconds(1795685400)));

  auto offset = parse_rfc3339("2026-11-26T11:30:00+02:00");
  ASSERT_TRUE(offset);
  EXPECT_EQ(*offset, *utc);

  auto negative = parse_rfc3339("2026-11-26T04:00:00-05:30");
  ASSERT_TRUE(negative);
  EXPECT_EQ(*negative, *utc);

  auto fraction = parse_rfc3339("2026-11-26T09:30:00.123456Z");
  ASSERT_TRUE(fraction);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::microseconds>(*fraction - *utc).count(),
            123456);
}

TEST(Rfc3339, RoundTripsFormatAndParse) {
  auto t = Clock::time_point(seconds(1700000000));
  EXPECT_EQ(parse_rfc3339(format_rfc3339(t)), t);
}

TEST(Rfc3339, RejectsMalformedText) {
  for (const char* bad :
       {"", "2026-11-26", "2026-11-26T09:30:00", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
        "2026-11-26T25:00:00Z", "2026-11-26T09:30:00Zjunk", "2026-11-26T09:30:00.Z",
        "2026-11-26T09:30:00+0200", "not a time"}) {
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
  }
  EXPECT_TRUE(parse_rfc3339("2024-02-29T00:00:00Z"));  // leap day
}

// The table of k8s.io/apimachinery/pkg/util/duration.HumanDuration.
TEST(HumanDuration, MatchesApimachineryRules) {
  struct Case {
    seconds in;
    const char* want;
  };
  const Case cases[] = {
      {seconds(-5), "0s"},
      {seconds(0), "0s"},
      {seconds(1), "1s"},
      {seconds(45), "45s"},
      {seconds(119), "119s"},
      {minutes(2), "2m"},
      {minutes(5) + seconds(30), "5m30s"},
      {minutes(9) + seconds(59), "9m59s"},
      {minutes(10) + seconds(30), "10m"},
      {minutes(179), "179m"},
      {hours(3), "3h"},
      {hours(3) + minutes(5), "3h5m"},
      {hours(7) + minutes(59), "7h59m"},
      {hours(8) + minutes(30), "8h"},
      {hours(47), "47h"},
      {hours(48), "2d"},
      {hours(50), "2d2h"},
      {hours(24 * 7 + 23), "7d23h"},
      {hours(24 * 8), "8d"},
      {hours(24 * 729), "729d"},
      {hours(24 * 730), "2y"},
      {hours(24 * 800), "2y70d"},
      {hours(24 * 365 * 8), "8y"},
      {hours(24 * 365 * 20 + 24 * 3), "20y"},
  };
  for (const auto& c : cases) EXPECT_EQ(human_duration(c.in), c.want) << c.in.count() << "s";
}

TEST(Age, IsRelativeToNowAndUnknownWhenMissing) {
  auto now = *parse_rfc3339("2026-11-26T10:00:00Z");
  EXPECT_EQ(age("2026-11-26T09:55:00Z", now), "5m");
  EXPECT_EQ(age("2026-11-24T09:00:00Z", now), "2d1h");
  EXPECT_EQ(age("", now), "<unknown>");
  EXPECT_EQ(age("yesterday", now), "<unknown>");
}

}  // namespace
}  // namespace skiff::api
