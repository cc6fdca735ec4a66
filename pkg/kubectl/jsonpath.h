#pragma once
// kubectl's JSONPath templates (`-o jsonpath=...`, custom-columns): literal text with `{...}`
// expressions: `.a.b`, `['a.b']`, `[*]`, `[0]`, `[-1]`, `[1:3]`, `..name` (recursive),
// `[?(@.type=="Ready")]` filters (== != < <= > >= and existence), `{range EXPR}...{end}`,
// and quoted literals `{"\n"}`. A template without braces is read as one expression, as
// kubectl does. Missing fields print nothing (kubectl's allowMissingKeys).
#include <memory>
#include <string>
#include <vector>

#include "pkg/api/json.h"

namespace skiff::kubectl {

class JsonPath {
 public:
  // Throws KubectlError ("error: error parsing jsonpath ...") on a malformed template.
  static JsonPath parse(const std::string& template_text);

  // Renders the template against `data`.
  std::string execute(const Json& data) const;
  // The values one expression yields (for custom-columns); the template must be a single
  // expression.
  std::vector<Json> values(const Json& data) const;

  struct Node;
  JsonPath();
  ~JsonPath();
  JsonPath(JsonPath&&) noexcept;
  JsonPath& operator=(JsonPath&&) noexcept;

 private:
  std::vector<std::unique_ptr<Node>> nodes_;
};

// How jsonpath prints one value: strings raw, everything else as compact JSON.
std::string jsonpath_text(const Json& value);

}  // namespace skiff::kubectl
