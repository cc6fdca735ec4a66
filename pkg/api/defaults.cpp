#include "pkg/api/defaults.h"

namespace skiff::api {

void apply_defaults(const ResourceInfo&, Json&) {}

}  // namespace skiff::api
