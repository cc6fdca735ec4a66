#include "server/apiserver/field_validation.h"

#include <algorithm>

#include "pkg/api/errors.h"
#include "pkg/api/validation.h"

namespace skiff::apiserver {

FieldValidation parse_field_validation(const std::string& value) {
  if (value.empty() || value == "Warn") return FieldValidation::Warn;
  if (value == "Strict") return FieldValidation::Strict;
  if (value == "Ignore") return FieldValidation::Ignore;
  throw api::bad_request("fieldValidation must be one of Strict, Warn or Ignore, not \"" + value +
                         "\"");
}

void remove_field_path(Json& object, const std::string& path) {
  Json* node = &object;
  size_t pos = 0;
  while (pos < path.size() && node) {
    if (path[pos] == '[') {
      size_t close = path.find(']', pos);
      if (close == std::string::npos) return;
      std::string index_text = path.substr(pos + 1, close - pos - 1);
      pos = close + 1;
      if (pos < path.size() && path[pos] == '.') ++pos;
      if (!node->is_array()) return;
      size_t index = 0;
      try {
        index = std::stoul(index_text);
      } catch (...) {
        return;
      }
      if (index >= node->size()) return;
      if (pos >= path.size()) {
        node->erase(index);
        return;
      }
      node = &(*node)[index];
      continue;
    }
    size_t end = path.find_first_of(".[", pos);
    std::string key = path.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (!node->is_object() || !node->contains(key)) return;
    if (end == std::string::npos) {
      node->erase(key);
      return;
    }
    node = &(*node)[key];
    pos = path[end] == '.' ? end + 1 : end;
  }
}

void enforce_field_validation(FieldValidation mode, const api::ResourceInfo& resource, Json& object,
                              std::vector<std::string>& warnings) {
  auto unknown = api::unknown_fields(resource, object);
  if (unknown.empty()) return;
  if (mode == FieldValidation::Strict) {
    std::string message = "strict decoding error: ";
    for (size_t i = 0; i < unknown.size(); ++i) {
      if (i) message += ", ";
      message += "unknown field \"" + unknown[i] + "\"";
    }
    throw api::bad_request(message);
  }
  // Remove deepest paths first so array indexes of earlier paths stay valid.
  for (auto it = unknown.rbegin(); it != unknown.rend(); ++it) {
    if (mode == FieldValidation::Warn) warnings.push_back("unknown field \"" + *it + "\"");
    remove_field_path(object, *it);
  }
  if (mode == FieldValidation::Warn)
    std::reverse(warnings.end() - static_cast<long>(unknown.size()), warnings.end());
}

}  // namespace skiff::apiserver
