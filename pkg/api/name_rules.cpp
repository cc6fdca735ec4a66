// The name, label and annotation-key syntax rules shared by validation and selectors, with the
// messages Kubernetes prints for them (apimachinery/pkg/util/validation).
#include <cctype>

#include "pkg/api/validation.h"

namespace skiff::api {

namespace {

bool lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool is_dns_label(std::string_view v) {
  if (v.empty() || !lower_alnum(v.front()) || !lower_alnum(v.back())) return false;
  for (char c : v) {
    if (!lower_alnum(c) && c != '-') return false;
  }
  return true;
}

bool is_dns_subdomain(std::string_view v) {
  size_t start = 0;
  while (true) {
    size_t dot = v.find('.', start);
    if (!is_dns_label(v.substr(start, dot == v.npos ? v.npos : dot - start))) return false;
    if (dot == v.npos) return true;
    start = dot + 1;
  }
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool is_qualified_name_part(std::string_view v) {
  if (v.empty() || !alnum(v.front()) || !alnum(v.back())) return false;
  for (char c : v) {
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

std::string max_len_message(size_t n) {
  return "must be no more than " + std::to_string(n) + " characters";
}

const char* kDns1123LabelMessage =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const char* kDns1123SubdomainMessage =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const char* kQualifiedNameMessage =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used "
    "for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const char* kQualifiedNameWholeMessage =
    "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start "
    "and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
    "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS "
    "subdomain prefix and '/' (e.g. 'example.com/MyName')";
const char* kLabelValueMessage =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

}  // namespace

std::vector<std::string> validate_dns1123_label(std::string_view value) {
  std::vector<std::string> errors;
  if (value.size() > 63) errors.push_back(max_len_message(63));
  if (!is_dns_label(value)) errors.push_back(kDns1123LabelMessage);
  return errors;
}

std::vector<std::string> validate_dns1123_subdomain(std::string_view value) {
  std::vector<std::string> errors;
  if (value.size() > 253) errors.push_back(max_len_message(253));
  if (!is_dns_subdomain(value)) errors.push_back(kDns1123SubdomainMessage);
  return errors;
}

std::vector<std::string> validate_label_key(std::string_view key) {
  std::vector<std::string> errors;
  std::string_view name = key;
  size_t slash = key.find('/');
  if (slash != key.npos) {
    if (key.find('/', slash + 1) != key.npos) return {kQualifiedNameWholeMessage};
    std::string_view prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (prefix.empty()) {
      errors.push_back("prefix part must be non-empty");
    } else {
      for (const auto& e : validate_dns1123_subdomain(prefix)) errors.push_back("prefix part " + e);
    }
  }
  if (name.empty()) {
    errors.push_back("name part must be non-empty");
    return errors;
  }
  if (name.size() > 63) errors.push_back("name part " + max_len_message(63));
  if (!is_qualified_name_part(name)) errors.push_back(kQualifiedNameMessage);
  return errors;
}

std::vector<std::string> validate_label_value(std::string_view value) {
  std::vector<std::string> errors;
  if (value.size() > 63) errors.push_back(max_len_message(63));
  if (!value.empty() && !is_qualified_name_part(value)) errors.push_back(kLabelValueMessage);
  return errors;
}

}  // namespace skiff::api
