#include "pkg/kubectl/printers.h"

#include <algorithm>

#include "pkg/kubectl/discovery.h"
#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/jsonpath.h"
#include "pkg/kubectl/tabwriter.h"
#include "pkg/yaml/yaml.h"

namespace skiff::kubectl {
namespace {

std::string strip_quotes(std::string text) {
  if (text.size() >= 2 && (text.front() == '\'' || text.front() == '"') &&
      text.back() == text.front())
    return text.substr(1, text.size() - 2);
  return text;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

OutputSpec OutputSpec::parse(const std::string& value) {
  OutputSpec spec;
  using F = Format;
  if (value.empty()) return spec;
  if (value == "wide")
    spec.format = F::Wide;
  else if (value == "yaml")
    spec.format = F::Yaml;
  else if (value == "json")
    spec.format = F::Json;
  else if (value == "name")
    spec.format = F::Name;
  else if (value.starts_with("jsonpath=")) {
    spec.format = F::JsonPath;
    spec.argument = strip_quotes(value.substr(9));
  } else if (value.starts_with("custom-columns=")) {
    spec.format = F::CustomColumns;
    spec.argument = value.substr(15);
  } else {
    throw usage_error("unable to match a printer suitable for the output format \"" + value +
                      "\", allowed formats are: custom-columns,json,jsonpath,name,wide,yaml");
  }
  if ((spec.format == F::JsonPath || spec.format == F::CustomColumns) && spec.argument.empty())
    throw usage_error(value + " needs a template, e.g. -o jsonpath='{.metadata.name}'");
  return spec;
}

std::string qualified_name(const Json& object) {
  std::string kind = lower(object.value("kind", std::string("unknown")));
  std::string api_version = object.value("apiVersion", std::string());
  std::string name = object.value("metadata", Json::object()).value("name", std::string());
  auto slash = api_version.find('/');
  std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
  return (group.empty() ? kind : kind + "." + group) + "/" + name;
}

Json with_type(Json object, const ResourceType& type) {
  if (object.is_object()) {
    if (!object.contains("kind")) object["kind"] = type.kind;
    if (!object.contains("apiVersion")) object["apiVersion"] = type.api_version();
  }
  return object;
}

Json as_list(std::vector<Json> items) {
  return Json{{"apiVersion", "v1"},
              {"kind", "List"},
              {"items", std::move(items)},
              {"metadata", {{"resourceVersion", ""}}}};
}

std::string render(const Json& value, const OutputSpec& spec) {
  using F = OutputSpec::Format;
  switch (spec.format) {
    case F::Yaml:
      return yaml::to_yaml(value);
    case F::Json:
      return value.dump(4) + "\n";
    case F::Name: {
      std::string out;
      if (value.value("kind", "") == "List") {
        for (const auto& item : value.value("items", Json::array()))
          out += qualified_name(item) + "\n";
      } else {
        out = qualified_name(value) + "\n";
      }
      return out;
    }
    case F::JsonPath:
      return JsonPath::parse(spec.argument).execute(value);
    default:
      return value.dump(4) + "\n";
  }
}

std::string render_custom_columns(const std::vector<Json>& items, const std::string& spec,
                                  bool no_headers) {
  std::vector<std::string> headers;
  std::vector<JsonPath> paths;
  std::size_t start = 0;
  while (start <= spec.size()) {
    std::size_t comma = spec.find(',', start);
    std::string column =
        spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    auto colon = column.find(':');
    if (colon == std::string::npos)
      throw usage_error("custom-columns format needs NAME:PATH pairs, got \"" + column + "\"");
    headers.push_back(column.substr(0, colon));
    std::string path = column.substr(colon + 1);
    if (path.find('{') == std::string::npos) path = "{" + path + "}";
    paths.push_back(JsonPath::parse(path));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  std::vector<std::vector<std::string>> rows;
  if (!no_headers) rows.push_back(headers);
  for (const auto& item : items) {
    std::vector<std::string> row;
    for (const auto& path : paths) {
      auto values = path.values(item);
      std::string cell;
      for (std::size_t i = 0; i < values.size(); ++i)
        cell += (i ? "," : "") + jsonpath_text(values[i]);
      row.push_back(values.empty() ? "<none>" : cell);
    }
    rows.push_back(std::move(row));
  }
  return align_rows(rows, kTableStyle);
}

}  // namespace skiff::kubectl
