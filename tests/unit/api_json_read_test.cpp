// api::read_json_text must build exactly the tree nlohmann's parse() builds (values and number
// types), and fail exactly as it fails.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "pkg/api/json_read.h"
#include "pkg/api/json_text.h"

namespace skiff::api {
namespace {

// Equal values of the same types all the way down (Json's == treats 1u and 1 as equal).
::testing::AssertionResult same_tree(const Json& read, const Json& parsed) {
  if (read.type() != parsed.type())
    return ::testing::AssertionFailure() << read.type_name() << " where parse() has "
                                         << parsed.type_name() << ": " << parsed.dump();
  if (read.is_object()) {
    if (read.size() != parsed.size()) return ::testing::AssertionFailure() << "member count";
    for (auto it = parsed.begin(); it != parsed.end(); ++it) {
      if (!read.contains(it.key())) return ::testing::AssertionFailure() << "missing " << it.key();
      if (auto same = same_tree(read.at(it.key()), it.value()); !same) return same;
    }
    return ::testing::AssertionSuccess();
  }
  if (read.is_array()) {
    if (read.size() != parsed.size()) return ::testing::AssertionFailure() << "item count";
    for (size_t i = 0; i < parsed.size(); ++i)
      if (auto same = same_tree(read[i], parsed[i]); !same) return same;
    return ::testing::AssertionSuccess();
  }
  if (read != parsed)
    return ::testing::AssertionFailure() << read.dump() << " vs " << parsed.dump();
  return ::testing::AssertionSuccess();
}

void expect_as_parse(const std::string& text) {
  SCOPED_TRACE(text);
  const Json parsed = Json::parse(text);
  EXPECT_TRUE(same_tree(read_json_text(text), parsed));
  EXPECT_TRUE(same_tree(read_json_text_or_discarded(text), parsed));
}

// Plain runs are read sixteen and eight bytes at a time: a quote, escape, control or non-ASCII
// byte is noticed at every offset.
TEST(JsonRead, StringsWithASpecialByteAtEveryOffset) {
  const std::string specials[] = {"\\\"", "\\\\", "\\n", "\\u00e9", "\xc3\xa9", "\x7f", "~"};
  for (size_t length = 0; length <= 40; ++length) {
    for (size_t at = 0; at <= length; ++at) {
      for (const auto& special : specials) {
        std::string text(length, 'a');
        text.insert(at, special);
        expect_as_parse("[\"" + text + "\"]");
      }
      std::string with_control(length, 'a');
      with_control.insert(at, 1, '\x01');
      EXPECT_THROW(read_json_text("\"" + with_control + "\""), Json::parse_error);
    }
  }
}

TEST(JsonRead, ApiObjectsAsParseReadsThem) {
  expect_as_parse(R"({"apiVersion":"v1","data":{"payload":")" + std::string(960, 'x') +
                  R"("},"kind":"ConfigMap","metadata":{"labels":{"bench":"api"},"name":"cm-1"}})");
  expect_as_parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "generation": 3, "annotations": {}},
    "spec": {"replicas": 0, "paused": false, "selector": {"matchLabels": {"app": "web"}},
             "template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.25",
                                                   "ports": [{"containerPort": 80}],
                                                   "args": [], "tty": true}]}}},
    "status": null
  })");
}

TEST(JsonRead, NumberTypesAsParseGivesThem) {
  // parse(): non-negative integers are unsigned, negative ones signed, the rest floating-point.
  for (const char* text :
       {"0", "-0", "7", "-7", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "-9223372036854775809", "18446744073709551615", "18446744073709551616", "1.5", "-0.0",
        "1e3", "2E-2", "[1,-1,1.0]", "{\"a\":-12,\"b\":12}"}) {
    expect_as_parse(text);
  }
}

TEST(JsonRead, WhatItHandsToParseComesOutTheSame) {
  for (const char* text :
       {R"("caf\u00e9")", "\"caf\xc3\xa9\"", R"({"a":"line\nbreak","b":"q\"uote"})",
        R"(["\ud83d\ude00"])", "\xef\xbb\xbf{\"bom\":1}", R"({"dup":1,"dup":2})", "[]", "{}",
        " \t\r\n[ ] ", R"({"a":[{"b":[{"c":[null,true,false]}]}]})"}) {
    expect_as_parse(text);
  }
  std::string deep;
  for (int i = 0; i < 300; ++i) deep += '[';
  for (int i = 0; i < 300; ++i) deep += ']';
  expect_as_parse(deep);  // deeper than the fast path goes
}

TEST(JsonRead, MalformedTextFailsWithParsesMessage) {
  for (const char* text : {"", "{", "{\"a\":}", "{\"a\" 1}", "[1,]", "01", "-", "tru", "true x",
                           "{\"a\":1,}", "\"open", "[1 2]", "{\"a\":\"\x01\"}", "nul"}) {
    SCOPED_TRACE(text);
    std::string expected;
    try {
      [[maybe_unused]] const Json taken = Json::parse(text);
      ADD_FAILURE() << "parse() took it";
    } catch (const Json::parse_error& error) {
      expected = error.what();
    }
    try {
      [[maybe_unused]] const Json taken = read_json_text(text);
      ADD_FAILURE() << "read_json_text took it";
    } catch (const Json::parse_error& error) {
      EXPECT_EQ(error.what(), expected);
    }
    EXPECT_TRUE(read_json_text_or_discarded(text).is_discarded());
  }
}

TEST(JsonRead, ARepeatedKeyKeepsItsLastValue) {
  EXPECT_EQ(read_json_text(R"({"a":1,"b":{"c":2},"a":{"d":3}})"),
            Json::parse(R"({"a":{"d":3},"b":{"c":2}})"));
}

TEST(JsonRead, ReadsBackWhatJsonTextWrote) {
  Json object = {{"name", "x"},
                 {"n", -3},
                 {"u", 5u},
                 {"list", {1, "two", nullptr, false}},
                 {"nested", {{"empty", Json::object()}, {"none", Json::array()}}}};
  expect_as_parse(json_text(object));
  EXPECT_EQ(read_json_text(json_text(object)), object);  // equal values (1u == 1)
}

// Documents cut short, with a byte changed or a byte inserted, from a fixed seed: whatever
// parse() makes of each (a tree or an error message), read_json_text makes the same.
TEST(JsonRead, DamagedDocumentsAsParseSeesThem) {
  const std::string base =
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p-1","labels":{"a":"b"},)"
      R"("generation":12},"spec":{"containers":[{"name":"c","image":"busybox:1.36",)"
      R"("ports":[{"containerPort":8080,"protocol":"TCP"}],"args":["-c","x"]}],)"
      R"("priority":-5,"enableServiceLinks":true,"nodeName":null},"status":{}})";
  const std::string alphabet =
      "{}[]:,\\\"-0123456789.eEtrufalsn \t\n\x01\xc3\xa9"
      "az";
  std::mt19937 random(20261128);
  for (int round = 0; round < 5000; ++round) {
    std::string text = base;
    const size_t at = random() % text.size();
    switch (round % 3) {
      case 0:
        text.resize(at);
        break;
      case 1:
        text[at] = alphabet[random() % alphabet.size()];
        break;
      default:
        text.insert(at, 1, alphabet[random() % alphabet.size()]);
    }
    SCOPED_TRACE(text);
    Json parsed;
    std::string error;
    try {
      parsed = Json::parse(text);
    } catch (const Json::parse_error& e) {
      error = e.what();
    }
    try {
      Json read = read_json_text(text);
      EXPECT_TRUE(error.empty()) << "took what parse() refused: " << error;
      if (error.empty()) {
        EXPECT_TRUE(same_tree(read, parsed));
      }
    } catch (const Json::parse_error& e) {
      EXPECT_EQ(e.what(), error);
    }
  }
}

}  // namespace
}  // namespace skiff::api
