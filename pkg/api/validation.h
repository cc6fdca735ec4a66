#pragma once
// Validation as Kubernetes does it for the supported fields. Pure functions: an object in,
// a list of causes out (empty = valid). The API server turns causes into a 422 Invalid Status.
#include <string>
#include <string_view>
#include <vector>

#include "pkg/api/errors.h"
#include "pkg/api/json.h"
#include "pkg/api/resources.h"

namespace skiff::api {

// Name rules (messages worded as Kubernetes words them).
std::vector<std::string> validate_dns1123_subdomain(std::string_view value);  // <=253
std::vector<std::string> validate_dns1123_label(std::string_view value);      // <=63
std::vector<std::string> validate_label_key(std::string_view key);
std::vector<std::string> validate_label_value(std::string_view value);

// Validate a whole object for create (old == nullptr) or update (old = stored object).
// Checks metadata (name/generateName rules per kind, labels, annotations size), and the
// kind-specific spec rules (containers[].name/image required, ports in range, selector
// matches template labels, replicas >= 0, ...).
std::vector<StatusCause> validate_object(const ResourceInfo& resource, const Json& object,
                                         const Json* old = nullptr);

// Field validation against the known schema: returns the paths of fields that the schema does
// not know (e.g. "spec.template.spec.containers[0].imagePullPolicyy"), for fieldValidation
// Strict (400) / Warn (Warning header). Object-valued free-form maps (labels, annotations,
// data, stringData, selector.matchLabels, nodeSelector, resources.limits...) accept any key.
std::vector<std::string> unknown_fields(const ResourceInfo& resource, const Json& object);

}  // namespace skiff::api
