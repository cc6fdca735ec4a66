#pragma once
// What every resource handler gets: the request, the resource it addresses (from the router)
// and the store. Handlers add warnings (Warning headers) here.
#include <string>
#include <vector>

#include "pkg/api/resources.h"
#include "pkg/http/request.h"
#include "server/apiserver/service_allocator.h"
#include "server/store/store.h"

namespace skiff::apiserver {

struct RequestContext {
  http::Request& request;  // the handlers take an in-process caller's object body out of it
  store::Store& store;
  const api::ResourceInfo& resource;
  std::string namespace_name;  // "" for cluster-scoped resources and all-namespaces lists
  std::string name;            // "" for collections
  std::string subresource;     // "" for the main resource
  std::vector<std::string> warnings;
  // Service writes take their ClusterIP/NodePorts here (nullptr: none handed out, e.g. in unit
  // tests of other kinds); the reservation is held until the request ends, after the write.
  ServiceAllocator* service_allocator = nullptr;
  AddressReservationPtr address_reservation;

  std::string key() const { return resource.key(namespace_name, name); }
  // dryRun=All -> true; absent -> false; anything else -> 400.
  bool dry_run() const;
};

}  // namespace skiff::apiserver
