#include "pkg/http/server_stream.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>

#include "pkg/http/server_connection.h"

namespace skiff::http {

namespace asio = boost::asio;

StreamImpl::StreamImpl(std::shared_ptr<ConnectionBase> connection, size_t queue_limit,
                       std::string head)
    : connection_(std::move(connection)), queue_limit_(queue_limit), pending_(std::move(head)) {}

bool StreamImpl::write(std::string data) {
  if (data.empty()) return !closed();  // an empty chunk would end the body
  std::lock_guard lock(mutex_);
  if (ended_) return false;
  if (pending_.size() + writing_.size() + data.size() > queue_limit_) {
    // The client does not keep up: end the stream by dropping the connection.
    ended_ = true;
    asio::post(connection_->executor(), [connection = connection_] { connection->close_socket(); });
    return false;
  }
  char size_line[20];
  int n = std::snprintf(size_line, sizeof size_line, "%zx\r\n", data.size());
  pending_.append(size_line, static_cast<size_t>(n));
  pending_.append(data);
  pending_.append("\r\n");
  schedule_flush_locked();
  return true;
}

void StreamImpl::close() {
  std::lock_guard lock(mutex_);
  if (ended_) return;
  ended_ = true;
  finishing_ = true;
  pending_.append("0\r\n\r\n");
  schedule_flush_locked();
}

void StreamImpl::send_head() {
  std::lock_guard lock(mutex_);
  schedule_flush_locked();
}

bool StreamImpl::closed() const {
  std::lock_guard lock(mutex_);
  return ended_ || gone_;
}

void StreamImpl::on_close(std::function<void()> callback) {
  {
    std::lock_guard lock(mutex_);
    if (!fired_) {
      callbacks_.push_back(std::move(callback));
      return;
    }
  }
  asio::post(connection_->executor(), std::move(callback));
}

void StreamImpl::schedule_flush_locked() {
  if (flush_scheduled_ || writing_now_ || gone_) return;  // a running write re-flushes
  flush_scheduled_ = true;
  asio::post(connection_->executor(), [self = shared_from_this()] { self->flush(); });
}

void StreamImpl::flush() {
  std::unique_lock lock(mutex_);
  flush_scheduled_ = false;
  if (writing_now_ || gone_) return;
  if (pending_.empty()) {
    if (finishing_) {
      lock.unlock();
      connection_->close_socket();  // the body is complete; Connection: close was sent
    }
    return;
  }
  writing_.swap(pending_);
  pending_.clear();
  writing_now_ = true;
  lock.unlock();
  connection_->write_raw(asio::buffer(writing_),
                         [self = shared_from_this()](boost::system::error_code ec, size_t) {
                           {
                             std::lock_guard lock(self->mutex_);
                             self->writing_now_ = false;
                             self->writing_.clear();
                           }
                           if (ec) {
                             self->connection_->close_socket();
                             return;
                           }
                           self->flush();
                         });
}

void StreamImpl::connection_gone() {
  {
    std::lock_guard lock(mutex_);
    gone_ = true;
    ended_ = true;
    pending_.clear();
  }
  fire_callbacks();
}

void StreamImpl::fire_callbacks() {
  std::vector<std::function<void()>> callbacks;
  {
    std::lock_guard lock(mutex_);
    if (fired_) return;
    fired_ = true;
    callbacks.swap(callbacks_);
  }
  for (auto& callback : callbacks) callback();
}

}  // namespace skiff::http
