#include "pkg/api/validation.h"

namespace skiff::api {

std::vector<std::string> unknown_fields(const ResourceInfo&, const Json&) {
  return {};
}

}  // namespace skiff::api
