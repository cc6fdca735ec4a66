#include "agent/dns/resolv_conf.h"

#include <sstream>

namespace skiff::agent::dns {

ResolvConf parse_resolv_conf(std::string_view text) {
  ResolvConf conf;
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    if (auto comment = line.find_first_of("#;"); comment != std::string::npos) line.resize(comment);
    std::istringstream words(line);
    std::string keyword;
    if (!(words >> keyword)) continue;
    std::vector<std::string> values;
    for (std::string value; words >> value;) values.push_back(value);
    if (keyword == "nameserver" && !values.empty()) {
      conf.nameservers.push_back(values.front());
    } else if (keyword == "search" || keyword == "domain") {
      conf.searches = values;
    } else if (keyword == "options") {
      conf.options.insert(conf.options.end(), values.begin(), values.end());
    }
  }
  return conf;
}

bool is_loopback_address(std::string_view address) {
  return address.starts_with("127.") || address == "::1";
}

}  // namespace skiff::agent::dns
