#include "server/apiserver/table_columns.h"

namespace skiff::apiserver::tables {

Printer node_printer() {
  return default_printer();
}
Printer service_printer() {
  return default_printer();
}
Printer endpoints_printer() {
  return default_printer();
}
Printer namespace_printer() {
  return default_printer();
}
Printer configmap_printer() {
  return default_printer();
}
Printer secret_printer() {
  return default_printer();
}
Printer serviceaccount_printer() {
  return default_printer();
}
Printer event_printer() {
  return default_printer();
}

}  // namespace skiff::apiserver::tables
