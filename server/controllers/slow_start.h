#pragma once
// Many creates of one object, as Kubernetes' controllers send them (slowStartBatch): batches of
// 1, 2, 4, 8, ... requests in flight together, each batch sent once every answer of the one
// before came, and none after a batch that had a failure. A ReplicaSet scaled to 500 then
// waits for 9 rounds of commits instead of 500, while a create the API refuses (a bad
// template, a missing namespace) is tried a few times, not 500.
#include <exception>
#include <vector>

#include "pkg/api/json.h"
#include "pkg/api/resources.h"
#include "server/controllers/client.h"

namespace skiff::controllers {

struct SlowStartResult {
  std::vector<Json> created;       // the created objects, as the API answered them
  std::exception_ptr first_error;  // what the first refused create threw, if one was
};

// Creates `count` copies of `object` (which should carry metadata.generateName).
SlowStartResult create_slow_start(Client& client, const api::ResourceInfo& resource,
                                  const Json& object, int count);

}  // namespace skiff::controllers
