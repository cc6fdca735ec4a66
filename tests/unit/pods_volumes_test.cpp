// Volumes on the host: the atomic writer's layout and its no-write when nothing changed,
// configMap and secret projections (items, modes, optional), updates reaching the files through
// the same directory a container mounts, emptyDir, hostPath types, and removal with the pod.
#include <sys/stat.h>

#include <fstream>

#include "agent/pods/atomic_writer.h"
#include "agent/pods/pod_volumes.h"
#include "tests/unit/support/pods_fixture.h"

namespace skiff::agent::pods::testing {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

int mode(const fs::path& path) {
  return static_cast<int>(fs::status(path).permissions() & fs::perms::mask);
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(dir)) out.push_back(entry.path().filename());
  std::sort(out.begin(), out.end());
  return out;
}

class PodVolumesTest : public PodsTest {
 protected:
  PodSpecView spec_of(Json volumes, Json mounts = Json::array()) {
    return parse_pod_spec(
        make_pod({container("app", {{"volumeMounts", mounts}})}, {{"volumes", volumes}}));
  }
  std::string error_of(PodVolumes& volumes, const PodSpecView& spec) {
    try {
      volumes.set_up(spec, objects);
    } catch (const VolumeError& error) {
      return error.what();
    }
    return "";
  }
  fs::path pod_dir() { return root / "pods" / "uid-1"; }
};

TEST_F(PodVolumesTest, AtomicWriterLayoutUpdatesAndNoWriteWhenUnchanged) {
  const fs::path dir = root / "projection";
  ASSERT_TRUE(write_atomically(dir, {{"a.conf", {"one", 0644}}, {"sub/b.conf", {"two", 0600}}}));
  EXPECT_EQ(read(dir / "a.conf"), "one");
  EXPECT_EQ(read(dir / "sub" / "b.conf"), "two");
  EXPECT_TRUE(fs::is_symlink(dir / "a.conf"));
  EXPECT_EQ(fs::read_symlink(dir / "a.conf"), "..data/a.conf");
  EXPECT_EQ(fs::read_symlink(dir / "sub"), "..data/sub");
  EXPECT_TRUE(fs::is_symlink(dir / "..data"));
  EXPECT_EQ(mode(dir / "sub" / "b.conf"), 0600);
  const fs::path first_version = fs::read_symlink(dir / "..data");
  EXPECT_TRUE(first_version.string().starts_with("..")) << first_version;

  EXPECT_FALSE(write_atomically(dir, {{"a.conf", {"one", 0644}}, {"sub/b.conf", {"two", 0600}}}))
      << "same content and modes: nothing written";
  EXPECT_EQ(fs::read_symlink(dir / "..data"), first_version);

  ASSERT_TRUE(write_atomically(dir, {{"a.conf", {"uno", 0644}}, {"c.conf", {"three", 0644}}}));
  EXPECT_EQ(read(dir / "a.conf"), "uno");
  EXPECT_EQ(read(dir / "c.conf"), "three");
  EXPECT_FALSE(fs::exists(dir / "sub")) << "a name that is gone loses its link";
  EXPECT_FALSE(fs::exists(dir / first_version)) << "the old version is removed";
  EXPECT_EQ(names_in(dir).size(), 4u) << "..data, one version, a.conf, c.conf";

  ASSERT_TRUE(write_atomically(dir, {{"a.conf", {"uno", 0400}}, {"c.conf", {"three", 0644}}}))
      << "a mode change is a change";
  EXPECT_EQ(mode(dir / "a.conf"), 0400);
}

TEST_F(PodVolumesTest, ConfigMapUpdatesReachTheMountedFiles) {
  objects.put_config_map("site", {{"index.html", "hello\n"}, {"other.txt", "x"}});
  PodSpecView spec = spec_of({{{"name", "www"}, {"configMap", {{"name", "site"}}}}},
                             {{{"name", "www"}, {"mountPath", "/www"}}});
  PodVolumes volumes(pod_dir());
  EXPECT_EQ(volumes.set_up(spec, objects), 1);
  auto mounts = volumes.mounts_for(spec.containers[0]);
  ASSERT_EQ(mounts.size(), 1u);
  const fs::path host = mounts[0].host_path;
  EXPECT_EQ(host, pod_dir() / "volumes" / "kubernetes.io~configmap" / "www");
  EXPECT_EQ(mounts[0].container_path, "/www");
  EXPECT_TRUE(mounts[0].read_only) << "configMap volumes are read-only";
  EXPECT_EQ(read(host / "index.html"), "hello\n");
  EXPECT_EQ(mode(host / "index.html"), 0644);

  EXPECT_EQ(volumes.set_up(spec, objects), 0) << "unchanged: no write";
  objects.put_config_map("site", {{"index.html", "changed\n"}});
  EXPECT_EQ(volumes.set_up(spec, objects), 1);
  EXPECT_EQ(read(host / "index.html"), "changed\n") << "the same host path the container mounts";
  EXPECT_FALSE(fs::exists(host / "other.txt"));
}

TEST_F(PodVolumesTest, TheWorkerRefreshesAChangedConfigMapWhenTold) {
  objects.put_config_map("site", {{"index.html", "v1"}});
  Json pod =
      make_pod({container("app", {{"volumeMounts", {{{"name", "www"}, {"mountPath", "/www"}}}}})},
               {{"volumes", {{{"name", "www"}, {"configMap", {{"name", "site"}}}}}}});
  auto worker = make_worker(pod);
  std::optional<TimePoint> wake = worker->sync();
  ASSERT_TRUE(wake);
  EXPECT_EQ(*wake, clock.now() + 60s) << "a periodic refresh even without being told";
  const auto mounts = capturing.config(newest("app").id).mounts;
  ASSERT_EQ(mounts.size(), 1u);
  const fs::path file = fs::path(mounts[0].host_path) / "index.html";
  EXPECT_EQ(read(file), "v1");

  objects.put_config_map("site", {{"index.html", "v2"}});
  worker->sync();
  EXPECT_EQ(read(file), "v1") << "not yet: neither told nor due";
  worker->objects_changed();
  worker->sync();
  EXPECT_EQ(read(file), "v2");
  objects.put_config_map("site", {{"index.html", "v3"}});
  clock.advance(60s);
  worker->sync();
  EXPECT_EQ(read(file), "v3") << "the periodic refresh";
  EXPECT_EQ(count_calls("create_container"), 1u) << "the container is not restarted";
}

TEST_F(PodVolumesTest, SecretItemsModesAndOptional) {
  objects.put_secret("creds", {{"user", "admin"}, {"password", "s3cr3t"}});
  PodSpecView spec = spec_of(
      {{{"name", "creds"},
        {"secret",
         {{"secretName", "creds"},
          {"defaultMode", 0440},
          {"items",
           {{{"key", "password"}, {"path", "db/password"}, {"mode", 0400}},
            {{"key", "user"}, {"path", "user"}}}}}}},
       {{"name", "maybe"}, {"secret", {{"secretName", "absent"}, {"optional", true}}}}},
      {{{"name", "creds"}, {"mountPath", "/creds"}}, {{"name", "maybe"}, {"mountPath", "/maybe"}}});
  PodVolumes volumes(pod_dir());
  volumes.set_up(spec, objects);
  const fs::path dir = pod_dir() / "volumes" / "kubernetes.io~secret" / "creds";
  EXPECT_EQ(read(dir / "db" / "password"), "s3cr3t") << "decoded from base64";
  EXPECT_EQ(mode(dir / "db" / "password"), 0400);
  EXPECT_EQ(read(dir / "user"), "admin");
  EXPECT_EQ(mode(pod_dir()), 0750) << "other host users cannot read the pod's secrets";
  EXPECT_EQ(mode(dir / "user"), 0440);
  const fs::path maybe = pod_dir() / "volumes" / "kubernetes.io~secret" / "maybe";
  EXPECT_TRUE(fs::is_directory(maybe));
  for (const auto& name : names_in(maybe))
    EXPECT_TRUE(name.starts_with("..")) << name << ": an empty projection shows no file";
}

TEST_F(PodVolumesTest, MissingObjectsAndKeysAreErrors) {
  PodVolumes volumes(pod_dir());
  EXPECT_EQ(error_of(volumes, spec_of({{{"name", "www"}, {"configMap", {{"name", "absent"}}}}})),
            "volume \"www\": configmap \"absent\" not found");
  objects.put_config_map("site", {{"a", "1"}});
  EXPECT_EQ(error_of(volumes,
                     spec_of({{{"name", "www"},
                               {"configMap",
                                {{"name", "site"}, {"items", {{{"key", "b"}, {"path", "b"}}}}}}}})),
            "volume \"www\": configmap references non-existent config key: b");
}

TEST_F(PodVolumesTest, AWorkerWaitsForItsVolumes) {
  Json pod =
      make_pod({container("app", {{"volumeMounts", {{{"name", "www"}, {"mountPath", "/www"}}}}})},
               {{"volumes", {{{"name", "www"}, {"configMap", {{"name", "site"}}}}}}});
  auto worker = make_worker(pod);
  EXPECT_EQ(*worker->sync(), clock.now() + 10s);
  EXPECT_TRUE(runtime.list_pod_sandboxes({}).empty()) << "no sandbox before the volumes are ready";
  Json app = container_status(sink.latest(), "app");
  EXPECT_EQ(app["state"]["waiting"]["reason"], "ContainerCreating");
  EXPECT_EQ(app["state"]["waiting"]["message"], "volume \"www\": configmap \"site\" not found");

  objects.put_config_map("site", {{"index.html", "hi"}});
  worker->objects_changed();
  worker->sync();
  EXPECT_EQ(container_status(sink.latest(), "app")["state"].begin().key(), "running");
}

TEST_F(PodVolumesTest, EmptyDirHostPathSubPathAndRemoval) {
  const fs::path host_dir = root / "host" / "data";
  const fs::path host_file = root / "host-file";
  PodSpecView spec = spec_of(
      {{{"name", "scratch"}, {"emptyDir", Json::object()}},
       {{"name", "made"},
        {"hostPath", {{"path", host_dir.string()}, {"type", "DirectoryOrCreate"}}}},
       {{"name", "file"}, {"hostPath", {{"path", host_file.string()}, {"type", "FileOrCreate"}}}}},
      {{{"name", "scratch"}, {"mountPath", "/scratch"}},
       {{"name", "scratch"}, {"mountPath", "/cache"}, {"subPath", "cache/a"}},
       {{"name", "made"}, {"mountPath", "/data"}, {"readOnly", true}},
       {{"name", "file"}, {"mountPath", "/etc/x.conf"}}});
  PodVolumes volumes(pod_dir());
  volumes.set_up(spec, objects);
  auto mounts = volumes.mounts_for(spec.containers[0]);
  ASSERT_EQ(mounts.size(), 4u);
  const fs::path scratch = pod_dir() / "volumes" / "kubernetes.io~empty-dir" / "scratch";
  EXPECT_EQ(mounts[0].host_path, scratch.string());
  EXPECT_FALSE(mounts[0].read_only);
  EXPECT_EQ(mode(scratch), 0777);
  EXPECT_EQ(mounts[1].host_path, (scratch / "cache/a").string());
  EXPECT_TRUE(fs::is_directory(scratch / "cache" / "a")) << "a subPath is made";
  EXPECT_EQ(mounts[2].host_path, host_dir.string());
  EXPECT_TRUE(mounts[2].read_only);
  EXPECT_TRUE(fs::is_directory(host_dir));
  EXPECT_TRUE(fs::is_regular_file(host_file));
  std::ofstream(scratch / "kept") << "data";
  volumes.set_up(spec, objects);
  EXPECT_TRUE(fs::exists(scratch / "kept")) << "an emptyDir lives as long as the pod";

  PodSpecView wrong = spec_of(
      {{{"name", "f"}, {"hostPath", {{"path", host_file.string()}, {"type", "Directory"}}}}});
  EXPECT_EQ(error_of(volumes, wrong),
            "volume \"f\": hostPath " + host_file.string() + " is not a Directory");

  volumes.remove_all();
  EXPECT_FALSE(fs::exists(pod_dir()));
  EXPECT_TRUE(fs::exists(host_dir)) << "host paths are never removed";
  EXPECT_TRUE(fs::exists(host_file));
  volumes.remove_all();  // idempotent
}

}  // namespace
}  // namespace skiff::agent::pods::testing
