#pragma once
// A typed, checked view of the parts of a Pod (API JSON) that the pod workers act on. Parsing
// happens once per update; everything downstream reads these structs, not JSON.
//
// Contract: parse_pod_spec never crashes on bad input; what it cannot use it reports as a
// SpecError naming the field ("spec.containers[0].livenessProbe.httpGet.port: ..."). Fields
// skiff does not support yet (hostNetwork, grpc probes, some volume types) are errors too, never
// silently ignored. Defaults follow the API server's (restartPolicy Always, grace 30 s,
// imagePullPolicy from the tag, probe periods), so a pod that skipped defaulting behaves the same.
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/pods/clock.h"
#include "agent/pods/pod_interfaces.h"
#include "pkg/api/json.h"

namespace skiff::agent::pods {

class SpecError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class RestartPolicy { Always, OnFailure, Never };
enum class PullPolicy { Always, IfNotPresent, Never };

// Kubernetes' default: ":latest" or no tag pulls Always, another tag or a digest IfNotPresent.
PullPolicy default_pull_policy(const std::string& image);

struct KeyRef {  // configMapKeyRef / secretKeyRef
  std::string name;
  std::string key;
  bool optional = false;
};

struct EnvVarSpec {
  enum class Kind { Value, ConfigMapKey, SecretKey, Field };
  std::string name;
  Kind kind = Kind::Value;
  std::string value;       // Value
  KeyRef key_ref;          // ConfigMapKey, SecretKey
  std::string field_path;  // Field
};

struct EnvFromSpec {
  enum class Kind { ConfigMap, Secret };
  Kind kind = Kind::ConfigMap;
  std::string name;
  std::string prefix;
  bool optional = false;
};

struct PortSpec {
  std::string name;
  int container_port = 0;
  int host_port = 0;
  std::string protocol = "TCP";
  std::string host_ip;
};

struct VolumeMountSpec {
  std::string name;
  std::string mount_path;
  std::string sub_path;
  bool read_only = false;
};

// A port that is a number or the name of one of the container's ports, resolved when parsing.
struct ProbeSpec {
  enum class Kind { Exec, HttpGet, TcpSocket };
  Kind kind = Kind::Exec;
  std::vector<std::string> command;  // Exec
  std::string host;                  // HttpGet, TcpSocket; "" = the pod IP
  int port = 0;
  std::string path = "/";                                    // HttpGet
  std::string scheme = "HTTP";                               // HttpGet: HTTP | HTTPS
  std::vector<std::pair<std::string, std::string>> headers;  // HttpGet
  Seconds initial_delay{0};
  Seconds period{10};
  Seconds timeout{1};
  int success_threshold = 1;
  int failure_threshold = 3;
};

struct ContainerSpec {
  std::string name;
  std::string image;
  PullPolicy pull_policy = PullPolicy::IfNotPresent;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::string working_dir;
  std::vector<EnvVarSpec> env;
  std::vector<EnvFromSpec> env_from;
  std::vector<PortSpec> ports;
  std::vector<VolumeMountSpec> volume_mounts;
  std::optional<int64_t> run_as_user;  // the container's, else the pod's securityContext
  int64_t memory_limit_bytes = 0;
  int64_t cpu_limit_millicores = 0;
  std::optional<ProbeSpec> startup_probe;
  std::optional<ProbeSpec> liveness_probe;
  std::optional<ProbeSpec> readiness_probe;
  std::vector<std::string> pre_stop_exec;  // lifecycle.preStop.exec.command; empty = none
};

struct KeyToPath {
  std::string key;
  std::string path;
  std::optional<int> mode;
};

struct VolumeSpec {
  enum class Kind { EmptyDir, HostPath, ConfigMap, Secret };
  std::string name;
  Kind kind = Kind::EmptyDir;
  std::string path;       // HostPath
  std::string path_type;  // HostPath: "", DirectoryOrCreate, Directory, FileOrCreate, File, ...
  std::string source;     // ConfigMap / Secret name
  std::vector<KeyToPath> items;
  int default_mode = 0644;
  bool optional = false;
};

struct PodSpecView {
  PodKey key;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::string node_name;
  std::string service_account;
  std::string hostname;  // spec.hostname, else the pod name
  RestartPolicy restart_policy = RestartPolicy::Always;
  Seconds termination_grace{30};
  std::vector<ContainerSpec> init_containers;
  std::vector<ContainerSpec> containers;
  std::vector<VolumeSpec> volumes;
  // metadata.deletionTimestamp set: the pod is being deleted, with this grace period
  // (deletionGracePeriodSeconds, else terminationGracePeriodSeconds).
  bool deleting = false;
  Seconds deletion_grace{30};
};

// Reads metadata and spec. Throws SpecError for a pod the workers cannot run (the message says
// which field and why); the pod's name, namespace and uid must be present.
PodSpecView parse_pod_spec(const Json& pod);

// Only metadata.namespace/name/uid; SpecError when one is missing.
PodKey parse_pod_key(const Json& pod);

// What a worker needs of a pod whose spec it cannot run, to still report on it and delete it:
// the key, the labels, and the deletion fields (read leniently). SpecError only without a key.
PodSpecView parse_pod_identity(const Json& pod);

std::string to_string(RestartPolicy policy);

}  // namespace skiff::agent::pods
