#include "server/apiserver/table_columns.h"

namespace skiff::apiserver::tables {

Printer pod_printer() {
  return default_printer();
}

}  // namespace skiff::apiserver::tables
