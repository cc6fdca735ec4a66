#include "server/store/store.h"

namespace skiff::store {

void Store::create_async(const std::string& key, Json object, WriteDone done) {
  WriteResult result;
  try {
    result.object = create(key, std::move(object));
  } catch (...) {
    result.error = std::current_exception();
  }
  done(std::move(result));
}

}  // namespace skiff::store
