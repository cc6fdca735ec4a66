#pragma once
// The decisions of `skiff check-config`: HostFacts in, one verdict per check out, each problem
// with the exact way to fix it. Pure: no file, process or socket is touched here (probe_host()
// in host_probe.h gathers the facts), so every host shape is a table test.
//
// Verdicts: MISSING is something skiff cannot work without (the memory cgroup controller, a
// namespace, nf_tables, the bridge and veth devices, podman and its helpers); WARN is something
// that limits skiff or could not be told (cgroup v1, vxlan for multi-node pod traffic, a port
// already in use, not running as root). The exit code is 1 when anything is MISSING.
#include <string>
#include <vector>

#include "agent/hostcheck/host_facts.h"

namespace skiff::agent::hostcheck {

enum class Verdict { kOk, kWarn, kMissing };

struct CheckResult {
  std::string name;  // "cgroup controller memory"
  Verdict verdict = Verdict::kOk;
  std::string detail;  // what was found: "v2 (unified)", "not enabled"
  std::string fix;     // for WARN/MISSING: exactly what to do; empty for OK
};

// Every check, in the order they are printed.
std::vector<CheckResult> evaluate(const HostFacts& facts);

// 0 when nothing is MISSING, else 1.
int exit_code(const std::vector<CheckResult>& results);

// The report: one line per check ("name  OK  detail"), a "fix:" line under each problem, and a
// last line counting them.
std::string format_report(const std::vector<CheckResult>& results);

const char* verdict_name(Verdict verdict);  // "OK", "WARN", "MISSING"

}  // namespace skiff::agent::hostcheck
