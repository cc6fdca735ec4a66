#include "pkg/util/thread_name.h"

#include <pthread.h>

#include <string>

namespace skiff::util {

void name_this_thread(std::string_view name) {
  constexpr std::size_t kLinuxLimit = 15;  // plus the terminating NUL: 16 bytes
  const std::string cut(name.substr(0, kLinuxLimit));
  pthread_setname_np(pthread_self(), cut.c_str());  // a failure only loses the name
}

}  // namespace skiff::util
