#include "server/apiserver/table_columns.h"

namespace skiff::apiserver::tables {

Printer ingress_printer() {
  return default_printer();
}
Printer ingressclass_printer() {
  return default_printer();
}
Printer lease_printer() {
  return default_printer();
}
Printer endpointslice_printer() {
  return default_printer();
}

}  // namespace skiff::apiserver::tables
