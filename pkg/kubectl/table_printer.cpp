#include "pkg/kubectl/table_printer.h"

#include <algorithm>
#include <cctype>

#include "pkg/api/time.h"

namespace skiff::kubectl {
namespace {

bool column_visible(const Json& column, bool wide) {
  return wide || column.value("priority", 0) == 0;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

std::string labels_text(const Json& metadata) {
  const Json& labels = metadata.value("labels", Json::object());
  if (!labels.is_object() || labels.empty()) return "<none>";
  std::string out;
  for (const auto& [key, value] : labels.items())
    out += (out.empty() ? "" : ",") + key + "=" +
           (value.is_string() ? value.get<std::string>() : value.dump());
  return out;
}

}  // namespace

std::string cell_text(const Json& cell) {
  if (cell.is_null()) return "<none>";
  if (cell.is_string()) return cell.get<std::string>();
  return cell.dump();
}

Row table_header(const Json& table, const TableOptions& options) {
  Row header;
  if (options.with_namespace) header.push_back("NAMESPACE");
  for (const auto& column : table.value("columnDefinitions", Json::array()))
    if (column_visible(column, options.wide)) header.push_back(upper(column.value("name", "")));
  if (options.show_labels) header.push_back("LABELS");
  return header;
}

std::vector<Row> table_rows(const Json& table, const TableOptions& options) {
  const Json& columns = table.value("columnDefinitions", Json::array());
  std::vector<Row> rows;
  for (const auto& row : table.value("rows", Json::array())) {
    const Json& cells = row.value("cells", Json::array());
    const Json& metadata = row.value("object", Json::object()).value("metadata", Json::object());
    Row out;
    if (options.with_namespace) out.push_back(metadata.value("namespace", std::string()));
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (!column_visible(columns[i], options.wide)) continue;
      std::string text = i < cells.size() ? cell_text(cells[i]) : "";
      if (i == 0 || columns[i].value("format", "") == "name") {
        if (i == 0 && !options.name_prefix.empty()) text = options.name_prefix + text;
      }
      out.push_back(std::move(text));
    }
    if (options.show_labels) out.push_back(labels_text(metadata));
    rows.push_back(std::move(out));
  }
  return rows;
}

Json table_from_objects(const std::vector<Json>& objects) {
  Json table = {
      {"kind", "Table"},
      {"apiVersion", "meta.k8s.io/v1"},
      {"columnDefinitions", Json::array({{{"name", "Name"}, {"type", "string"}, {"format", "name"}},
                                         {{"name", "Age"}, {"type", "string"}}})},
      {"rows", Json::array()}};
  auto now = api::Clock::now();
  for (const auto& object : objects) {
    const Json& metadata = object.value("metadata", Json::object());
    table["rows"].push_back(
        {{"cells",
          {metadata.value("name", ""), api::age(metadata.value("creationTimestamp", ""), now)}},
         {"object", {{"metadata", metadata}}}});
  }
  return table;
}

}  // namespace skiff::kubectl
