// packaging/install.sh and skiff-uninstall.sh in a test root (--root DIR: no systemd, packages or
// start): the files install.sh says it made are there with the right modes and content, a second
// run changes nothing, and uninstall leaves exactly what it says it keeps. Also: shellcheck is
// clean over packaging/*.sh.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/support/test_server.h"

namespace skiff::testing {
namespace {

namespace fs = std::filesystem;

const std::string kPackaging = std::string(SKIFF_SOURCE_DIR) + "/packaging";
const std::string kToken = "K10" + std::string(64, 'a') + "::server:0123456789abcdef";

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

unsigned mode_of(const std::string& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) return 0;
  return info.st_mode & 07777;
}

// Every path under `root`, relative, sorted ("etc", "etc/skiff", ...).
std::vector<std::string> tree(const std::string& root) {
  std::vector<std::string> paths;
  for (const auto& entry : fs::recursive_directory_iterator(root))
    paths.push_back(fs::relative(entry.path(), root).string());
  std::sort(paths.begin(), paths.end());
  return paths;
}

// The paths install.sh reports as written ("installed X (...)", "wrote X (mode M)", "linked X ->
// ...", "made X (mode M)"), in order.
std::vector<std::string> reported_changes(const std::string& output) {
  std::vector<std::string> paths;
  std::istringstream lines(output);
  std::string line;
  const std::string prefix = "[skiff install] ";
  while (std::getline(lines, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    std::istringstream words(line.substr(prefix.size()));
    std::string verb, path;
    words >> verb >> path;
    if (verb == "installed" || verb == "wrote" || verb == "linked" || verb == "made")
      paths.push_back(path);
  }
  return paths;
}

// The unit's line starting with `key=`; empty when absent.
std::string unit_line(const std::string& unit, const std::string& key) {
  std::istringstream lines(unit);
  std::string line;
  while (std::getline(lines, line))
    if (line.rfind(key + "=", 0) == 0) return line;
  return {};
}

// Runs a packaging script with a clean view of skiff's variables plus `env`.
CommandResult run_script(const std::string& script, std::vector<std::string> args,
                         std::vector<std::string> env = {}) {
  std::vector<std::string> argv = {kPackaging + "/" + script};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> full_env = {"SKIFF_URL=",
                                       "SKIFF_TOKEN=",
                                       "DESTDIR=",
                                       "SKIFF_BINARY=",
                                       "SKIFF_DEB=",
                                       "INSTALL_SKIFF_EXEC=",
                                       "INSTALL_SKIFF_RUNTIME=",
                                       "SKIFF_INSTALL_PREFIX="};
  full_env.insert(full_env.end(), env.begin(), env.end());
  return run_command(argv, "", 120, full_env);
}

// What the unit's Type= must be for this binary: notify once skiff sends READY=1 (it then names
// NOTIFY_SOCKET), exec for a binary that does not.
std::string expected_type(const std::string& binary) {
  return read_text(binary).find("NOTIFY_SOCKET") != std::string::npos ? "Type=notify" : "Type=exec";
}

void expect_common_unit(const std::string& unit, const std::string& env_path,
                        const std::string& binary) {
  EXPECT_EQ(unit_line(unit, "Type"), expected_type(binary)) << unit;
  EXPECT_EQ(unit_line(unit, "KillMode"), "KillMode=process") << unit;
  EXPECT_EQ(unit_line(unit, "Delegate"), "Delegate=yes") << unit;
  EXPECT_EQ(unit_line(unit, "Restart"), "Restart=always") << unit;
  EXPECT_EQ(unit_line(unit, "LimitNOFILE"), "LimitNOFILE=1048576") << unit;
  EXPECT_EQ(unit_line(unit, "EnvironmentFile"), "EnvironmentFile=-" + env_path) << unit;
  EXPECT_EQ(unit.find(kToken), std::string::npos) << "the token is in the unit:\n" << unit;
}

TEST(InstallScript, ServerInstallsWhatItSaysTwiceAndUninstallEmptiesTheRoot) {
  TempDir root;
  const std::string binary = SKIFF_BINARY;
  CommandResult first = run_script("install.sh", {"--root", root.path(), "--binary", binary},
                                   {"SKIFF_TOKEN=" + kToken});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;

  // Everything it reports is there.
  std::vector<std::string> changes = reported_changes(first.out);
  for (const char* expected :
       {"/usr/local/bin/skiff", "/usr/local/bin/kubectl", "/usr/local/bin/skiff-killall.sh",
        "/usr/local/bin/skiff-uninstall.sh", "/etc/systemd/system/skiff.service",
        "/etc/systemd/system/skiff.service.env", "/var/lib/skiff", "/etc/skiff"})
    EXPECT_NE(std::find(changes.begin(), changes.end(), expected), changes.end())
        << expected << " not reported:\n"
        << first.out;
  for (const std::string& path : changes)
    EXPECT_TRUE(fs::exists(fs::symlink_status(root.path() + path))) << path << " reported, absent";

  EXPECT_EQ(read_text(root.path() + "/usr/local/bin/skiff"), read_text(binary));
  EXPECT_EQ(mode_of(root.path() + "/usr/local/bin/skiff"), 0755u);
  EXPECT_EQ(fs::read_symlink(root.path() + "/usr/local/bin/kubectl"), "/usr/local/bin/skiff");
  EXPECT_EQ(read_text(root.path() + "/usr/local/bin/skiff-killall.sh"),
            read_text(kPackaging + "/skiff-killall.sh"));
  EXPECT_EQ(mode_of(root.path() + "/usr/local/bin/skiff-uninstall.sh"), 0755u);
  EXPECT_EQ(mode_of(root.path() + "/var/lib/skiff"), 0700u);

  const std::string unit = read_text(root.path() + "/etc/systemd/system/skiff.service");
  expect_common_unit(unit, "/etc/systemd/system/skiff.service.env", binary);
  EXPECT_EQ(unit_line(unit, "ExecStart").rfind("ExecStart=/usr/local/bin/skiff server", 0), 0u)
      << unit;
  EXPECT_NE(unit_line(unit, "ExecStart").find("--token ${SKIFF_TOKEN}"), std::string::npos) << unit;
  const std::string env_path = root.path() + "/etc/systemd/system/skiff.service.env";
  EXPECT_EQ(mode_of(env_path), 0600u);
  EXPECT_NE(read_text(env_path).find("\nSKIFF_TOKEN=" + kToken + "\n"), std::string::npos)
      << read_text(env_path);

  // Again: nothing changes, and it says so.
  const std::vector<std::string> before = tree(root.path());
  CommandResult second = run_script("install.sh", {"--root", root.path(), "--binary", binary},
                                    {"SKIFF_TOKEN=" + kToken});
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_TRUE(reported_changes(second.out).empty()) << second.out;
  EXPECT_NE(second.out.find("unchanged /etc/systemd/system/skiff.service\n"), std::string::npos)
      << second.out;
  EXPECT_EQ(tree(root.path()), before);
  EXPECT_EQ(read_text(root.path() + "/etc/systemd/system/skiff.service"), unit);

  CommandResult removed = run_script("skiff-uninstall.sh", {"--root", root.path()});
  ASSERT_EQ(removed.exit_code, 0) << removed.out << removed.err;
  EXPECT_NE(removed.out.find("removed /etc/systemd/system/skiff.service.env"), std::string::npos)
      << removed.out;
  EXPECT_NE(removed.out.find("removed /var/lib/skiff"), std::string::npos) << removed.out;
  EXPECT_EQ(tree(root.path()), std::vector<std::string>{}) << removed.out;
}

TEST(InstallScript, AgentUnitReadsUrlAndTokenFromItsEnvFile) {
  TempDir root;
  const std::string binary = SKIFF_BINARY;
  const std::vector<std::string> env = {"SKIFF_URL=https://192.0.2.10:6443",
                                        "SKIFF_TOKEN=" + kToken,
                                        "INSTALL_SKIFF_EXEC=agent --node-name pi1"};
  for (int run = 0; run < 2; ++run) {
    CommandResult result =
        run_script("install.sh", {"--root=" + root.path(), "--binary", binary}, env);
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    if (run == 1) {
      EXPECT_TRUE(reported_changes(result.out).empty()) << result.out;
    }
  }
  EXPECT_FALSE(fs::exists(root.path() + "/etc/systemd/system/skiff.service"));
  const std::string unit = read_text(root.path() + "/etc/systemd/system/skiff-agent.service");
  expect_common_unit(unit, "/etc/systemd/system/skiff-agent.service.env", binary);
  const std::string exec_start = unit_line(unit, "ExecStart");
  EXPECT_EQ(exec_start.rfind("ExecStart=/usr/local/bin/skiff agent --server ${SKIFF_URL} "
                             "--token ${SKIFF_TOKEN}",
                             0),
            0u)
      << unit;
  EXPECT_NE(exec_start.find("--node-name pi1"), std::string::npos) << unit;
  const std::string env_path = root.path() + "/etc/systemd/system/skiff-agent.service.env";
  EXPECT_EQ(mode_of(env_path), 0600u);
  const std::string env_text = read_text(env_path);
  EXPECT_NE(env_text.find("\nSKIFF_URL=https://192.0.2.10:6443\n"), std::string::npos) << env_text;
  EXPECT_NE(env_text.find("\nSKIFF_TOKEN=" + kToken + "\n"), std::string::npos) << env_text;

  // --keep-data keeps the data folder, and only that.
  CommandResult removed = run_script("skiff-uninstall.sh", {"--root", root.path(), "--keep-data"});
  ASSERT_EQ(removed.exit_code, 0) << removed.out << removed.err;
  EXPECT_NE(removed.out.find("kept /var/lib/skiff (--keep-data)"), std::string::npos)
      << removed.out;
  EXPECT_EQ(tree(root.path()), (std::vector<std::string>{"var", "var/lib", "var/lib/skiff"}))
      << removed.out;
}

// systemd's own reading of the units install.sh writes (both kinds): no line it ignores or
// rejects. `systemd-analyze verify --root` needs the system's units under the root.
TEST(InstallScript, SystemdAcceptsTheUnits) {
  if (access("/usr/bin/systemd-analyze", X_OK) != 0 || !fs::exists("/lib/systemd/system"))
    GTEST_SKIP() << "systemd-analyze is not installed";
  const std::string binary = SKIFF_BINARY;
  for (const bool agent : {false, true}) {
    TempDir root;
    std::vector<std::string> env = {"SKIFF_TOKEN=" + kToken};
    if (agent) env.push_back("SKIFF_URL=https://192.0.2.10:6443");
    CommandResult installed =
        run_script("install.sh", {"--root", root.path(), "--binary", binary}, env);
    ASSERT_EQ(installed.exit_code, 0) << installed.out << installed.err;
    fs::create_directories(root.path() + "/usr/lib/systemd");
    fs::copy("/lib/systemd/system", root.path() + "/usr/lib/systemd/system",
             fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    const std::string unit = agent ? "skiff-agent.service" : "skiff.service";
    CommandResult verified = run_command(
        {"systemd-analyze", "verify", "--root=" + root.path(), "/etc/systemd/system/" + unit});
    EXPECT_EQ(verified.exit_code, 0) << unit << ": " << verified.err;
    EXPECT_EQ(verified.err, "") << unit;
  }
}

TEST(InstallScript, NotifyTypeForABinaryThatSpeaksSdNotify) {
  TempDir root;
  TempDir bin;
  // A stand-in binary: runs `version` and carries the NOTIFY_SOCKET name as sd_notify's does.
  const std::string stub = bin.path() + "/skiff";
  std::ofstream(stub) << "#!/bin/sh\n# NOTIFY_SOCKET\necho 'skiff version stub'\n";
  fs::permissions(stub, fs::perms::owner_all);
  CommandResult result = run_script("install.sh", {"--root", root.path(), "--binary", stub});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const std::string unit = read_text(root.path() + "/etc/systemd/system/skiff.service");
  EXPECT_EQ(unit_line(unit, "Type"), "Type=notify") << unit;
  // No token given: none on ExecStart, an env file all the same.
  EXPECT_EQ(unit_line(unit, "ExecStart").find("--token"), std::string::npos) << unit;
  EXPECT_EQ(mode_of(root.path() + "/etc/systemd/system/skiff.service.env"), 0600u);
}

TEST(InstallScript, RefusesWhatItCannotInstallAndWritesNothing) {
  TempDir root;
  const std::string binary = SKIFF_BINARY;
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> env;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--binary", binary}, {"SKIFF_URL=https://192.0.2.10:6443"}, "set SKIFF_TOKEN"},
      {{"--binary", binary}, {"INSTALL_SKIFF_RUNTIME=containerd"}, "podman only today"},
      {{"--binary", root.path() + "/absent"}, {}, "not an executable file"},
      {{"--binary", binary}, {"INSTALL_SKIFF_EXEC=agent"}, "set SKIFF_URL"},
      {{"--binary", binary},
       {"SKIFF_URL=192.0.2.10:6443", "SKIFF_TOKEN=" + kToken},
       "must be the server's URL"},
  };
  for (const Case& each : cases) {
    std::vector<std::string> args = {"--root", root.path()};
    args.insert(args.end(), each.args.begin(), each.args.end());
    CommandResult result = run_script("install.sh", args, each.env);
    EXPECT_EQ(result.exit_code, 1) << each.message << "\n" << result.out << result.err;
    EXPECT_NE(result.err.find(each.message), std::string::npos) << result.err;
    EXPECT_EQ(tree(root.path()), std::vector<std::string>{}) << each.message << "\n" << result.out;
  }
  CommandResult bad_flag = run_script("install.sh", {"--bogus"});
  EXPECT_EQ(bad_flag.exit_code, 2);
  EXPECT_NE(bad_flag.err.find("unknown argument \"--bogus\""), std::string::npos);
}

// install.sh --binary installs LIBRARY_PACKAGES when the binary's libraries are missing: the
// list must name the package of every library the binary links itself (the packages bring
// what those libraries link in turn). libc6, libstdc++6 and libgcc-s1 are on every machine.
TEST(InstallScript, NamesThePackageOfEveryLibraryTheBinaryLinks) {
  const std::string script = read_text(kPackaging + "/install.sh");
  const std::string start = "LIBRARY_PACKAGES=\"";
  const size_t begin = script.find(start);
  ASSERT_NE(begin, std::string::npos);
  const size_t end = script.find('"', begin + start.size());
  std::string listed = script.substr(begin + start.size(), end - begin - start.size());
  std::replace(listed.begin(), listed.end(), '\\', ' ');
  std::vector<std::string> packages;
  std::istringstream words(listed);
  for (std::string word; words >> word;) packages.push_back(word);

  // Each NEEDED library, found where the loader finds it, and the package that owns that file
  // (dpkg knows some under /lib, some under /usr/lib: merged /usr makes both paths one file).
  const std::string owners_script = R"(
    binary=$1
    for library in $(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
      path=$(ldd "$binary" | awk -v l="$library" '$1 == l { print $3 }')
      [ -n "$path" ] || { echo "unresolved:$library"; continue; }
      real=$(readlink -f "$path")
      owner=$(dpkg -S "$real" 2>/dev/null || dpkg -S "/usr$real" 2>/dev/null ||
              dpkg -S "${real#/usr}" 2>/dev/null || echo "unowned:$library")
      echo "${owner%%:*}"
    done)";
  CommandResult owners = run_command({"bash", "-c", owners_script, "owners", SKIFF_BINARY});
  ASSERT_EQ(owners.exit_code, 0) << owners.err;
  std::istringstream lines(owners.out);
  int checked = 0;
  for (std::string owner; std::getline(lines, owner);) {
    if (owner == "libc6" || owner == "libstdc++6" || owner == "libgcc-s1") continue;
    ++checked;
    EXPECT_NE(std::find(packages.begin(), packages.end(), owner), packages.end())
        << owner << " (a library skiff links) is missing from LIBRARY_PACKAGES in install.sh";
  }
  EXPECT_GE(checked, 5) << owners.out;  // sqlite, ssl, curl, grpc, protobuf at least
}

TEST(InstallScript, KillallUnderRootTouchesNothing) {
  TempDir root;
  CommandResult result = run_script("skiff-killall.sh", {"--root", root.path()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("nothing of skiff runs there"), std::string::npos) << result.out;
}

TEST(InstallScript, ShellcheckIsClean) {
  std::vector<std::string> argv = {"shellcheck"};
  for (const auto& entry : fs::directory_iterator(kPackaging))
    if (entry.path().extension() == ".sh") argv.push_back(entry.path().string());
  ASSERT_GE(argv.size(), 5u) << "expected install.sh, skiff-killall.sh, skiff-uninstall.sh, ...";
  CommandResult result = run_command(argv);
  ASSERT_NE(result.exit_code, 127)
      << "shellcheck is not installed: apt-get install shellcheck (install-build-deps.sh does)";
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
}

}  // namespace
}  // namespace skiff::testing
