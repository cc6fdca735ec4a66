#include "server/apiserver/service_allocator.h"

#include "pkg/api/resources.h"

namespace skiff::apiserver {

AddressReservation::~AddressReservation() {
  owner_->release(addresses_);
}

ServiceAllocator::ServiceAllocator(store::Store& store, ServiceNetwork network)
    : store_(store), network_(network), random_(std::random_device{}()) {}

AddressesInUse ServiceAllocator::in_use_except(const std::string& key) {
  static const api::ResourceInfo* services = api::find_resource("", "v1", "services");
  AddressesInUse in_use{{reserved_ips_.begin(), reserved_ips_.end()},
                        {reserved_ports_.begin(), reserved_ports_.end()}};
  store::ListOptions options;
  options.prefix = services->key_prefix();
  for (const auto& item : store_.list(options).items) {
    const Json& metadata = (*item)["metadata"];
    if (services->key(metadata.value("namespace", ""), metadata.value("name", "")) == key) continue;
    ServiceAddresses held = addresses_of(*item);
    in_use.cluster_ips.insert(held.cluster_ips.begin(), held.cluster_ips.end());
    in_use.node_ports.insert(held.node_ports.begin(), held.node_ports.end());
  }
  return in_use;
}

AddressReservationPtr ServiceAllocator::reserve(const std::string& key, const Json* old,
                                                Json& service) {
  std::lock_guard lock(mutex_);
  AddressesInUse in_use = in_use_except(key);
  RandomOffset random = [this](uint64_t bound) {
    return std::uniform_int_distribution<uint64_t>(0, bound - 1)(random_);
  };
  ServiceAddresses held = assign_service_addresses(network_, old, service, in_use, random);
  reserved_ips_.insert(held.cluster_ips.begin(), held.cluster_ips.end());
  reserved_ports_.insert(held.node_ports.begin(), held.node_ports.end());
  return std::make_unique<AddressReservation>(*this, std::move(held));
}

void ServiceAllocator::release(const ServiceAddresses& addresses) {
  std::lock_guard lock(mutex_);
  for (uint32_t ip : addresses.cluster_ips)
    if (auto it = reserved_ips_.find(ip); it != reserved_ips_.end()) reserved_ips_.erase(it);
  for (int64_t port : addresses.node_ports)
    if (auto it = reserved_ports_.find(port); it != reserved_ports_.end())
      reserved_ports_.erase(it);
}

}  // namespace skiff::apiserver
