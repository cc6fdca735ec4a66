#pragma once
// A Store decorator that answers get() for one small, hot key prefix (the namespaces) from
// memory. Every namespaced write checks that its namespace exists and is not terminating; that
// point read was a third of the server's CPU in api_bench. The cache is fed by a watch on the
// inner store, and the inner store publishes a write's event before the write returns, so a
// client always reads its own namespace writes. Everything else passes straight through.
#include <mutex>
#include <unordered_map>

#include "server/store/store.h"

namespace skiff::store {

class PrefixCachedStore : public Store {
 public:
  // `inner` must outlive this object. Throws what inner.list/watch throw.
  PrefixCachedStore(Store& inner, std::string prefix);
  ~PrefixCachedStore() override;

  ObjectPtr create(const std::string& key, Json object) override;
  void create_async(const std::string& key, Json object, WriteDone done) override;
  ObjectPtr update(const std::string& key, Json object, int64_t expected_revision) override;
  void mutate_async(const std::string& key, Mutation mutate, WriteDone done) override;
  // Forwarded as volatile (the inherited default would make it durable).
  ObjectPtr update_volatile(const std::string& key, Json object,
                            int64_t expected_revision) override;
  ObjectPtr remove(const std::string& key, int64_t expected_revision) override;
  ObjectPtr get(const std::string& key) override;
  ListResult list(const ListOptions& options) override;
  int64_t current_revision() override;
  WatchPtr watch(const std::string& prefix, int64_t from_revision, WatchCallback callback) override;
  int64_t compacted_revision() override;

 private:
  bool cached(const std::string& key) const { return key.rfind(prefix_, 0) == 0; }
  void apply(const std::vector<EventPtr>& events);

  Store& inner_;
  const std::string prefix_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, ObjectPtr> objects_;
  int64_t events_seen_ = 0;  // batches applied; a miss caches only if this did not move
  WatchPtr watch_;
};

}  // namespace skiff::store
