#pragma once
// A request as authorization sees it (Kubernetes' authorizer attributes): the verb and, for
// resource requests, group/resource/subresource/namespace/name. Pure.
#include <string>

#include "pkg/http/request.h"

namespace skiff::security {

struct RequestAttributes {
  // Resource requests: get, list, watch, create, update, patch, delete, deletecollection
  // (GET on a collection is list, with ?watch=1 or ?watch=true watch; GET on a name is get;
  // POST to a subresource such as pods/x/binding is create on it). skiff's router serves no
  // /watch/ path prefix, so neither is one recognized here.
  // Non-resource requests: the lower-case HTTP method ("get", "post"...).
  std::string verb;
  bool resource_request = false;
  std::string path;         // the request path (always set)
  std::string api_group;    // "" for core
  std::string resource;     // "pods"
  std::string subresource;  // "status", "" for the main resource
  std::string namespace_name;
  // For list and watch, the name a field selector metadata.name=<name> pins (as Kubernetes).
  // For a Namespace by name, namespace_name is that name (as Kubernetes).
  std::string name;
};

// Uses the API server's path parsing (server/apiserver/router.h); paths that name no served
// resource are non-resource requests.
RequestAttributes request_attributes(const http::Request& request);

}  // namespace skiff::security
