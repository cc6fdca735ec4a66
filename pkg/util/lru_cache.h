#pragma once
// A map of bounded size that forgets its least recently used key first: the memory of the
// event recorder's correlator (seen events, similar events, spam budgets), which must not grow
// with the number of objects a cluster ever had.
#include <cstddef>
#include <list>
#include <string>
#include <unordered_map>
#include <utility>

namespace skiff::util {

template <class Value>
class LruCache {
 public:
  explicit LruCache(std::size_t capacity) : capacity_(capacity) {}

  // The value of `key`, now the most recently used; null when absent.
  Value* find(const std::string& key) {
    auto found = entries_.find(key);
    if (found == entries_.end()) return nullptr;
    order_.splice(order_.begin(), order_, found->second.order);
    return &found->second.value;
  }

  // Stores `value` as the most recently used, forgetting the least recently used key when
  // the cache is full. The reference lasts until the next put or erase.
  Value& put(const std::string& key, Value value) {
    if (Value* existing = find(key)) {
      *existing = std::move(value);
      return *existing;
    }
    order_.push_front(key);
    auto& entry = entries_[key];
    entry = Entry{std::move(value), order_.begin()};
    while (entries_.size() > capacity_) {
      entries_.erase(order_.back());
      order_.pop_back();
    }
    return entry.value;
  }

  void erase(const std::string& key) {
    auto found = entries_.find(key);
    if (found == entries_.end()) return;
    order_.erase(found->second.order);
    entries_.erase(found);
  }

  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    Value value;
    std::list<std::string>::iterator order;
  };
  std::size_t capacity_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> order_;  // most recently used first
};

}  // namespace skiff::util
