#pragma once
// The chunked body of a streaming response (see ResponseStream in server.h). Producers call
// write/close from any thread; the bytes are written on the connection's strand, one write at
// a time. When the queue passes its limit (a client that does not read) the stream ends and
// the connection is dropped.
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "pkg/http/server.h"

namespace skiff::http {

class ConnectionBase;

class StreamImpl : public ResponseStream, public std::enable_shared_from_this<StreamImpl> {
 public:
  StreamImpl(std::shared_ptr<ConnectionBase> connection, size_t queue_limit, std::string head);

  bool write(std::string data) override;
  void close() override;
  bool closed() const override;
  void on_close(std::function<void()> callback) override;

  // Sends the status line and headers now, before any body chunk: clients (client-go's watch,
  // kubectl get -w) wait for the headers before they consider the request started.
  void send_head();

  // Strand only: the socket is gone (client disconnect, error, shutdown).
  void connection_gone();

 private:
  void schedule_flush_locked();
  void flush();           // strand
  void fire_callbacks();  // strand

  std::shared_ptr<ConnectionBase> connection_;
  const size_t queue_limit_;
  mutable std::mutex mutex_;
  std::string pending_;     // framed bytes not yet handed to the socket
  std::string writing_;     // bytes of the write in flight
  bool ended_ = false;      // no more writes accepted
  bool finishing_ = false;  // close(): last chunk queued, close the socket once flushed
  bool gone_ = false;       // the socket is closed
  bool writing_now_ = false;
  bool flush_scheduled_ = false;
  bool fired_ = false;
  std::vector<std::function<void()>> callbacks_;
};

}  // namespace skiff::http
