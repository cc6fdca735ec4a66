#pragma once
// YAML <-> JSON for manifests and `-o yaml`.
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "pkg/api/json.h"

namespace skiff::yaml {

class YamlError : public std::runtime_error {
 public:
  // `what()` reads "<source>: line <n>, column <c>: <problem>".
  YamlError(const std::string& source, int line, int column, const std::string& problem);
  int line() const { return line_; }
  int column() const { return column_; }

 private:
  int line_;
  int column_;
};

// Parses a (multi-document, `---` separated) YAML or JSON text into JSON documents. Empty
// documents are skipped. Scalars follow the YAML 1.2 core schema (true/false, null/~, ints,
// floats); quoted scalars stay strings. `source` names the input in errors (a file name, "-").
std::vector<Json> parse_documents(std::string_view text, const std::string& source = "<input>");

// Renders JSON as block-style YAML the way kubectl prints it (keys sorted, strings quoted only
// when they would otherwise read as another type).
std::string to_yaml(const Json& value);

}  // namespace skiff::yaml
