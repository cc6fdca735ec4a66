#include "agent/network/pod_masquerade.h"

#include <utility>

#include "pkg/log/log.h"

namespace skiff::agent::network {
namespace {

const std::string kMasqueradeTable = "table ip " + std::string(kPodMasqueradeTable);

// `add table` first so that `delete table` cannot fail when it does not exist yet: the
// replacement is one transaction either way.
std::string replace_script(const std::string& ruleset) {
  return kMasqueradeTable + "\ndelete " + kMasqueradeTable + "\n" + ruleset;
}

}  // namespace

std::string render_pod_masquerade(const util::Ipv4Cidr& pod_cidr,
                                  const util::Ipv4Cidr& cluster_cidr) {
  const std::string pods = pod_cidr.str();
  std::string text = kMasqueradeTable + " {\n";
  text += "\tchain postrouting {\n";
  text += "\t\ttype nat hook postrouting priority srcnat - 10; policy accept;\n";
  text += "\t\tmeta mark & 0x00006000 != 0x00000000 return\n";
  text += "\t\tip saddr " + pods + " ip daddr " + cluster_cidr.str() + " snat to ip saddr\n";
  text += "\t\tip saddr " + pods + " ip daddr != 224.0.0.0/4 masquerade\n";
  text += "\t}\n";
  text += "}\n";
  return text;
}

PodMasquerade::PodMasquerade(NftRunnerPtr runner) : runner_(std::move(runner)) {}

bool PodMasquerade::sync(const util::Ipv4Cidr& pod_cidr, const util::Ipv4Cidr& cluster_cidr) {
  std::lock_guard lock(mutex_);
  std::string ruleset = render_pod_masquerade(pod_cidr, cluster_cidr);
  if (ruleset == applied_) return true;
  try {
    NftResult result = runner_->run(replace_script(ruleset));
    if (result.exit_code != 0) {
      log::error("pod masquerade: nft refused the table", {{"error", result.output}});
      applied_.clear();
      return false;
    }
  } catch (const NftError& error) {
    log::error("pod masquerade: cannot run nft", {{"error", error.what()}});
    applied_.clear();
    return false;
  }
  log::info("pod masquerade: table in place",
            {{"pod_cidr", pod_cidr.str()}, {"cluster_cidr", cluster_cidr.str()}});
  applied_ = std::move(ruleset);
  return true;
}

bool PodMasquerade::remove() {
  std::lock_guard lock(mutex_);
  applied_.clear();
  try {
    NftResult result = runner_->run(kMasqueradeTable + "\ndelete " + kMasqueradeTable + "\n");
    if (result.exit_code == 0) return true;
    log::error("pod masquerade: nft could not delete the table", {{"error", result.output}});
  } catch (const NftError& error) {
    log::error("pod masquerade: cannot run nft", {{"error", error.what()}});
  }
  return false;
}

}  // namespace skiff::agent::network
