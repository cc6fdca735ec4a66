// Kubernetes resource quantities as the scheduler reads them from requests and allocatable.
#include <gtest/gtest.h>

#include "pkg/api/errors.h"
#include "server/scheduler/quantity.h"

namespace skiff::scheduler {
namespace {

struct QuantityCase {
  const char* text;
  std::int64_t milli;
  std::int64_t value;
};

TEST(Quantity, ParsesEveryKubernetesForm) {
  const std::vector<QuantityCase> cases = {
      {"0", 0, 0},
      {"1", 1000, 1},
      {"100m", 100, 1},  // Value() rounds up
      {"0.5", 500, 1},
      {"1.5", 1500, 2},
      {"2500m", 2500, 3},
      {"128Mi", 128LL * 1024 * 1024 * 1000, 128LL * 1024 * 1024},
      {"2Ki", 2048000, 2048},
      {"1Gi", 1073741824000LL, 1073741824LL},
      {"1G", 1000000000000LL, 1000000000LL},
      {"1k", 1000000, 1000},
      {"1M", 1000000000, 1000000},
      {"1e3", 1000000, 1000},
      {"1E3", 1000000, 1000},
      {"5e-3", 5, 1},
      {"1.5e1", 15000, 15},
      {"+2", 2000, 2},
      {"-1", -1000, -1},
      {"1n", 1, 1},  // tiny amounts round up to one unit
      {"500u", 1, 1},
      {".5", 500, 1},
      {"0.1Ki", 102400, 103},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parse_quantity_milli(c.text), c.milli) << c.text;
    EXPECT_EQ(parse_quantity_value(c.text), c.value) << c.text;
  }
}

TEST(Quantity, AcceptsJsonNumbersFromYaml) {
  EXPECT_EQ(quantity_milli(Json(1)), 1000);
  EXPECT_EQ(quantity_milli(Json(0.25)), 250);
  EXPECT_EQ(quantity_value(Json("64Mi")), 64LL * 1024 * 1024);
  EXPECT_THROW(quantity_value(Json::object()), api::ApiError);
  EXPECT_THROW(quantity_value(Json(true)), api::ApiError);
}

TEST(Quantity, RejectsMalformedTextWithKubernetesMessage) {
  for (const char* bad : {"", "abc", "1x", "1Mb", "1.2.3", "--1", "m", "1e", "1e+", "Mi"}) {
    try {
      parse_quantity_value(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const api::ApiError& e) {
      EXPECT_EQ(e.code(), 400) << bad;
      EXPECT_NE(std::string(e.what()).find("quantities must match the regular expression"),
                std::string::npos)
          << e.what();
      EXPECT_NE(std::string(e.what()).find("\"" + std::string(bad) + "\""), std::string::npos);
    }
  }
}

TEST(Quantity, RejectsValuesBeyondInt64) {
  EXPECT_THROW(parse_quantity_milli("16Ei"), api::ApiError);
  EXPECT_THROW(parse_quantity_value("1e30"), api::ApiError);
  EXPECT_EQ(parse_quantity_value("4Ei"), 4LL << 60);
}

}  // namespace
}  // namespace skiff::scheduler
