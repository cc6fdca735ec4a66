#include "pkg/api/selectors.h"

namespace skiff::api {

LabelSelector LabelSelector::parse(std::string_view) {
  return {};
}
LabelSelector LabelSelector::from_json(const Json&) {
  return {};
}
bool LabelSelector::matches(const Json&) const {
  return true;
}
std::string LabelSelector::to_string() const {
  return "";
}

FieldSelector FieldSelector::parse(std::string_view, std::string_view) {
  return {};
}
bool FieldSelector::matches(const Json&) const {
  return true;
}
std::string field_value(const Json&, std::string_view) {
  return "";
}

}  // namespace skiff::api
