#include "pkg/kubectl/context.h"

#include <ostream>

#include "pkg/kubectl/errors.h"

namespace skiff::kubectl {

void add_global_flags(util::Flags& flags) {
  flags.add_string("kubeconfig", "", "Path to the kubeconfig file to use");
  flags.add_string("server,s", "", "The address and port of the API server");
  flags.add_string("context", "", "The kubeconfig context to use");
  flags.add_string("namespace,n", "", "The namespace for this request");
  flags.add_string("request-timeout", "0",
                   "How long to wait for one server request (0 = no limit), e.g. 30s, 1m");
  flags.add_string("token", "", "Bearer token for authentication to the API server");
  flags.add_bool("insecure-skip-tls-verify", false,
                 "Do not verify the server's certificate (insecure)");
  flags.add_string("v,v", "0", "Log level (accepted for compatibility; ignored)");
  flags.add_bool("help,h", false, "Show help for this command");
}

std::chrono::milliseconds parse_duration(const std::string& text, const std::string& flag) {
  auto bad = [&] {
    return usage_error("invalid value \"" + text + "\" for " + flag +
                       ": use a duration like 30s, 2m or 1h (or 0 for none)");
  };
  if (text.empty()) throw bad();
  std::size_t used = 0;
  double number = 0;
  try {
    number = std::stod(text, &used);
  } catch (const std::exception&) {
    throw bad();
  }
  std::string unit = text.substr(used);
  double ms;
  if (unit.empty() || unit == "s")
    ms = number * 1000;
  else if (unit == "ms")
    ms = number;
  else if (unit == "m")
    ms = number * 60'000;
  else if (unit == "h")
    ms = number * 3'600'000;
  else
    throw bad();
  if (ms < 0) throw bad();
  return std::chrono::milliseconds(static_cast<long long>(ms));
}

Context::Context(const util::Flags& f, std::ostream& o, std::ostream& e)
    : flags(f), out(o), err(e) {}
Context::~Context() = default;

ApiClient& Context::api() {
  if (!api_) {
    ConnectionFlags cf;
    cf.kubeconfig = flags.get_string("kubeconfig");
    cf.server = flags.get_string("server");
    cf.context = flags.get_string("context");
    cf.token = flags.get_string("token");
    cf.insecure_skip_tls_verify = flags.get_bool("insecure-skip-tls-verify");
    auto timeout = parse_duration(flags.get_string("request-timeout"), "--request-timeout");
    api_ = std::make_unique<ApiClient>(resolve_connection(cf), timeout);
  }
  return *api_;
}

Discovery& Context::discovery() {
  if (!discovery_) discovery_ = std::make_unique<Discovery>(api());
  return *discovery_;
}

std::string Context::namespace_name() {
  if (namespace_given()) return flags.get_string("namespace");
  return api().connection().namespace_name;
}

}  // namespace skiff::kubectl
