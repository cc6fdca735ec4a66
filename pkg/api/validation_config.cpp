// ConfigMap and Secret validation: data keys, total size, `immutable`, Secret type rules.
#include <cctype>
#include <set>

#include "pkg/api/field_errors.h"
#include "pkg/api/validation.h"

namespace skiff::api::validation {

namespace {

constexpr size_t kMaxDataSize = 1024 * 1024;

std::vector<std::string> validate_config_key(const std::string& key) {
  std::vector<std::string> errors;
  if (key.size() > 253) errors.push_back("must be no more than 253 characters");
  bool ok = !key.empty();
  for (char c : key) {
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.');
  }
  if (!ok) {
    errors.push_back(
        "a valid config key must consist of alphanumeric characters, '-', '_' or "
        "'.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for "
        "validation is '[-._a-zA-Z0-9]+')");
  }
  if (key == ".") {
    errors.push_back("must not be '.'");
  } else if (key == "..") {
    errors.push_back("must not be '..'");
  } else if (key.rfind("..", 0) == 0) {
    errors.push_back("must not start with '..'");
  }
  return errors;
}

// Standard base64 with padding; like Go's decoder, line breaks are ignored.
bool is_base64(const std::string& raw) {
  std::string s;
  for (char c : raw) {
    if (c != '\n' && c != '\r') s += c;
  }
  if (s.size() % 4 != 0) return false;
  size_t padding = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding > 0) return false;
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/') return false;
  }
  return padding <= 2;
}

// Validates one map of keys; returns the total size of its values.
size_t validate_map(const Json& object, const char* field, bool base64, std::set<std::string>& seen,
                    Errors& errors) {
  const Json* map = get(object, field);
  if (!map) return 0;
  Path path(field);
  if (!map->is_object()) {
    errors.invalid(path, *map, "must be a map");
    return 0;
  }
  size_t total = 0;
  for (const auto& [key, value] : map->items()) {
    errors.invalid_each(path.key(key), key, validate_config_key(key));
    if (!seen.insert(key).second) {
      errors.invalid(path.key(key), key, "duplicate of key present in data");
    }
    if (!value.is_string()) {
      errors.invalid(path.key(key), value, "must be a string");
      continue;
    }
    const std::string& s = value.get_ref<const std::string&>();
    if (base64 && !is_base64(s)) {
      errors.invalid(path.key(key), "<secret contents redacted>", "must be base64-encoded");
    }
    total += base64 ? s.size() / 4 * 3 : s.size();
  }
  return total;
}

void validate_secret_type(const Json& object, Errors& errors) {
  std::string type = get_string(object, "type");
  const Json* data = get(object, "data");
  auto has = [&](const char* key) { return data && data->is_object() && data->contains(key); };
  if (type == "kubernetes.io/tls") {
    for (const char* key : {"tls.crt", "tls.key"}) {
      if (!has(key)) errors.required(Path("data").key(key));
    }
  } else if (type == "kubernetes.io/dockerconfigjson") {
    if (!has(".dockerconfigjson")) errors.required(Path("data").key(".dockerconfigjson"));
  } else if (type == "kubernetes.io/dockercfg") {
    if (!has(".dockercfg")) errors.required(Path("data").key(".dockercfg"));
  } else if (type == "kubernetes.io/basic-auth") {
    if (!has("username") && !has("password")) {
      errors.required(Path("data").key("username"));
      errors.required(Path("data").key("password"));
    }
  } else if (type == "kubernetes.io/ssh-auth") {
    if (!has("ssh-privatekey")) errors.required(Path("data").key("ssh-privatekey"));
  } else if (type == "kubernetes.io/service-account-token") {
    const Json* metadata = get(object, "metadata");
    const Json* annotations = metadata ? get(*metadata, "annotations") : nullptr;
    if (!annotations || !annotations->contains("kubernetes.io/service-account.name")) {
      errors.required(Path("metadata.annotations[kubernetes.io/service-account.name]"));
    }
  }
}

bool is_immutable(const Json& object) {
  const Json* v = get(object, "immutable");
  return v && v->is_boolean() && v->get<bool>();
}

Json field_or_empty(const Json& object, const char* field) {
  const Json* v = get(object, field);
  return v && !(v->is_object() && v->empty()) ? *v : Json::object();
}

}  // namespace

void validate_config_data(const std::string& kind, const Json& object, const Json* old,
                          Errors& errors) {
  bool secret = kind == "Secret";
  std::set<std::string> seen;
  size_t total = validate_map(object, "data", secret, seen, errors);
  if (secret) {
    std::set<std::string> string_seen;
    total += validate_map(object, "stringData", false, string_seen, errors);
    validate_secret_type(object, errors);
  } else {
    total += validate_map(object, "binaryData", true, seen, errors);
  }
  if (total > kMaxDataSize) errors.too_long(Path(""), kMaxDataSize);
  if (!old) return;
  if (secret && get_string(*old, "type") != get_string(object, "type") &&
      !get_string(*old, "type").empty()) {
    errors.immutable(Path("type"), get_string(object, "type"));
  }
  if (is_immutable(*old)) {
    if (!is_immutable(object)) {
      errors.forbidden(Path("immutable"), "field is immutable when `immutable` is set");
    }
    for (const char* field : {"data", "binaryData"}) {
      if (field_or_empty(*old, field) != field_or_empty(object, field)) {
        errors.forbidden(Path(field), "field is immutable when `immutable` is set");
      }
    }
  }
}

}  // namespace skiff::api::validation
