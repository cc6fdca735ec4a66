#pragma once
// ClusterIPs and NodePorts for Service writes, unique across concurrent requests and restarts.
//
// What is taken is never kept in a separate table that could drift from the objects: it is
// read from the stored Services on every Service write (so restarts, deletes and type changes
// free addresses with no bookkeeping), plus the reservations of writes still in flight. A
// reservation lives until its request has stored (or failed to store) the object, so two
// concurrent creates can never be handed the same address. Services are few; the list is
// cheap next to the write it guards.
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "server/apiserver/service_addresses.h"
#include "server/store/store.h"

namespace skiff::apiserver {

class ServiceAllocator;

// Keeps a write's addresses from other requests until destroyed (move-only).
class AddressReservation {
 public:
  AddressReservation(ServiceAllocator& owner, ServiceAddresses addresses)
      : owner_(&owner), addresses_(std::move(addresses)) {}
  ~AddressReservation();
  AddressReservation(const AddressReservation&) = delete;
  AddressReservation& operator=(const AddressReservation&) = delete;

 private:
  ServiceAllocator* owner_;
  ServiceAddresses addresses_;
};
using AddressReservationPtr = std::unique_ptr<AddressReservation>;

class ServiceAllocator {
 public:
  // `store` must outlive the allocator.
  ServiceAllocator(store::Store& store, ServiceNetwork network);

  const ServiceNetwork& network() const { return network_; }

  // For a write of the Service at `key` (`old` = the stored object, nullptr on create): fills
  // in its addresses (service_addresses.h) and reserves them. Throws ApiError (422/500).
  AddressReservationPtr reserve(const std::string& key, const Json* old, Json& service);

 private:
  friend class AddressReservation;
  AddressesInUse in_use_except(const std::string& key);  // mutex_ held
  void release(const ServiceAddresses& addresses);

  store::Store& store_;
  const ServiceNetwork network_;
  std::mutex mutex_;
  std::multiset<uint32_t> reserved_ips_;
  std::multiset<int64_t> reserved_ports_;
  std::mt19937_64 random_;
};

}  // namespace skiff::apiserver
