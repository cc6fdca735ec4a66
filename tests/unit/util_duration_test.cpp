// Durations as the server's flags take them (Go's notation, as Kubernetes flags use).
#include <gtest/gtest.h>

#include "pkg/util/duration.h"

namespace skiff::util {
namespace {

using std::chrono::milliseconds;

TEST(ParseDuration, TakesGoDurationsAndBareSeconds) {
  EXPECT_EQ(parse_duration("40s"), milliseconds(40'000));
  EXPECT_EQ(parse_duration("1.5m"), milliseconds(90'000));
  EXPECT_EQ(parse_duration("500ms"), milliseconds(500));
  EXPECT_EQ(parse_duration("2h"), milliseconds(7'200'000));
  EXPECT_EQ(parse_duration("1h30m"), milliseconds(5'400'000));
  EXPECT_EQ(parse_duration("1h0m0s"), milliseconds(3'600'000));  // how kube-apiserver prints 1h
  EXPECT_EQ(parse_duration("2m30.5s"), milliseconds(150'500));
  EXPECT_EQ(parse_duration("1500us"), milliseconds(1));
  EXPECT_EQ(parse_duration("30"), milliseconds(30'000));
  EXPECT_EQ(parse_duration("0"), milliseconds(0));
}

TEST(ParseDuration, RefusesWhatIsNotADuration) {
  for (const char* text : {"", "-5s", "+5s", "5x", "h", "1h5", "1..5s", "5 s", "1h-30m", "ten"}) {
    EXPECT_EQ(parse_duration(text), std::nullopt) << text;
  }
}

}  // namespace
}  // namespace skiff::util
