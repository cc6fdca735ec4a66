#include "server/controllers/slow_start.h"

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>

namespace skiff::controllers {
namespace {

// The answers of one batch; shared with the callbacks, which may run on the store's writer.
struct BatchAnswers {
  std::mutex mutex;
  std::condition_variable all_came;
  int pending = 0;
  std::vector<Json> created;
  std::exception_ptr first_error;
};

}  // namespace

SlowStartResult create_slow_start(Client& client, const api::ResourceInfo& resource,
                                  const Json& object, int count) {
  SlowStartResult result;
  const std::string path =
      collection_path(resource, object.at("metadata").value("namespace", std::string()));
  for (int sent = 0, batch = 1; sent < count && !result.first_error; batch *= 2) {
    const int size = std::min(batch, count - sent);
    auto answers = std::make_shared<BatchAnswers>();
    answers->pending = size;
    for (int i = 0; i < size; ++i) {
      client.request_async("POST", path, &object, [answers](Json body, std::exception_ptr error) {
        std::lock_guard lock(answers->mutex);
        if (error) {
          if (!answers->first_error) answers->first_error = error;
        } else {
          answers->created.push_back(std::move(body));
        }
        if (--answers->pending == 0) answers->all_came.notify_all();
      });
    }
    std::unique_lock lock(answers->mutex);
    answers->all_came.wait(lock, [&] { return answers->pending == 0; });
    std::move(answers->created.begin(), answers->created.end(), std::back_inserter(result.created));
    result.first_error = answers->first_error;
    sent += size;
  }
  return result;
}

}  // namespace skiff::controllers
