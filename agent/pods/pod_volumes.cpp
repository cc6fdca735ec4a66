#include "agent/pods/pod_volumes.h"

#include <sys/stat.h>

#include <fstream>

#include "agent/pods/atomic_writer.h"
#include "agent/pods/container_config.h"

namespace skiff::agent::pods {
namespace {

namespace fs = std::filesystem;

VolumeError volume_error(const VolumeSpec& volume, const std::string& message) {
  return VolumeError("volume \"" + volume.name + "\": " + message);
}

bool has_type(const fs::path& path, const std::string& type) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return false;
  if (type == "Directory") return S_ISDIR(info.st_mode);
  if (type == "File") return S_ISREG(info.st_mode);
  if (type == "Socket") return S_ISSOCK(info.st_mode);
  if (type == "CharDevice") return S_ISCHR(info.st_mode);
  if (type == "BlockDevice") return S_ISBLK(info.st_mode);
  return true;
}

// What the object's keys become as files: every key, or only the items asked for.
Payload projection(const VolumeSpec& volume, const std::map<std::string, std::string>& data,
                   std::string_view kind) {
  Payload payload;
  if (volume.items.empty()) {
    for (const auto& [key, value] : data) payload[key] = {value, volume.default_mode};
    return payload;
  }
  for (const auto& item : volume.items) {
    auto found = data.find(item.key);
    if (found == data.end()) {
      if (volume.optional) continue;
      throw volume_error(volume, std::string(kind == "Secret" ? "secret" : "configmap") +
                                     " references non-existent " +
                                     (kind == "Secret" ? "secret" : "config") +
                                     " key: " + item.key);
    }
    payload[item.path] = {found->second, item.mode.value_or(volume.default_mode)};
  }
  return payload;
}

}  // namespace

PodVolumes::PodVolumes(fs::path pod_dir) : dir_(fs::absolute(std::move(pod_dir))) {}

int PodVolumes::set_up(const PodSpecView& pod, ObjectSource& objects) {
  try {
    if (!fs::exists(dir_)) {
      fs::create_directories(dir_);
      // Secret copies live below: other users of the host have no business here. Containers
      // are not affected (the runtime bind-mounts each volume directory as root).
      fs::permissions(dir_, fs::perms(0750));
    }
  } catch (const fs::filesystem_error& error) {
    throw VolumeError(std::string("pod directory: ") + error.what());
  }
  int written = 0;
  for (const auto& volume : pod.volumes)
    prepared_[volume.name] = prepare(volume, pod, objects, written);
  return written;
}

PodVolumes::Prepared PodVolumes::prepare(const VolumeSpec& volume, const PodSpecView& pod,
                                         ObjectSource& objects, int& written) {
  const fs::path volumes = dir_ / "volumes";
  Prepared out;
  try {
    switch (volume.kind) {
      case VolumeSpec::Kind::EmptyDir: {
        out.host_path = volumes / "kubernetes.io~empty-dir" / volume.name;
        if (!fs::exists(out.host_path)) {
          fs::create_directories(out.host_path);
          // Any user in the container may write, as with the kubelet.
          fs::permissions(out.host_path, fs::perms(0777));
        }
        return out;
      }
      case VolumeSpec::Kind::HostPath: {
        out.host_path = volume.path;
        const std::string& type = volume.path_type;
        if (type == "DirectoryOrCreate" && !fs::exists(out.host_path)) {
          fs::create_directories(out.host_path);
          fs::permissions(out.host_path, fs::perms(0755));
        } else if (type == "FileOrCreate" && !fs::exists(out.host_path)) {
          std::ofstream(out.host_path).close();
          fs::permissions(out.host_path, fs::perms(0644));
        }
        const std::string wanted = type == "DirectoryOrCreate" ? "Directory"
                                   : type == "FileOrCreate"    ? "File"
                                                               : type;
        if (!wanted.empty() && !has_type(out.host_path, wanted))
          throw volume_error(volume, "hostPath " + volume.path + " is not a " + wanted);
        out.directory = fs::is_directory(out.host_path);
        return out;
      }
      case VolumeSpec::Kind::ConfigMap:
      case VolumeSpec::Kind::Secret: {
        const bool secret = volume.kind == VolumeSpec::Kind::Secret;
        const std::string_view kind = secret ? "Secret" : "ConfigMap";
        out.host_path =
            volumes / (secret ? "kubernetes.io~secret" : "kubernetes.io~configmap") / volume.name;
        out.read_only = true;
        std::optional<Json> object = objects.get(kind, pod.key.namespace_name, volume.source);
        std::map<std::string, std::string> data;
        if (object) {
          data = object_data(kind, *object);
        } else if (!volume.optional) {
          throw volume_error(volume, std::string(secret ? "secret" : "configmap") + " \"" +
                                         volume.source + "\" not found");
        }
        if (write_atomically(out.host_path, projection(volume, data, kind))) ++written;
        return out;
      }
    }
  } catch (const ContainerConfigError& error) {
    throw volume_error(volume, error.what());
  } catch (const fs::filesystem_error& error) {
    throw volume_error(volume, error.what());
  } catch (const std::runtime_error& error) {
    if (dynamic_cast<const VolumeError*>(&error)) throw;
    throw volume_error(volume, error.what());
  }
  return out;
}

std::vector<runtime::Mount> PodVolumes::mounts_for(const ContainerSpec& container) const {
  std::vector<runtime::Mount> mounts;
  for (const auto& mount : container.volume_mounts) {
    auto found = prepared_.find(mount.name);
    if (found == prepared_.end()) throw VolumeError("volume \"" + mount.name + "\" is not set up");
    const Prepared& volume = found->second;
    fs::path source = volume.host_path;
    if (!mount.sub_path.empty()) {
      source /= mount.sub_path;
      std::error_code error;
      // As the kubelet: a missing subPath of a writable directory volume is made.
      if (!fs::exists(source, error) && volume.directory && !volume.read_only)
        fs::create_directories(source, error);
      if (!fs::exists(source, error))
        throw VolumeError("volume \"" + mount.name + "\": subPath " + mount.sub_path +
                          " does not exist");
    }
    mounts.push_back({source.string(), mount.mount_path, mount.read_only || volume.read_only});
  }
  return mounts;
}

void PodVolumes::remove_all() {
  std::error_code error;
  fs::remove_all(dir_, error);
  prepared_.clear();
}

}  // namespace skiff::agent::pods
