#pragma once
// Internal to pkg/api validation: collects StatusCauses worded as Kubernetes'
// apimachinery/pkg/util/validation/field errors ("Required value", "Invalid value: ...",
// "Unsupported value: ...", "Duplicate value: ...", "Too long: ...", "Forbidden: ...").
#include <initializer_list>
#include <string>
#include <vector>

#include "pkg/api/errors.h"
#include "pkg/api/json.h"

namespace skiff::api::validation {

// A field path such as "spec.template.spec.containers[0].image".
class Path {
 public:
  Path() = default;
  explicit Path(std::string text) : text_(std::move(text)) {}
  Path child(std::string_view name) const {
    return Path(text_.empty() ? std::string(name) : text_ + "." + std::string(name));
  }
  Path index(size_t i) const { return Path(text_ + "[" + std::to_string(i) + "]"); }
  Path key(std::string_view k) const { return Path(text_ + "[" + std::string(k) + "]"); }
  const std::string& str() const { return text_; }

 private:
  std::string text_;
};

class Errors {
 public:
  void required(const Path& path, const std::string& detail = "") {
    add("FieldValueRequired", path, "Required value" + suffix(detail));
  }
  void invalid(const Path& path, const Json& value, const std::string& detail) {
    add("FieldValueInvalid", path, "Invalid value: " + show(value) + suffix(detail));
  }
  void not_supported(const Path& path, const Json& value,
                     std::initializer_list<const char*> supported) {
    std::string list;
    for (const char* s : supported) list += (list.empty() ? "\"" : ", \"") + std::string(s) + "\"";
    add("FieldValueNotSupported", path,
        "Unsupported value: " + show(value) + ": supported values: " + list);
  }
  void duplicate(const Path& path, const Json& value) {
    add("FieldValueDuplicate", path, "Duplicate value: " + show(value));
  }
  void not_found(const Path& path, const Json& value) {
    add("FieldValueNotFound", path, "Not found: " + show(value));
  }
  void too_long(const Path& path, size_t max) {
    add("FieldValueTooLong", path, "Too long: must have at most " + std::to_string(max) + " bytes");
  }
  void forbidden(const Path& path, const std::string& detail) {
    add("FieldValueForbidden", path, "Forbidden: " + detail);
  }
  void immutable(const Path& path, const Json& value) {
    invalid(path, value, "field is immutable");
  }
  // One Invalid cause per message (the name-rule helpers return several).
  void invalid_each(const Path& path, const Json& value, const std::vector<std::string>& msgs) {
    for (const auto& m : msgs) invalid(path, value, m);
  }

  std::vector<StatusCause>& causes() { return causes_; }

 private:
  static std::string suffix(const std::string& detail) {
    return detail.empty() ? "" : ": " + detail;
  }
  static std::string show(const Json& value) {
    if (value.is_string()) return value.dump();
    if (value.is_object() || value.is_array()) {
      std::string dumped = value.dump();
      return dumped.size() > 200 ? "\"object\"" : dumped;
    }
    return value.dump();
  }
  void add(const char* reason, const Path& path, std::string message) {
    causes_.push_back({reason, std::move(message), path.str()});
  }

  std::vector<StatusCause> causes_;
};

// Small typed readers: nullptr when absent or of another type.
inline const Json* get(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}
inline std::string get_string(const Json& object, std::string_view key) {
  const Json* v = get(object, key);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

// The kind-specific validators (validation_*.cpp).
void validate_pod_spec(const Json& spec, const Path& path, bool is_template, Errors& errors);
void validate_labels(const Json& labels, const Path& path, Errors& errors);
void validate_workload(const std::string& kind, const Json& object, const Json* old,
                       Errors& errors);
void validate_service(const Json& object, const Json* old, Errors& errors);
void validate_config_data(const std::string& kind, const Json& object, const Json* old,
                          Errors& errors);
void validate_ingress(const Json& object, Errors& errors);
void validate_pod_update(const Json& object, const Json& old, Errors& errors);
bool is_iana_svc_name(std::string_view name);

}  // namespace skiff::api::validation
