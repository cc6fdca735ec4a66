#pragma once
// A pod's volumes on the host, under its own directory (<root>/pods/<uid>/volumes/...):
//   kubernetes.io~empty-dir/<name>   made once, kept while the pod lives
//   kubernetes.io~configmap/<name>   the ConfigMap's keys as files, written atomically
//   kubernetes.io~secret/<name>      the Secret's keys as files, written atomically
// hostPath volumes are the host's own paths (checked or created as their type says).
//
// set_up() is cheap to call again: it rewrites configMap/secret files only when the object
// changed, which is how an update reaches a running container. remove_all() deletes the pod's
// directory; host paths are never touched.
//
// Not here: emptyDir medium Memory (tmpfs), sizeLimit, fsGroup ownership, other volume types.
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/pods/pod_interfaces.h"
#include "agent/pods/pod_spec.h"
#include "agent/runtime/runtime.h"

namespace skiff::agent::pods {

class VolumeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class PodVolumes {
 public:
  explicit PodVolumes(std::filesystem::path pod_dir);

  // Materialises every volume; returns how many configMap/secret volumes had their files
  // (re)written. Throws VolumeError naming the volume (missing object or key, bad host path).
  // A volume that fails keeps its previous files.
  int set_up(const PodSpecView& pod, ObjectSource& objects);

  // The bind mounts for `container` (after set_up). Throws VolumeError for a subPath that
  // cannot be made.
  std::vector<runtime::Mount> mounts_for(const ContainerSpec& container) const;

  // Deletes the pod's directory. Idempotent.
  void remove_all();

  const std::filesystem::path& dir() const { return dir_; }

 private:
  struct Prepared {
    std::filesystem::path host_path;
    bool read_only = false;  // configMap and secret volumes are always read-only
    bool directory = true;   // subPaths may be created inside
  };

  Prepared prepare(const VolumeSpec& volume, const PodSpecView& pod, ObjectSource& objects,
                   int& written);

  std::filesystem::path dir_;
  std::map<std::string, Prepared> prepared_;
};

}  // namespace skiff::agent::pods
