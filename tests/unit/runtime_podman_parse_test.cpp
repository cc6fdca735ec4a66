// Reading podman's answers: inspect and list outputs (trimmed from podman 4.3 on Debian 12),
// error bodies, pull streams and the exec output framing.
#include <gtest/gtest.h>

#include "agent/runtime/podman/podman_parse.h"
#include "pkg/api/time.h"

namespace skiff::agent::runtime::podman {
namespace {

const char* kExitedContainerInspect = R"({
  "Id": "cd24990b601dee1d363bba7b4beb94c4f56696c324c9d3b93afa5cd8144c2a7f",
  "Created": "2026-11-26T12:16:44.153318117Z",
  "State": {"OciVersion": "1.0.2-dev", "Status": "exited", "Running": false, "Paused": false,
            "OOMKilled": false, "Dead": false, "Pid": 0, "ExitCode": 7, "Error": "",
            "StartedAt": "2026-11-26T12:16:44.713244069Z",
            "FinishedAt": "2026-11-26T12:16:44.761663398Z"},
  "Image": "190d4fcfd4681466eb287def4e5ef534fc5bfa6eb7d28a578cdcda4081308ccd",
  "ImageName": "localhost/skiff-test-busybox:1",
  "Pod": "ada60ec337a9cd08fffb07fa35d186e06b74e7383cc8b7884331d366bfdbd06c",
  "Name": "k8s_app_web-1_default_uid-1_2",
  "Config": {"Labels": {"io.kubernetes.container.name": "app",
                        "io.kubernetes.pod.name": "web-1",
                        "io.kubernetes.pod.namespace": "default",
                        "io.kubernetes.pod.uid": "uid-1",
                        "io.skiff.attempt": "2"}},
  "HostConfig": {"LogConfig": {"Type": "k8s-file", "Config": null,
                               "Path": "/var/log/pods/web-1/app/2.log", "Tag": "", "Size": "0B"}}
})";

TEST(PodmanParse, ExitedContainerInspect) {
  ContainerStatus status = parse_container_inspect(Json::parse(kExitedContainerInspect));
  EXPECT_EQ(status.id, "cd24990b601dee1d363bba7b4beb94c4f56696c324c9d3b93afa5cd8144c2a7f");
  EXPECT_EQ(status.sandbox_id, "ada60ec337a9cd08fffb07fa35d186e06b74e7383cc8b7884331d366bfdbd06c");
  EXPECT_EQ(status.name, "app");
  EXPECT_EQ(status.attempt, 2u);
  EXPECT_EQ(status.state, ContainerState::Exited);
  EXPECT_EQ(status.exit_code, 7);
  EXPECT_EQ(status.reason, "Error");
  ASSERT_TRUE(status.started_at && status.finished_at && status.created_at);
  EXPECT_EQ(*status.finished_at, *api::parse_rfc3339("2026-11-26T12:16:44.761663398Z"));
  EXPECT_LT(*status.started_at, *status.finished_at);
  EXPECT_EQ(status.image, "localhost/skiff-test-busybox:1");
  EXPECT_EQ(status.image_id, "190d4fcfd4681466eb287def4e5ef534fc5bfa6eb7d28a578cdcda4081308ccd");
  EXPECT_EQ(status.log_path, "/var/log/pods/web-1/app/2.log");
  EXPECT_EQ(status.labels.at("io.kubernetes.pod.uid"), "uid-1");
}

TEST(PodmanParse, RunningContainerHasNoFinishTimeNorReason) {
  Json inspect = Json::parse(kExitedContainerInspect);
  inspect["State"]["Status"] = "running";
  inspect["State"]["ExitCode"] = 0;
  inspect["State"]["FinishedAt"] = "0001-01-01T00:00:00Z";
  ContainerStatus status = parse_container_inspect(inspect);
  EXPECT_EQ(status.state, ContainerState::Running);
  EXPECT_FALSE(status.finished_at);
  EXPECT_EQ(status.reason, "");
}

TEST(PodmanParse, ExitReasons) {
  Json inspect = Json::parse(kExitedContainerInspect);
  inspect["State"]["ExitCode"] = 0;
  EXPECT_EQ(parse_container_inspect(inspect).reason, "Completed");
  inspect["State"]["ExitCode"] = 137;
  inspect["State"]["OOMKilled"] = true;
  EXPECT_EQ(parse_container_inspect(inspect).reason, "OOMKilled");
}

TEST(PodmanParse, AContainerNeverFinishesBeforeItStarted) {
  // Seen with `sh -c 'exit 3'`: the exit file is stamped before podman records the start.
  Json inspect = Json::parse(kExitedContainerInspect);
  inspect["State"]["StartedAt"] = "2026-11-26T12:16:44.765000000Z";
  inspect["State"]["FinishedAt"] = "2026-11-26T12:16:44.761663398Z";
  ContainerStatus status = parse_container_inspect(inspect);
  ASSERT_TRUE(status.started_at && status.finished_at);
  EXPECT_EQ(*status.finished_at, *status.started_at);
}

TEST(PodmanParse, CreatedContainerHasNoStartTime) {
  Json inspect = Json::parse(kExitedContainerInspect);
  inspect["State"]["Status"] = "created";
  inspect["State"]["StartedAt"] = "0001-01-01T00:00:00Z";
  ContainerStatus status = parse_container_inspect(inspect);
  EXPECT_EQ(status.state, ContainerState::Created);
  EXPECT_FALSE(status.started_at);
}

TEST(PodmanParse, OddInspectOutputDoesNotThrow) {
  EXPECT_NO_THROW(parse_container_inspect(Json::array()));
  EXPECT_NO_THROW(parse_container_inspect(Json::parse(R"({"State": 3, "Config": {"Labels": null},
                                                          "Id": 5})")));
  ContainerStatus status =
      parse_container_inspect(Json::parse(R"({"Config": {"Labels": {"io.skiff.attempt": "x9"}}})"));
  EXPECT_EQ(status.attempt, 0u);
  EXPECT_EQ(status.state, ContainerState::Unknown);
}

TEST(PodmanParse, StateNames) {
  EXPECT_EQ(container_state_from("configured"), ContainerState::Created);
  EXPECT_EQ(container_state_from("created"), ContainerState::Created);
  EXPECT_EQ(container_state_from("running"), ContainerState::Running);
  EXPECT_EQ(container_state_from("paused"), ContainerState::Running);
  EXPECT_EQ(container_state_from("stopped"), ContainerState::Exited);
  EXPECT_EQ(container_state_from("exited"), ContainerState::Exited);
  EXPECT_EQ(container_state_from("Exited"), ContainerState::Exited);
  EXPECT_EQ(container_state_from("what"), ContainerState::Unknown);
}

TEST(PodmanParse, ContainerListEntry) {
  Json entry = Json::parse(R"({
    "AutoRemove": false, "Command": ["-f"], "Created": "2026-11-26T12:16:25.190684344Z",
    "Exited": true, "ExitedAt": 1795695411, "ExitCode": 0,
    "Id": "a8c9", "Image": "localhost/skiff-test-busybox:1", "ImageID": "190d",
    "IsInfra": false, "Labels": {"io.kubernetes.container.name": "web", "io.skiff.attempt": "1"},
    "Names": ["k8s_web_p_ns_u_1"], "Pod": "ada6", "PodName": "k8s_p_ns_u_0",
    "StartedAt": 1795695400, "State": "exited"})");
  ContainerStatus status = parse_container_list_entry(entry);
  EXPECT_EQ(status.id, "a8c9");
  EXPECT_EQ(status.sandbox_id, "ada6");
  EXPECT_EQ(status.name, "web");
  EXPECT_EQ(status.attempt, 1u);
  EXPECT_EQ(status.state, ContainerState::Exited);
  EXPECT_EQ(status.reason, "Completed");
  ASSERT_TRUE(status.started_at && status.finished_at);
  EXPECT_EQ(*status.finished_at, TimePoint(std::chrono::seconds(1795695411)));
  EXPECT_EQ(status.image_id, "190d");
}

const char* kPodInspect = R"({
  "Id": "ada6", "Name": "k8s_web-1_default_uid-1_0", "Created": "2026-11-26T12:16:17.284185195Z",
  "State": "Running",
  "Labels": {"io.kubernetes.pod.name": "web-1", "io.kubernetes.pod.namespace": "default",
             "io.kubernetes.pod.uid": "uid-1", "io.skiff.attempt": "0", "app": "web"},
  "InfraContainerID": "fe0e",
  "Containers": [{"Id": "fe0e", "Name": "ada6-infra", "State": "running"},
                 {"Id": "a8c9", "Name": "k8s_app", "State": "exited"}]
})";

const char* kInfraInspect = R"({
  "Id": "fe0e", "State": {"Status": "running"},
  "NetworkSettings": {"IPAddress": "", "Networks": {"podman": {"IPAddress": "10.88.0.3"}}}
})";

TEST(PodmanParse, PodInspectWithRunningInfraIsReadyWithItsIp) {
  Json pod = Json::parse(kPodInspect);
  Json infra = Json::parse(kInfraInspect);
  PodSandboxStatus status = parse_pod_inspect(pod, &infra);
  EXPECT_EQ(status.id, "ada6");
  EXPECT_EQ(status.state, SandboxState::Ready);
  EXPECT_EQ(status.ip, "10.88.0.3");
  EXPECT_EQ(status.metadata.name, "web-1");
  EXPECT_EQ(status.metadata.namespace_name, "default");
  EXPECT_EQ(status.metadata.uid, "uid-1");
  EXPECT_EQ(status.labels.at("app"), "web");
  ASSERT_TRUE(status.created_at);
}

TEST(PodmanParse, PodWithStoppedOrMissingInfraIsNotReady) {
  Json pod = Json::parse(kPodInspect);
  Json infra = Json::parse(kInfraInspect);
  infra["State"]["Status"] = "exited";
  EXPECT_EQ(parse_pod_inspect(pod, &infra).state, SandboxState::NotReady);
  EXPECT_EQ(parse_pod_inspect(pod, &infra).ip, "");
  EXPECT_EQ(parse_pod_inspect(pod, nullptr).state, SandboxState::NotReady);
}

TEST(PodmanParse, PodMembersSeparateTheInfraContainer) {
  PodMembers members = parse_pod_members(Json::parse(kPodInspect));
  EXPECT_EQ(members.infra, "fe0e");
  EXPECT_EQ(members.containers, std::vector<std::string>{"a8c9"});
}

TEST(PodmanParse, PodListEntry) {
  Json entry = Json::parse(R"({
    "Cgroup": "/libpod_parent", "Id": "ada6", "InfraId": "fe0e", "Name": "k8s_web-1_default_uid-1_0",
    "Status": "Degraded", "Created": "2026-11-26T12:16:17.284185195Z",
    "Labels": {"io.kubernetes.pod.name": "web-1", "io.kubernetes.pod.uid": "uid-1"},
    "Containers": [{"Id": "a8c9", "Names": "k8s_app", "Status": "exited"},
                   {"Id": "fe0e", "Names": "ada6-infra", "Status": "running"}]})");
  PodSandboxStatus status = parse_pod_list_entry(entry);
  EXPECT_EQ(status.id, "ada6");
  EXPECT_EQ(status.state, SandboxState::Ready);  // Degraded, but the infra runs
  EXPECT_EQ(status.metadata.name, "web-1");
  entry["Containers"][1]["Status"] = "exited";
  EXPECT_EQ(parse_pod_list_entry(entry).state, SandboxState::NotReady);
}

TEST(PodmanParse, ErrorsMapByCauseThenStatus) {
  auto code = [](long status, const char* body) {
    return error_from_response(status, body, "doing it").code();
  };
  EXPECT_EQ(
      code(
          404,
          R"({"cause":"no such container","message":"no container with name or ID \"x\" found: no such container","response":404})"),
      ErrorCode::NotFound);
  EXPECT_EQ(
      code(
          404,
          R"({"cause":"no such pod","message":"no pod with name or ID x found: no such pod","response":404})"),
      ErrorCode::NotFound);
  // podman 4.3 answers a missing image at container creation with 500.
  EXPECT_EQ(
      code(
          500,
          R"({"cause":"image not known","message":"localhost/nope:1: image not known","response":500})"),
      ErrorCode::NotFound);
  EXPECT_EQ(
      code(
          500,
          R"({"cause":"that name is already in use","message":"creating container storage: the container name \"c\" is already in use","response":500})"),
      ErrorCode::AlreadyExists);
  EXPECT_EQ(
      code(
          409,
          R"({"cause":"pod already exists","message":"name \"p\" is in use: pod already exists","response":409})"),
      ErrorCode::AlreadyExists);
  EXPECT_EQ(
      code(
          409,
          R"({"cause":"container state improper","message":"can only create exec sessions on running containers: container state improper","response":409})"),
      ErrorCode::FailedPrecondition);
  EXPECT_EQ(code(400, R"({"cause":"bad","message":"bad parameter","response":400})"),
            ErrorCode::Invalid);
  EXPECT_EQ(code(500, "not json at all"), ErrorCode::Internal);
  EXPECT_EQ(code(404, ""), ErrorCode::NotFound);

  RuntimeError error = error_from_response(
      500, R"({"cause":"image not known","message":"localhost/nope:1: image not known"})",
      "creating container c");
  EXPECT_STREQ(error.what(), "creating container c: localhost/nope:1: image not known");
}

TEST(PodmanParse, PullStreams) {
  EXPECT_EQ(parse_pull_result("{\"stream\":\"Trying to pull...\\n\"}\n"
                              "{\"images\":[\"190d\"],\"id\":\"190d\"}\n",
                              "busybox"),
            "190d");
  auto code_of = [](const char* body) {
    try {
      parse_pull_result(body, "localhost:1/x:1");
    } catch (const RuntimeError& error) {
      EXPECT_NE(std::string(error.what()).find("localhost:1/x:1"), std::string::npos);
      return error.code();
    }
    ADD_FAILURE() << "no error for " << body;
    return ErrorCode::Internal;
  };
  EXPECT_EQ(
      code_of(
          R"({"error":"initializing source docker://localhost:1/skiff-missing:1: pinging container registry localhost:1: Get \"https://localhost:1/v2/\": dial tcp 127.0.0.1:1: connect: connection refused"})"),
      ErrorCode::Unavailable);
  EXPECT_EQ(code_of(R"({"error":"reading manifest 9 in quay.io/x/y: manifest unknown"})"),
            ErrorCode::NotFound);
  EXPECT_EQ(code_of(R"({"error":"something else broke"})"), ErrorCode::Internal);
  EXPECT_EQ(code_of(""), ErrorCode::Internal);  // no id at all
}

TEST(PodmanParse, Images) {
  ImageInfo info = parse_image(
      Json::parse(R"({"Id":"190d","RepoTags":["localhost/skiff-test-busybox:1"],"Size":1997912})"));
  EXPECT_EQ(info.id, "190d");
  EXPECT_EQ(info.repo_tags, std::vector<std::string>{"localhost/skiff-test-busybox:1"});
  EXPECT_EQ(info.size_bytes, 1997912);
  EXPECT_TRUE(parse_image(Json::parse(R"({"Id":"x","RepoTags":null})")).repo_tags.empty());
}

TEST(PodmanParse, ExecStreamIsSplitIntoStdoutAndStderr) {
  // Captured from POST /exec/{id}/start of `sh -c 'echo out; echo err >&2'`.
  const std::string body(
      "\x01\x00\x00\x00\x00\x00\x00\x04"
      "out\n"
      "\x02\x00\x00\x00\x00\x00\x00\x04"
      "err\n",
      24);
  DemuxedOutput out = demux_exec_stream(body);
  EXPECT_EQ(out.stdout_text, "out\n");
  EXPECT_EQ(out.stderr_text, "err\n");
  EXPECT_EQ(demux_exec_stream("plain text").stdout_text, "plain text");
  EXPECT_EQ(demux_exec_stream("").stdout_text, "");
  // A frame claiming more than arrived keeps what arrived.
  DemuxedOutput cut =
      demux_exec_stream(std::string("\x01\x00\x00\x00\x00\x00\x01\x00"
                                    "abc",
                                    11));
  EXPECT_EQ(cut.stdout_text, "abc");
}

TEST(PodmanParse, TimesOfNeverAreNone) {
  EXPECT_FALSE(parse_podman_time("0001-01-01T00:00:00Z"));
  EXPECT_FALSE(parse_podman_time(""));
  EXPECT_FALSE(parse_podman_time("yesterday"));
  EXPECT_TRUE(parse_podman_time("2026-11-26T12:16:44.761663398Z"));
  EXPECT_TRUE(parse_podman_time("2026-11-26T12:16:43.725451469+00:00"));
}

TEST(PodmanParse, NonJsonBodiesAreInternalErrors) {
  try {
    parse_json("<html>", "listing pods");
    FAIL();
  } catch (const RuntimeError& error) {
    EXPECT_EQ(error.code(), ErrorCode::Internal);
    EXPECT_NE(std::string(error.what()).find("listing pods"), std::string::npos);
  }
}

}  // namespace
}  // namespace skiff::agent::runtime::podman
