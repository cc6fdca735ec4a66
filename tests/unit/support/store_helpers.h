#pragma once
// Helpers shared by the store unit tests.
#include <cstdint>
#include <string>

#include "server/store/store.h"

namespace skiff::store::test_support {

// The object's metadata.resourceVersion as a number.
inline int64_t revision_of(const ObjectPtr& object) {
  return std::stoll(object->at("metadata").at("resourceVersion").get<std::string>());
}

// A Lease's spec.renewTime.
inline std::string renew_time_of(const ObjectPtr& object) {
  return object->at("spec").at("renewTime").get<std::string>();
}

}  // namespace skiff::store::test_support
