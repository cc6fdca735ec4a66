#include "pkg/kubectl/drain_filters.h"

#include <algorithm>

#include "pkg/kubectl/json_access.h"

namespace skiff::kubectl {
namespace {

using Kind = PodDrainVerdict::Kind;

const char* const kDaemonSetFatal = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)";
const char* const kDaemonSetWarning = "ignoring DaemonSet-managed Pods";
const char* const kLocalStorageFatal =
    "Pods with local storage (use --delete-emptydir-data to override)";
const char* const kLocalStorageWarning = "deleting Pods with local storage";
const char* const kUnmanagedFatal =
    "cannot delete Pods that declare no controller (use --force to override)";
const char* const kUnmanagedWarning = "deleting Pods that declare no controller";
const char* const kMirrorPodAnnotation = "kubernetes.io/config.mirror";

PodDrainVerdict okay() {
  return {true, Kind::Okay, ""};
}
PodDrainVerdict skip() {
  return {false, Kind::Skip, ""};
}
PodDrainVerdict warning(bool evict, std::string message) {
  return {evict, Kind::Warning, std::move(message)};
}
PodDrainVerdict error(std::string message) {
  return {false, Kind::Error, std::move(message)};
}

const Json* controller_of(const Json& pod) {
  const Json& refs = member(member(pod, "metadata"), "ownerReferences");
  if (!refs.is_array()) return nullptr;
  for (const auto& ref : refs)
    if (ref.is_object() && ref.value("controller", false)) return &ref;
  return nullptr;
}

bool finished(const Json& pod) {
  const Json& phase = member(member(pod, "status"), "phase");
  return phase.is_string() && (phase == "Succeeded" || phase == "Failed");
}

PodDrainVerdict daemonset_filter(const Json& pod, const DrainOptions& options,
                                 const DaemonSetLookupFn& daemonset) {
  const Json* controller = controller_of(pod);
  if (!controller || controller->value("kind", "") != "DaemonSet") return okay();
  if (finished(pod)) return okay();
  DaemonSetLookup found = daemonset(namespace_of(pod), controller->value("name", std::string()));
  if (!found.exists) {
    if (found.not_found && options.force) return warning(true, found.error);
    return error(found.error);
  }
  if (!options.ignore_daemonsets) return error(kDaemonSetFatal);
  return warning(false, kDaemonSetWarning);
}

PodDrainVerdict mirror_filter(const Json& pod) {
  const Json& annotations = member(member(pod, "metadata"), "annotations");
  if (annotations.is_object() && annotations.contains(kMirrorPodAnnotation)) return skip();
  return okay();
}

PodDrainVerdict local_storage_filter(const Json& pod, const DrainOptions& options) {
  bool local = false;
  const Json& volumes = member(member(pod, "spec"), "volumes");
  if (volumes.is_array())
    for (const auto& volume : volumes)
      if (volume.is_object() && volume.contains("emptyDir") && !volume["emptyDir"].is_null())
        local = true;
  if (!local || finished(pod)) return okay();
  if (!options.delete_emptydir_data) return error(kLocalStorageFatal);
  return warning(true, kLocalStorageWarning);
}

PodDrainVerdict unreplicated_filter(const Json& pod, const DrainOptions& options) {
  if (finished(pod) || controller_of(pod)) return okay();
  if (options.force) return warning(true, kUnmanagedWarning);
  return error(kUnmanagedFatal);
}

std::string pod_key(const Json& pod) {
  return namespace_of(pod) + "/" + name_of(pod);
}

// (message, "ns/a, ns/b") for verdicts of `kind`, in first-seen order.
std::vector<std::pair<std::string, std::string>> grouped(const std::vector<PodVerdict>& verdicts,
                                                         Kind kind) {
  std::vector<std::pair<std::string, std::string>> groups;
  for (const auto& v : verdicts) {
    if (v.verdict.kind != kind) continue;
    std::string message = v.verdict.message;
    if (kind == Kind::Error && message.empty()) message = "unexpected error";
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const auto& group) { return group.first == message; });
    if (it == groups.end())
      groups.emplace_back(message, pod_key(v.pod));
    else
      it->second += ", " + pod_key(v.pod);
  }
  return groups;
}

}  // namespace

PodDrainVerdict drain_verdict(const Json& pod, const DrainOptions& options,
                              const DaemonSetLookupFn& daemonset) {
  PodDrainVerdict verdict = daemonset_filter(pod, options, daemonset);
  if (!verdict.evict) return verdict;
  verdict = mirror_filter(pod);
  if (!verdict.evict) return verdict;
  verdict = local_storage_filter(pod, options);
  if (!verdict.evict) return verdict;
  return unreplicated_filter(pod, options);
}

std::vector<PodVerdict> drain_verdicts(const Json& pods, const DrainOptions& options,
                                       const DaemonSetLookupFn& daemonset) {
  std::vector<PodVerdict> out;
  if (!pods.is_array()) return out;
  for (const auto& pod : pods) out.push_back({pod, drain_verdict(pod, options, daemonset)});
  return out;
}

std::vector<Json> pods_to_evict(const std::vector<PodVerdict>& verdicts) {
  std::vector<Json> out;
  for (const auto& v : verdicts)
    if (v.verdict.evict) out.push_back(v.pod);
  return out;
}

std::string drain_warnings(const std::vector<PodVerdict>& verdicts) {
  std::string out;
  for (const auto& [message, pods] : grouped(verdicts, Kind::Warning))
    out += (out.empty() ? "" : "; ") + message + ": " + pods;
  return out;
}

std::vector<std::string> drain_errors(const std::vector<PodVerdict>& verdicts) {
  std::vector<std::string> out;
  // kubectl 1.32 puts "cannot delete " before every message, also before the ones that start
  // with it ("cannot delete cannot delete Pods that declare no controller ...").
  for (const auto& [message, pods] : grouped(verdicts, Kind::Error))
    out.push_back("cannot delete " + message + ": " + pods);
  return out;
}

}  // namespace skiff::kubectl
