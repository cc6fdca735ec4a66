// The stored text a writer's caller prepares before the revision is known: once stamped, it is
// byte for byte the text of the object stamped with that revision, wherever resourceVersion
// sits among the metadata and whatever else in the object is called resourceVersion.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pkg/api/json_text.h"
#include "server/store/revision.h"

namespace skiff::store {
namespace {

// What the writer stored before: the object stamped, then written.
std::string text_stamped_by_writer(Json object, int64_t revision) {
  stamp_revision(object, revision);
  return api::json_text(object);
}

std::string prepared_then_stamped(Json object, int64_t revision) {
  auto prepared = prepare_text(object);
  EXPECT_TRUE(prepared.has_value());
  if (!prepared) return {};
  return stamped_text(std::move(*prepared), revision);
}

TEST(PreparedText, StampedItIsTheStampedObjectsText) {
  const std::vector<Json> objects = {
      // resourceVersion absent, first, last among metadata; an old one replaced.
      {{"kind", "ConfigMap"}, {"metadata", {{"name", "a"}}}, {"data", {{"k", "v"}}}},
      {{"kind", "ConfigMap"}, {"metadata", {{"annotations", {{"x", "y"}}}}}},
      {{"metadata", {{"name", "a"}, {"uid", "u"}, {"zzz", 1}}}},
      {{"metadata", {{"name", "a"}, {"resourceVersion", "41"}}}},
      // An Event: involvedObject's resourceVersion comes first in key order and stays as is.
      {{"involvedObject", {{"kind", "Pod"}, {"resourceVersion", "7"}}},
       {"kind", "Event"},
       {"metadata", {{"name", "e"}, {"namespace", "default"}}},
       {"message", "caf\u00e9 \"quoted\" \\ and a tab\t"}},
      {{"metadata", Json::object()}, {"spec", {{"replicas", 3}, {"ratio", 0.25}}}},
  };
  for (const Json& object : objects) {
    for (int64_t revision : {int64_t{1}, int64_t{10}, int64_t{123456789012345}}) {
      EXPECT_EQ(prepared_then_stamped(object, revision), text_stamped_by_writer(object, revision))
          << object.dump();
    }
  }
}

TEST(PreparedText, LeavesToTheWriterWhatItCannotPrepare) {
  Json no_metadata = {{"kind", "ConfigMap"}};
  EXPECT_FALSE(prepare_text(no_metadata).has_value());
  Json odd_metadata = {{"metadata", "not an object"}};
  EXPECT_FALSE(prepare_text(odd_metadata).has_value());
  Json array = Json::array({1});
  EXPECT_FALSE(prepare_text(array).has_value());
  Json bad_utf8 = {{"metadata", {{"name", "a"}}}, {"data", {{"k", std::string("\xff\xfe")}}}};
  EXPECT_FALSE(prepare_text(bad_utf8).has_value()) << "the writer refuses it, as before";
}

}  // namespace
}  // namespace skiff::store
