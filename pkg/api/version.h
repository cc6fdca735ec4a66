#pragma once
// Version facts served at /version and printed by `skiff version`. The Kubernetes minor is what
// kubectl's version dispatcher uses to pick a client (KUBECTL.md section 2), so it is 32.
namespace skiff::version {
inline constexpr const char* kSkiffVersion = "0.1.0";
inline constexpr const char* kKubernetesMajor = "1";
inline constexpr const char* kKubernetesMinor = "32";
inline constexpr const char* kGitVersion = "v1.32.0+skiff0.1.0";
}  // namespace skiff::version
