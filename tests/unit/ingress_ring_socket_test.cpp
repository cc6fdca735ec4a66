// RingSocket over a real io_uring on one end of a socketpair: the semantics Beast and
// asio::ssl::stream rely on (data, end of stream, cancellation by close, partial and gathered
// writes, operations dropped with the reactor). Skipped where the kernel refuses io_uring.
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "agent/ingress/ring_socket.h"

namespace skiff::agent::ingress {
namespace {

namespace net = boost::asio;

class RingSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    try {
      reactor_.emplace(context_, 64);
    } catch (const std::system_error& refused) {
      GTEST_SKIP() << "this kernel refuses io_uring: " << refused.what();
    }
    int pair[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
    socket_.emplace(*reactor_, pair[0]);
    peer_ = pair[1];
  }
  void TearDown() override {
    socket_.reset();
    reactor_.reset();
    if (peer_ >= 0) ::close(peer_);
  }
  // Runs the loop until `done` or a second passed (the tick stops it from blocking forever).
  void run_until(const bool& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    reactor_->run(std::chrono::milliseconds(10), [&] {
      if (done || std::chrono::steady_clock::now() > deadline) context_.stop();
    });
    context_.restart();
  }

  net::io_context context_{1};
  std::optional<RingReactor> reactor_;
  std::optional<RingSocket> socket_;
  int peer_ = -1;
};

TEST_F(RingSocketTest, ReadsWhatThePeerWroteThenEndOfStream) {
  ASSERT_EQ(::write(peer_, "hello", 5), 5);
  char buffer[16];
  bool done = false;
  boost::system::error_code error;
  std::size_t got = 0;
  socket_->async_read_some(net::buffer(buffer), [&](boost::system::error_code e, std::size_t n) {
    error = e;
    got = n;
    done = true;
  });
  EXPECT_FALSE(done) << "never completes inside the initiating call";
  run_until(done);
  ASSERT_TRUE(done);
  EXPECT_FALSE(error);
  EXPECT_EQ(std::string(buffer, got), "hello");

  ::close(std::exchange(peer_, -1));
  done = false;
  socket_->async_read_some(net::buffer(buffer), [&](boost::system::error_code e, std::size_t n) {
    error = e;
    got = n;
    done = true;
  });
  run_until(done);
  ASSERT_TRUE(done);
  EXPECT_EQ(error, net::error::eof) << error.message();
  EXPECT_EQ(got, 0u);
}

TEST_F(RingSocketTest, AnEmptyReadCompletesAtOnceWithNothing) {
  bool done = false;
  boost::system::error_code error = net::error::eof;
  socket_->async_read_some(net::mutable_buffer(), [&](boost::system::error_code e, std::size_t) {
    error = e;
    done = true;
  });
  run_until(done);
  ASSERT_TRUE(done);
  EXPECT_FALSE(error) << error.message();
}

TEST_F(RingSocketTest, CloseCancelsAPendingReadWithOperationAborted) {
  char buffer[16];
  bool done = false;
  boost::system::error_code error;
  socket_->async_read_some(net::buffer(buffer), [&](boost::system::error_code e, std::size_t) {
    error = e;
    done = true;
  });
  // Closed from a handler of the loop, as the deadline sweep does.
  net::post(context_, [&] {
    boost::system::error_code ignored;
    socket_->close(ignored);
  });
  run_until(done);
  ASSERT_TRUE(done) << "the read must not wait for data that never comes";
  EXPECT_EQ(error, net::error::operation_aborted) << error.message();
  EXPECT_FALSE(socket_->is_open());
}

TEST_F(RingSocketTest, WritesManyPiecesInOrder) {
  // More pieces than one sendmsg takes: async_write goes on with the rest.
  std::vector<std::string> pieces;
  std::vector<net::const_buffer> buffers;
  std::string expected;
  for (int i = 0; i < 40; ++i) pieces.push_back("piece-" + std::to_string(i) + ";");
  for (const auto& piece : pieces) {
    buffers.push_back(net::buffer(piece));
    expected += piece;
  }
  bool done = false;
  boost::system::error_code error;
  std::size_t written = 0;
  net::async_write(*socket_, buffers, [&](boost::system::error_code e, std::size_t n) {
    error = e;
    written = n;
    done = true;
  });
  run_until(done);
  ASSERT_TRUE(done);
  EXPECT_FALSE(error) << error.message();
  EXPECT_EQ(written, expected.size());
  std::string received(expected.size(), '\0');
  ASSERT_EQ(::read(peer_, received.data(), received.size()), static_cast<ssize_t>(expected.size()));
  EXPECT_EQ(received, expected);
}

TEST_F(RingSocketTest, AWriteToAClosedPeerFailsWithoutASignal) {
  ::close(std::exchange(peer_, -1));
  bool done = false;
  boost::system::error_code error;
  net::async_write(*socket_, net::buffer(std::string(4096, 'x')),
                   [&](boost::system::error_code e, std::size_t) {
                     error = e;
                     done = true;
                   });
  run_until(done);
  ASSERT_TRUE(done);
  EXPECT_EQ(error, net::error::broken_pipe) << error.message();
}

TEST_F(RingSocketTest, AMovedSocketKeepsItsPendingRead) {
  char buffer[16];
  bool done = false;
  std::size_t got = 0;
  socket_->async_read_some(net::buffer(buffer), [&](boost::system::error_code, std::size_t n) {
    got = n;
    done = true;
  });
  RingSocket moved(std::move(*socket_));
  socket_.reset();  // the moved-from socket goes; the read is the new one's
  ASSERT_EQ(::write(peer_, "abc", 3), 3);
  run_until(done);
  ASSERT_TRUE(done);
  EXPECT_EQ(got, 3u);
  boost::system::error_code ignored;
  moved.close(ignored);
}

TEST_F(RingSocketTest, ThePendingHandlerIsDroppedUncalledWithTheReactor) {
  char buffer[16];
  bool called = false;
  auto token = std::make_shared<int>(0);
  std::weak_ptr<int> alive = token;
  socket_->async_read_some(
      net::buffer(buffer),
      [&, token = std::move(token)](boost::system::error_code, std::size_t) { called = true; });
  socket_.reset();  // closes and cancels; its operation is now the reactor's alone
  reactor_.reset();
  EXPECT_FALSE(called);
  EXPECT_TRUE(alive.expired()) << "the handler (and what it owns) was destroyed";
}

}  // namespace
}  // namespace skiff::agent::ingress
