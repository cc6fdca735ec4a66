// `skiff certificate check|rotate`: the server's certificates on disk (server/security/
// cluster_certificates.h). rotate works while the server runs: it writes new leaf certificates
// and the server serves them after its next check (--certificate-check-period), rewriting the
// admin kubeconfig; nodes keep their own certificates (they renew themselves).
#include <algorithm>
#include <ctime>
#include <iomanip>
#include <iostream>

#include "pkg/pki/pki.h"
#include "pkg/util/flags.h"
#include "server/certificate_command.h"
#include "server/security/cluster_certificates.h"

namespace skiff::server {

namespace {

std::string format_time(pki::Clock::time_point when) {
  const std::time_t seconds = pki::Clock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::ostringstream text;
  text << std::put_time(&utc, "%Y-%m-%dT%H:%M:%SZ");
  return text.str();
}

int check(const std::string& data_dir) {
  const auto statuses = security::check_certificate_files(data_dir);
  if (statuses.empty()) {
    std::cerr << "skiff certificate check: no certificates under " << data_dir
              << " (has skiff run with this --data-dir?)\n";
    return 1;
  }
  const auto now = pki::Clock::now();
  bool problems = false;
  size_t width = 6;
  for (const auto& status : statuses) width = std::max(width, status.path.size() + 2);
  std::cout << std::left << std::setw(static_cast<int>(width)) << "FILE" << std::setw(28)
            << "SUBJECT" << std::setw(22) << "EXPIRES"
            << "STATUS\n";
  for (const auto& status : statuses) {
    std::string state = status.problem;
    if (state.empty()) {
      const auto days =
          std::chrono::duration_cast<std::chrono::hours>(status.not_after - now).count() / 24;
      state = "ok, " + std::to_string(days) + " days left";
      if (days < 90) state += " (renewed within 90 days of expiry)";
    } else {
      problems = true;
    }
    std::cout << std::left << std::setw(static_cast<int>(width)) << status.path << std::setw(28)
              << status.subject << std::setw(22) << format_time(status.not_after) << state << "\n";
  }
  return problems ? 1 : 0;
}

int rotate(const std::string& data_dir) {
  try {
    for (const auto& path : security::rotate_leaf_certificates(data_dir))
      std::cout << "rotated " << path << "\n";
    std::cout << "a running server serves the new certificates after its next check "
                 "(--certificate-check-period) and rewrites the admin kubeconfig\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "skiff certificate rotate: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

int certificate_command(const std::vector<std::string>& args) {
  util::Flags flags;
  flags.add_string("data-dir,d", "/var/lib/skiff", "The server's data directory");
  flags.add_bool("help,h", false, "Show this help");
  try {
    flags.parse(args);
  } catch (const util::FlagError& e) {
    std::cerr << "skiff certificate: " << e.what() << "\n";
    return 2;
  }
  const auto& positional = flags.positional();
  if (flags.get_bool("help") || positional.size() != 1 ||
      (positional[0] != "check" && positional[0] != "rotate")) {
    (flags.get_bool("help") ? std::cout : std::cerr)
        << "Usage: skiff certificate check|rotate [--data-dir DIR]\n\n"
           "  check   print every certificate with its expiry\n"
           "  rotate  new keys and certificates for the API and the admin (a running server\n"
           "          picks them up without a restart)\n\nFlags:\n"
        << flags.usage();
    return flags.get_bool("help") ? 0 : 2;
  }
  const std::string data_dir = flags.get_string("data-dir");
  return positional[0] == "check" ? check(data_dir) : rotate(data_dir);
}

}  // namespace skiff::server
