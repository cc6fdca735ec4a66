#include "pkg/api/validation.h"

namespace skiff::api {

std::vector<std::string> validate_dns1123_subdomain(std::string_view) {
  return {};
}
std::vector<std::string> validate_dns1123_label(std::string_view) {
  return {};
}
std::vector<std::string> validate_label_key(std::string_view) {
  return {};
}
std::vector<std::string> validate_label_value(std::string_view) {
  return {};
}
std::vector<StatusCause> validate_object(const ResourceInfo&, const Json&, const Json*) {
  return {};
}
std::vector<std::string> unknown_fields(const ResourceInfo&, const Json&) {
  return {};
}

}  // namespace skiff::api
