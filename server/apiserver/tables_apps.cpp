#include "server/apiserver/table_columns.h"

namespace skiff::apiserver::tables {

Printer deployment_printer() {
  return default_printer();
}
Printer replicaset_printer() {
  return default_printer();
}

}  // namespace skiff::apiserver::tables
