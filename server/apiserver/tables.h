#pragma once
// Server-side printing: `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` answers a
// meta.k8s.io/v1 Table with the columns kubectl shows for each kind (KUBECTL.md section 4.2).
// Pure functions of (objects, now).
#include <chrono>
#include <string>
#include <vector>

#include "pkg/api/json.h"
#include "pkg/api/resources.h"

namespace skiff::apiserver {

enum class IncludeObject { None, Metadata, Object };  // the `includeObject` query parameter

// True when the Accept header asks for a meta.k8s.io Table (v1 or v1beta1).
bool wants_table(const std::string& accept_header);
// Parses includeObject (""/"Metadata" -> Metadata); throws ApiError 400 on other values.
IncludeObject parse_include_object(const std::string& value);

// A Table for `objects` (a list, or one object for a GET of one name). `resource_version` goes
// into the Table's metadata. `with_column_definitions` is false for watch events.
Json make_table(const api::ResourceInfo& resource, const std::vector<Json>& objects,
                const std::string& resource_version, IncludeObject include,
                std::chrono::system_clock::time_point now, bool with_column_definitions = true);

}  // namespace skiff::apiserver
