#pragma once
// Decoding of Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`, the
// "k8s\0" envelope), which kubectl 1.32 sends for `create namespace|configmap|secret|
// serviceaccount` (KUBECTL.md section 11). Returns the object as API JSON (Secret data
// base64-encoded). Kinds that are not decoded throw ApiError 415 naming the kind and saying to
// send JSON; malformed bodies throw 400.
#include <string_view>

#include "pkg/api/json.h"

namespace skiff::api {

Json decode_kubernetes_protobuf(std::string_view body);

}  // namespace skiff::api
