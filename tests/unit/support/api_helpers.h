#pragma once
// Helpers shared by the pkg/api unit tests.
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "pkg/api/errors.h"
#include "pkg/api/resources.h"

namespace skiff::api::test_support {

// The HTTP code of the ApiError `fn` throws; 0 when it throws none.
inline int error_code(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ApiError& e) {
    return e.code();
  }
  return 0;
}

// The resource table's entry for a kind; throws when there is none (a typo in a test).
inline const ResourceInfo& info(std::string_view api_version, std::string_view kind) {
  const ResourceInfo* r = find_by_kind(api_version, kind);
  if (!r) throw std::runtime_error("no resource " + std::string(kind));
  return *r;
}

}  // namespace skiff::api::test_support
