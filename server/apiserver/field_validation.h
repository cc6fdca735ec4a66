#pragma once
// The `fieldValidation` query parameter: Strict rejects unknown fields (400 `strict decoding
// error: unknown field "spec.foo", ...`), Warn (the default) accepts them with one Warning
// per field, Ignore accepts silently. In Warn and Ignore mode unknown fields are dropped from
// the object, as Kubernetes' typed decoding drops them, so stored objects hold known fields only.
#include <string>
#include <vector>

#include "pkg/api/json.h"
#include "pkg/api/resources.h"

namespace skiff::apiserver {

enum class FieldValidation { Strict, Warn, Ignore };

// ""/"Warn" -> Warn; 400 on unknown values.
FieldValidation parse_field_validation(const std::string& value);

// Applies the mode to `object` (may remove fields); appends warnings.
void enforce_field_validation(FieldValidation mode, const api::ResourceInfo& resource, Json& object,
                              std::vector<std::string>& warnings);

// Removes the field at a path such as "spec.template.spec.containers[0].foo"; no-op if absent.
void remove_field_path(Json& object, const std::string& path);

}  // namespace skiff::apiserver
