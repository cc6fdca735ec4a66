// api::json_text must write exactly what nlohmann's dump() writes, and refuse what it refuses.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <string>

#include "pkg/api/json_text.h"

namespace skiff::api {
namespace {

void expect_same_text(const Json& value) {
  EXPECT_EQ(json_text(value), value.dump()) << value.dump();
}

// Plain runs are skipped sixteen and eight bytes at a time: a byte that needs an escape (or
// refuses the string) is found at every offset, whichever block or word it falls in.
TEST(JsonText, EveryKindOfSpecialByteAtEveryOffset) {
  const std::string specials[] = {"\"", "\\",   std::string(1, '\0'), "\x1f",
                                  "\n", "\x7f", "\xc3\xa9",           "~"};
  for (size_t length = 0; length <= 40; ++length) {
    for (size_t at = 0; at <= length; ++at) {
      for (const auto& special : specials) {
        std::string text(length, 'a');
        text.insert(at, special);
        expect_same_text(text);
      }
    }
  }
  // Bytes just either side of the bounds the word test uses.
  for (int byte = 1; byte < 0x80; ++byte)
    expect_same_text(std::string(33, static_cast<char>(byte)));
  EXPECT_THROW(json_text(Json(std::string(11, 'a') + "\xff" + std::string(11, 'b'))),
               Json::type_error);
}

TEST(JsonText, ScalarsAndContainersAsDumpWritesThem) {
  expect_same_text(Json());
  expect_same_text(true);
  expect_same_text(false);
  expect_same_text(0);
  expect_same_text(-1);
  expect_same_text(std::numeric_limits<int64_t>::min());
  expect_same_text(std::numeric_limits<int64_t>::max());
  expect_same_text(std::numeric_limits<uint64_t>::max());
  for (double number : {0.0, -0.0, 0.1, 1.5, -2.25, 1e300, 5e-324, 123456789.125}) {
    expect_same_text(number);
  }
  expect_same_text("");
  expect_same_text(Json::object());
  expect_same_text(Json::array());
  expect_same_text(Json::array({Json::object(), Json::array(), Json(), 1, "a"}));
  expect_same_text(Json::parse(
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","labels":{"app":"web"},
          "annotations":{"note":"line one\nline \"two\"\t\\ end"}},
          "spec":{"containers":[{"name":"app","image":"busybox:1.36","args":["sh","-c","echo hi"],
          "resources":{"requests":{"cpu":"10m"}}}],"priority":-5,"ratio":0.75}})"));
}

TEST(JsonText, EveryControlCharacterQuoteAndBackslashIsEscapedAsDumpDoes) {
  std::string all;
  for (int c = 0; c < 0x80; ++c) all.push_back(static_cast<char>(c));
  expect_same_text(all);
  expect_same_text(Json{{all, all}});
  for (int c = 0; c < 0x20; ++c) expect_same_text(std::string("a") + static_cast<char>(c) + "b");
}

TEST(JsonText, NonAsciiTextIsWrittenAndInvalidUtf8RefusedAsDumpDoes) {
  expect_same_text("caf\u00e9");
  expect_same_text("\u65e5\u672c\u8a9e and \U0001F600");
  expect_same_text(Json{{"k\u00e9y", "\x7f plain DEL"}});
  const Json invalid = Json{{"data", std::string("ok \xff\xfe")}};
  EXPECT_THROW(invalid.dump(), Json::type_error);
  EXPECT_THROW(json_text(invalid), Json::type_error);
  EXPECT_THROW(json_text(Json(std::string("\xc3"))), Json::type_error);  // truncated sequence
}

TEST(JsonText, RandomDocumentsMatchDump) {
  std::mt19937 random(12345);
  auto random_string = [&] {
    std::string text(random() % 12, ' ');
    for (auto& c : text) {
      const int pick = static_cast<int>(random() % 10);
      c = pick == 0   ? static_cast<char>(random() % 0x20)
          : pick == 1 ? "\"\\/"[random() % 3]
                      : static_cast<char>(0x20 + random() % 0x5f);
    }
    if (random() % 8 == 0) text += "\u00fc";
    return text;
  };
  std::function<Json(int)> random_value = [&](int depth) -> Json {
    switch (depth > 3 ? random() % 5 : random() % 7) {
      case 0:
        return Json();
      case 1:
        return random() % 2 == 0;
      case 2:
        return static_cast<int64_t>(random()) - (1LL << 31);
      case 3:
        return static_cast<double>(random()) / 1000.0;
      case 4:
        return random_string();
      case 5: {
        Json object = Json::object();
        for (int i = static_cast<int>(random() % 5); i > 0; --i)
          object[random_string()] = random_value(depth + 1);
        return object;
      }
      default: {
        Json array = Json::array();
        for (int i = static_cast<int>(random() % 5); i > 0; --i)
          array.push_back(random_value(depth + 1));
        return array;
      }
    }
  };
  for (int i = 0; i < 2000; ++i) expect_same_text(random_value(0));
}

TEST(JsonText, AppendsToWhatIsThere) {
  std::string out = "{\"object\":";
  append_json_text(out, Json{{"a", 1}});
  EXPECT_EQ(out, "{\"object\":{\"a\":1}");
}

}  // namespace
}  // namespace skiff::api
