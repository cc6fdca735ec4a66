#pragma once
// Human (`get`, `get -o wide`) output from a server-side Table (meta.k8s.io/v1), laid out
// like kubectl: uppercase headers, priority>0 columns only when wide, NAMESPACE first with -A,
// LABELS last with --show-labels.
#include <string>
#include <vector>

#include "pkg/api/json.h"

namespace skiff::kubectl {

struct TableOptions {
  bool wide = false;
  bool with_namespace = false;  // -A: a NAMESPACE column from rows[].object.metadata
  bool show_labels = false;
  std::string name_prefix;  // "deployment.apps/" when several types are printed together
};

using Row = std::vector<std::string>;

// The header row for `table`.
Row table_header(const Json& table, const TableOptions& options);
// The body rows of `table`.
std::vector<Row> table_rows(const Json& table, const TableOptions& options);

// A Table with NAME and AGE built from plain objects, for servers that send no Table.
Json table_from_objects(const std::vector<Json>& objects);

// A cell value as kubectl prints it (null -> "<none>", numbers as JSON).
std::string cell_text(const Json& cell);

}  // namespace skiff::kubectl
