// Request bodies as the API server reads them: text in the media type it names, or the object an
// in-process caller (the controllers' InProcessClient) hands over instead of text, which is
// taken out of the request once and checked the same way.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "pkg/api/errors.h"
#include "server/apiserver/request_body.h"

namespace skiff::apiserver {
namespace {

http::Request with_text(const std::string& body, const std::string& type = "application/json") {
  http::Request request;
  request.method = "POST";
  request.body = body;
  request.headers = {{"Content-Type", type}};
  return request;
}

http::Request with_object(Json object) {
  http::Request request;
  request.method = "POST";
  request.object_body = std::move(object);
  request.headers = {{"Content-Type", "application/json"}};
  return request;
}

int code_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const api::ApiError& error) {
    return error.code();
  }
  return 0;
}

// decode_object_body of a request made here (it may take the request's object out).
Json decode(http::Request request) {
  return decode_object_body(request);
}

TEST(RequestBody, TextIsReadInItsMediaType) {
  EXPECT_EQ(decode(with_text(R"({"kind":"Pod"})")), Json({{"kind", "Pod"}}));
  EXPECT_EQ(decode(with_text("kind: Pod\n", "application/yaml")), Json({{"kind", "Pod"}}));
  EXPECT_EQ(code_of([] { decode(with_text("{nope")); }), 400);
  EXPECT_EQ(code_of([] { decode(with_text("")); }), 400);
  EXPECT_EQ(code_of([] { decode(with_text("x", "text/plain")); }), 415);
}

TEST(RequestBody, AnInProcessObjectIsTakenOnceInsteadOfText) {
  http::Request request = with_object({{"kind", "Pod"}});
  EXPECT_TRUE(has_body(request));
  EXPECT_EQ(decode_object_body(request), Json({{"kind", "Pod"}}));
  EXPECT_FALSE(has_body(request)) << "taken out, not copied";
  EXPECT_FALSE(has_body(with_text("")));
}

TEST(RequestBody, AnInProcessObjectIsCheckedAsTextWouldBe) {
  EXPECT_EQ(code_of([] { decode(with_object(Json::array({1, 2}))); }), 400);
  http::Request text = with_text(R"({"kind":"Pod"})");
  EXPECT_FALSE(take_object_body(text).has_value());
}

}  // namespace
}  // namespace skiff::apiserver
