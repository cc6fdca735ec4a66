#include "agent/node_ingress.h"

#include <algorithm>

#include "agent/ingress/ingress_proxy.h"
#include "agent/ingress/snapshot_builder.h"
#include "pkg/log/log.h"
#include "pkg/util/thread_name.h"

namespace skiff::agent {

using nodeclient::ObjectKind;

namespace {

constexpr std::chrono::milliseconds kFirstRetry{2000};
constexpr std::chrono::milliseconds kLongestRetry{60000};

}  // namespace

NodeIngress::NodeIngress(ingress::ProxyOptions options, Lister list,
                         std::chrono::milliseconds debounce)
    : options_(std::move(options)), list_(std::move(list)), debounce_(debounce) {}

NodeIngress::~NodeIngress() {
  stop();
}

void NodeIngress::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] {
    util::name_this_thread("node-ingress");
    run();
  });
}

void NodeIngress::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  // The thread is gone: the proxy is this caller's now.
  proxy_.reset();
}

void NodeIngress::object_changed(ObjectKind kind, const Json&) {
  mark(kind);
}

void NodeIngress::object_removed(ObjectKind kind, const Json&) {
  mark(kind);
}

void NodeIngress::settings_received(const nodeclient::ClusterSettings& settings) {
  std::lock_guard lock(mutex_);
  if (enabled_ == settings.ingress_enabled) return;
  enabled_ = settings.ingress_enabled;
  dirty_ = true;
  wake_.notify_all();
}

void NodeIngress::mark(ObjectKind kind) {
  if (kind != ObjectKind::Ingress && kind != ObjectKind::Service &&
      kind != ObjectKind::EndpointSlice && kind != ObjectKind::Secret) {
    return;
  }
  std::lock_guard lock(mutex_);
  dirty_ = true;
  wake_.notify_all();
}

void NodeIngress::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || (enabled_ && dirty_); });
    if (stopping_) return;
    // Let a burst of changes (a rollout touches many slices) settle into one rebuild.
    wake_.wait_for(lock, debounce_, [this] { return stopping_; });
    if (stopping_) return;
    const bool enabled = *enabled_;
    dirty_ = false;
    lock.unlock();
    const bool done = work(enabled);
    lock.lock();
    if (!done) {
      dirty_ = true;
      wake_.wait_for(lock, retry_delay_, [this] { return stopping_; });
    }
  }
}

bool NodeIngress::work(bool enabled) {
  if (!enabled) {
    if (proxy_) log::info("ingress disabled by the server; proxy stopped");
    proxy_.reset();
    return true;
  }
  if (!proxy_) {
    auto proxy = std::make_unique<ingress::IngressProxy>(options_);
    try {
      proxy->start();
    } catch (const std::exception& error) {
      retry_delay_ = std::clamp(retry_delay_ * 2, kFirstRetry, kLongestRetry);
      log::error("ingress proxy not started; trying again later",
                 {{"error", error.what()}, {"retryInSeconds", retry_delay_.count() / 1000}});
      return false;
    }
    retry_delay_ = std::chrono::milliseconds(0);
    proxy_ = std::move(proxy);
  }
  publish();
  return true;
}

void NodeIngress::publish() {
  ingress::SnapshotInput input;
  input.ingresses = list_(ObjectKind::Ingress);
  for (auto& service : list_(ObjectKind::Service)) input.services.push_back(std::move(service));
  for (auto& slice : list_(ObjectKind::EndpointSlice)) {
    input.endpoint_slices.push_back(std::move(slice));
  }
  input.secrets = list_(ObjectKind::Secret);
  ingress::SnapshotBuild build = ingress::build_snapshot(input, certificates_);
  if (build.problems != problems_) {
    for (const auto& problem : build.problems) log::warn("ingress problem", {{"why", problem}});
    problems_ = build.problems;
  }
  proxy_->publish(std::move(build.snapshot));
}

}  // namespace skiff::agent
