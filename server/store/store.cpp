#include "server/store/store.h"

#include "server/store/revision.h"

namespace skiff::store {

namespace {
// Enough for any realistic contention on one key; then the Conflict is the answer.
constexpr int kMaxMutateAttempts = 32;
}  // namespace

void Store::create_async(const std::string& key, Json object, WriteDone done) {
  WriteResult result;
  try {
    result.object = create(key, std::move(object));
  } catch (...) {
    result.error = std::current_exception();
  }
  done(std::move(result));
}

void Store::mutate_async(const std::string& key, Mutation mutate, WriteDone done) {
  WriteResult result;
  try {
    for (int attempt = 1;; ++attempt) {
      ObjectPtr current = get(key);
      if (!current) throw not_found_error(key);
      try {
        result.object = update(key, mutate(*current), revision_of(*current));
        break;
      } catch (const StoreError& error) {
        if (error.code() != StoreError::Code::Conflict || attempt == kMaxMutateAttempts) throw;
      }
    }
  } catch (...) {
    result.error = std::current_exception();
  }
  done(std::move(result));
}

}  // namespace skiff::store
