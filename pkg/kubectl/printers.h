#pragma once
// `-o` output formats for objects: yaml, json, name, jsonpath, custom-columns (tables of the
// human/wide formats live in table_printer.h).
#include <string>
#include <vector>

#include "pkg/api/json.h"

namespace skiff::kubectl {

struct ResourceType;

struct OutputSpec {
  enum class Format {
    Human,
    Wide,
    Yaml,
    Json,
    Name,
    JsonPath,
    CustomColumns
  } format = Format::Human;
  std::string argument;  // the template for jsonpath / custom-columns

  // Parses -o: "", wide, yaml, json, name, jsonpath=T, jsonpath='T', custom-columns=SPEC.
  // Throws KubectlError listing the allowed formats.
  static OutputSpec parse(const std::string& value);
  bool human() const { return format == Format::Human || format == Format::Wide; }
};

// "deployment.apps/web", "pod/x" for an object (kind/apiVersion of the object win).
std::string qualified_name(const Json& object);

// Sets kind/apiVersion on a list item that omits them (list items may).
Json with_type(Json object, const ResourceType& type);

// Wraps objects as kubectl prints several: {"apiVersion":"v1","kind":"List","items":[...]}.
Json as_list(std::vector<Json> items);

// Renders `value` (one object or a List) in a non-table format.
std::string render(const Json& value, const OutputSpec& spec);

// custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[*].image over `items`.
std::string render_custom_columns(const std::vector<Json>& items, const std::string& spec,
                                  bool no_headers);

}  // namespace skiff::kubectl
