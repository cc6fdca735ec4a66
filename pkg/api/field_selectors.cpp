// Field selectors (FieldSelector, field_value): "metadata.name=x,status.phase!=Failed" with the
// fields each kind supports, as Kubernetes' fields package parses them (backslash escapes).
#include <cctype>
#include <map>
#include <set>

#include "pkg/api/errors.h"
#include "pkg/api/selectors.h"

namespace skiff::api {

namespace {

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

const std::set<std::string, std::less<>>& supported_fields(std::string_view kind) {
  static const std::map<std::string, std::set<std::string, std::less<>>, std::less<>> by_kind = {
      {"Pod",
       {"spec.nodeName", "status.phase", "status.podIP", "spec.restartPolicy", "spec.schedulerName",
        "spec.serviceAccountName", "spec.hostNetwork", "status.nominatedNodeName"}},
      {"Event",
       {"involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
        "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
        "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"}},
      {"Secret", {"type"}},
      {"Node", {"spec.unschedulable"}},
      {"Namespace", {"status.phase"}},
      {"ReplicaSet", {"status.replicas"}},
      {"Service", {"spec.clusterIP", "spec.type"}},
  };
  static const std::set<std::string, std::less<>> none;
  auto it = by_kind.find(kind);
  return it == by_kind.end() ? none : it->second;
}

bool field_supported(std::string_view field, std::string_view kind) {
  if (field == "metadata.name" || field == "metadata.namespace") return true;
  return supported_fields(kind).count(field) > 0;
}

// Splits on unescaped `separator`; keeps escapes in place (they are resolved later).
std::vector<std::string> split_unescaped(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::string current;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      current += text[i];
      current += text[++i];
    } else if (text[i] == separator) {
      parts.push_back(std::move(current));
      current.clear();
    } else {
      current += text[i];
    }
  }
  parts.push_back(std::move(current));
  return parts;
}

std::string unescape(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) ++i;
    out += text[i];
  }
  return out;
}

// Finds the first unescaped occurrence of `op` in `term`.
size_t find_unescaped(std::string_view term, std::string_view op) {
  for (size_t i = 0; i < term.size(); ++i) {
    if (term[i] == '\\') {
      ++i;
      continue;
    }
    if (term.substr(i, op.size()) == op) return i;
  }
  return std::string_view::npos;
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return std::string(s.substr(b, e - b));
}

const Json* walk(const Json& object, std::string_view dotted) {
  const Json* node = &object;
  size_t start = 0;
  while (start <= dotted.size()) {
    size_t dot = dotted.find('.', start);
    std::string part(
        dotted.substr(start, dot == std::string_view::npos ? dotted.npos : dot - start));
    if (!node->is_object()) return nullptr;
    auto it = node->find(part);
    if (it == node->end()) return nullptr;
    node = &*it;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return node;
}

}  // namespace

// ---- FieldSelector ----------------------------------------------------------------------------

FieldSelector FieldSelector::parse(std::string_view text, std::string_view kind) {
  FieldSelector selector;
  if (trim(text).empty()) return selector;
  for (const auto& raw_term : split_unescaped(text, ',')) {
    std::string term = trim(raw_term);
    if (term.empty()) continue;
    size_t at = std::string::npos;
    size_t op_len = 0;
    bool equals = true;
    for (std::string_view op : {"!=", "==", "="}) {
      size_t found = find_unescaped(term, op);
      if (found != std::string::npos) {
        at = found;
        op_len = op.size();
        equals = op != "!=";
        break;
      }
    }
    if (at == std::string::npos) {
      throw bad_request("invalid selector: '" + std::string(text) + "'; can't understand '" + term +
                        "'");
    }
    std::string field = trim(term.substr(0, at));
    std::string value = unescape(trim(term.substr(at + op_len)));
    if (!field_supported(field, kind)) {
      throw bad_request("field label not supported: " + field);
    }
    selector.requirements_.push_back({std::move(field), equals, std::move(value)});
  }
  return selector;
}

bool FieldSelector::matches(const Json& object) const {
  for (const auto& r : requirements_) {
    if ((field_value(object, r.field) == r.value) != r.equals) return false;
  }
  return true;
}

std::string field_value(const Json& object, std::string_view field) {
  std::string_view path = field == "source" ? "source.component" : field;
  const Json* node = walk(object, path);
  if (field == "spec.unschedulable" || field == "spec.hostNetwork") {
    return node && node->is_boolean() && node->get<bool>() ? "true" : "false";
  }
  if (field == "status.replicas") {
    return node && node->is_number_integer() ? std::to_string(node->get<long long>()) : "0";
  }
  if (!node || node->is_null()) return "";
  if (node->is_string()) return node->get<std::string>();
  return node->dump();
}

}  // namespace skiff::api
