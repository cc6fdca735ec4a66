#include "pkg/api/validation.h"

namespace skiff::api {

std::vector<StatusCause> validate_object(const ResourceInfo&, const Json&, const Json*) {
  return {};
}
std::vector<std::string> unknown_fields(const ResourceInfo&, const Json&) {
  return {};
}

}  // namespace skiff::api
