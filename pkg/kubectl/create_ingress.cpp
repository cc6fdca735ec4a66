#include "pkg/kubectl/create_ingress.h"

#include <algorithm>
#include <charconv>
#include <regex>

#include "pkg/kubectl/errors.h"

namespace skiff::kubectl {

namespace {

// kubectl's rule grammar: host, a path from the first '/', '=', service, ':', port, then an
// optional `,tls[=secret]`. Like kubectl's check it is anchored at the start only, so text after
// a valid prefix is accepted (and ignored or kept as kubectl does when it builds the object).
const std::regex& rule_pattern() {
  static const std::regex pattern(R"(^[\w*.\-]*/.*=[\w\-]+:[\w\-]+(,tls=?([\w\-]+)?)?)",
                                  std::regex::ECMAScript | std::regex::optimize);
  return pattern;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> pieces;
  std::size_t start = 0;
  while (true) {
    std::size_t at = text.find(separator, start);
    pieces.push_back(text.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return pieces;
    start = at + 1;
  }
}

KubectlError bad_rule(const std::string& rule) {
  return usage_error("rule " + rule +
                     " is invalid and should be in format "
                     "host/path=svcname:svcport[,tls[=secret]]");
}

// A port that parses as a 32-bit integer is a number, anything else a name.
Json backend_port(const std::string& port) {
  int32_t number = 0;
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (error == std::errc() && end == port.data() + port.size()) return {{"number", number}};
  return {{"name", port}};
}

// "service:port[:...]" -> the backend (text after a second ':' is ignored, as in kubectl).
Json service_backend(const std::string& service_and_port) {
  std::vector<std::string> parts = split(service_and_port, ':');
  return {{"service", {{"name", parts[0]}, {"port", backend_port(parts.at(1))}}}};
}

struct ParsedRule {
  std::string host;
  Json path;  // one HTTPIngressPath
};

ParsedRule parse_rule(const std::string& rule) {
  if (!std::regex_search(rule, rule_pattern())) throw bad_rule(rule);
  const std::string route = split(rule, ',')[0];
  const std::size_t slash = route.find('/');
  ParsedRule parsed{route.substr(0, slash), nullptr};
  // The path ends at the first '='; kubectl itself crashes on a path holding '=' (the service
  // part then lacks its ':'), so that is reported as a malformed rule here.
  std::vector<std::string> path_and_service = split(route.substr(slash + 1), '=');
  if (path_and_service.size() < 2 || path_and_service[1].find(':') == std::string::npos ||
      path_and_service[1].front() == ':')
    throw bad_rule(rule);
  std::string path = "/" + path_and_service[0];
  std::string path_type = "Exact";
  if (path.back() == '*') {
    path.pop_back();
    path_type = "Prefix";
  }
  parsed.path = {
      {"path", path}, {"pathType", path_type}, {"backend", service_backend(path_and_service[1])}};
  return parsed;
}

Json ingress_rules(const std::vector<std::string>& rules) {
  Json out = Json::array();
  for (const auto& rule : rules) {
    ParsedRule parsed = parse_rule(rule);
    Json* same_host = nullptr;
    for (auto& existing : out)
      if (existing.value("host", "") == parsed.host) same_host = &existing;
    if (same_host) {
      (*same_host)["http"]["paths"].push_back(std::move(parsed.path));
      continue;
    }
    Json entry = Json::object();
    if (!parsed.host.empty()) entry["host"] = parsed.host;
    entry["http"] = {{"paths", Json::array({std::move(parsed.path)})}};
    out.push_back(std::move(entry));
  }
  return out;
}

Json ingress_tls(const std::vector<std::string>& rules) {
  Json out = Json::array();
  std::vector<std::string> hosts_done;
  for (const auto& rule : rules) {
    std::vector<std::string> pieces = split(rule, ',');
    if (pieces.size() != 2) continue;
    std::vector<std::string> tls = split(pieces[1], '=');
    const std::string secret = tls.size() > 1 ? tls[1] : "";
    const std::string host = split(rule, '/')[0];
    if (std::find(hosts_done.begin(), hosts_done.end(), host) != hosts_done.end()) continue;
    hosts_done.push_back(host);
    Json* same_secret = nullptr;
    for (auto& entry : out)
      if (entry.value("secretName", "") == secret) {
        same_secret = &entry;
        break;
      }
    if (same_secret) {
      (*same_secret)["hosts"].push_back(host);
    } else if (!host.empty()) {
      Json entry = {{"hosts", Json::array({host})}};
      if (!secret.empty()) entry["secretName"] = secret;
      out.push_back(std::move(entry));
    } else if (!secret.empty()) {
      out.push_back({{"secretName", secret}});
    }
  }
  return out;
}

}  // namespace

Json build_ingress(const IngressRequest& request) {
  if (request.default_backend.empty() && request.rules.empty())
    throw usage_error(
        "not enough information provided: every ingress has to either specify a default-backend "
        "(which catches all traffic) or a list of rules (which catch specific paths)");
  for (const auto& rule : request.rules)
    if (!std::regex_search(rule, rule_pattern())) throw bad_rule(rule);
  Json annotations = Json::object();
  for (const auto& annotation : request.annotations) {
    const std::size_t eq = annotation.find('=');
    if (eq == std::string::npos)
      throw usage_error("annotation " + annotation +
                        " is invalid and should be in format key=[value]");
    annotations[annotation.substr(0, eq)] = annotation.substr(eq + 1);
  }
  if (!request.default_backend.empty() && split(request.default_backend, ':').size() != 2)
    throw usage_error("default-backend should be in format servicename:serviceport");

  Json metadata = {{"name", request.name}};
  if (!request.namespace_name.empty()) metadata["namespace"] = request.namespace_name;
  if (!annotations.empty()) metadata["annotations"] = std::move(annotations);
  Json spec = Json::object();
  if (!request.class_name.empty()) spec["ingressClassName"] = request.class_name;
  if (!request.default_backend.empty())
    spec["defaultBackend"] = service_backend(request.default_backend);
  if (Json tls = ingress_tls(request.rules); !tls.empty()) spec["tls"] = std::move(tls);
  if (Json rules = ingress_rules(request.rules); !rules.empty()) spec["rules"] = std::move(rules);
  return {{"apiVersion", "networking.k8s.io/v1"},
          {"kind", "Ingress"},
          {"metadata", std::move(metadata)},
          {"spec", std::move(spec)},
          {"status", {{"loadBalancer", Json::object()}}}};
}

}  // namespace skiff::kubectl
