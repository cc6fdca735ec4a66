#pragma once
// What every command gets: parsed flags (global + its own), output streams, and a lazily
// created API client and discovery (so `--help` and `version --client` need no server).
#include <iosfwd>
#include <memory>
#include <string>

#include "pkg/kubectl/api_client.h"
#include "pkg/kubectl/discovery.h"
#include "pkg/util/flags.h"

namespace skiff::kubectl {

// --kubeconfig, --server/-s, --context, -n/--namespace, --request-timeout, --token, ...
void add_global_flags(util::Flags& flags);

// "0" (none), "30s", "1m", "500ms", "2h" or bare seconds "5"; throws KubectlError.
std::chrono::milliseconds parse_duration(const std::string& text, const std::string& flag);

class Context {
 public:
  Context(const util::Flags& flags, std::ostream& out, std::ostream& err);
  ~Context();

  ApiClient& api();
  Discovery& discovery();
  // -n when given, else the kubeconfig context's namespace, else "default".
  std::string namespace_name();
  bool namespace_given() const { return flags.was_set("namespace"); }

  const util::Flags& flags;
  std::ostream& out;
  std::ostream& err;

 private:
  std::unique_ptr<ApiClient> api_;
  std::unique_ptr<Discovery> discovery_;
};

}  // namespace skiff::kubectl
