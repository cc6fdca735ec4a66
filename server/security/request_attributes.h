#pragma once
// A request as authorization sees it (Kubernetes' authorizer attributes): the verb and, for
// resource requests, group/resource/subresource/namespace/name. Pure.
#include <string>

#include "pkg/http/request.h"

namespace skiff::security {

struct RequestAttributes {
  // Resource requests: get, list, watch, create, update, patch, delete, deletecollection
  // (GET on a collection is list, with ?watch=1 watch; GET on a name is get).
  // Non-resource requests: the lower-case HTTP method ("get", "post"...).
  std::string verb;
  bool resource_request = false;
  std::string path;  // the request path (always set)
  std::string api_group;  // "" for core
  std::string resource;   // "pods"
  std::string subresource;  // "status", "" for the main resource
  std::string namespace_name;
  std::string name;
};

// Uses the API server's path parsing (server/apiserver/router.h); paths that name no served
// resource are non-resource requests.
RequestAttributes request_attributes(const http::Request& request);

}  // namespace skiff::security
