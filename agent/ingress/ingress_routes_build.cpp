// Building a RouteTable from Ingress objects: reading untrusted JSON, so every field is checked
// for its type and every unusable part becomes a problem line instead of an exception.
#include <algorithm>
#include <map>
#include <tuple>
#include <variant>

#include "agent/ingress/ingress_routes.h"
#include "pkg/api/time.h"

namespace skiff::agent::ingress {

namespace {

constexpr std::string_view kClassName = "skiff";
constexpr const char* kLegacyClassAnnotation = "kubernetes.io/ingress.class";

// The member `key` of `object`, nullptr when `object` is not an object or the member is absent
// or null (the API's "unset").
const Json* member(const Json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string string_member(const Json& object, const char* key) {
  const Json* value = member(object, key);
  return value && value->is_string() ? value->get<std::string>() : std::string();
}

std::string json_text(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string lower_case(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

// A rule or TLS host as the tables key it.
struct HostKey {
  enum class Kind { Any, Exact, Wildcard };
  Kind kind = Kind::Any;
  std::string name;  // Exact: "foo.example.com"; Wildcard: "example.com" for "*.example.com"

  std::string describe() const {
    switch (kind) {
      case Kind::Any:
        return "any host";
      case Kind::Exact:
        return "host \"" + name + "\"";
      case Kind::Wildcard:
        return "host \"*." + name + "\"";
    }
    return {};
  }
  std::string text() const { return kind == Kind::Wildcard ? "*." + name : name; }
};

// A host field's value -> its key, or the reason it cannot be one.
std::variant<HostKey, std::string> parse_host(std::string host) {
  host = lower_case(std::move(host));
  if (!host.empty() && host.back() == '.') host.pop_back();
  if (host.empty()) return HostKey{};
  bool wildcard = host.starts_with("*.");
  std::string name = wildcard ? host.substr(2) : host;
  if (name.empty() || name.find('*') != std::string::npos) {
    return "a wildcard must be the whole first label, as in \"*.example.com\"";
  }
  if (name.find_first_of(":/ \t") != std::string::npos || name.front() == '.' ||
      name.find("..") != std::string::npos) {
    return "must be a DNS name";
  }
  return HostKey{wildcard ? HostKey::Kind::Wildcard : HostKey::Kind::Exact, std::move(name)};
}

// One served Ingress, with what orders it: the oldest wins every tie.
struct IngressRef {
  const Json* object = nullptr;
  std::string key;  // "namespace/name"
  std::string namespace_name;
  api::Clock::time_point created = api::Clock::time_point::max();  // unknown: newest

  bool operator<(const IngressRef& other) const {
    return std::tie(created, key) < std::tie(other.created, other.key);
  }
};

}  // namespace

bool served_by_skiff(const Json& ingress) {
  if (!ingress.is_object()) return false;
  const Json* spec = member(ingress, "spec");
  const Json* class_name = spec ? member(*spec, "ingressClassName") : nullptr;
  if (class_name && !(class_name->is_string() && class_name->get<std::string>().empty())) {
    return class_name->is_string() && class_name->get<std::string>() == kClassName;
  }
  const Json* metadata = member(ingress, "metadata");
  const Json* annotations = metadata ? member(*metadata, "annotations") : nullptr;
  const Json* legacy = annotations ? member(*annotations, kLegacyClassAnnotation) : nullptr;
  return !legacy || (legacy->is_string() && legacy->get<std::string>() == kClassName);
}

// Friend of RouteTable: fills its private indexes, one Ingress at a time, oldest first.
class RouteTableBuilder {
 public:
  RouteTableBuild build(const std::vector<Json>& ingresses) {
    std::vector<IngressRef> served;
    for (const Json& object : ingresses) {
      if (!object.is_object()) {
        problems_.push_back("an Ingress that is not a JSON object was left out");
        continue;
      }
      if (!served_by_skiff(object)) continue;
      if (std::optional<IngressRef> ref = identify(object)) served.push_back(std::move(*ref));
    }
    // Those lines name no Ingress; sorted, they do not show the input order either.
    std::sort(problems_.begin(), problems_.end());
    // Namespace/name is unique in the API, so this order is total for real input.
    std::stable_sort(served.begin(), served.end());
    for (const IngressRef& ingress : served) add_ingress(ingress);
    finish();
    return RouteTableBuild{std::move(table_), std::move(problems_)};
  }

 private:
  using PathKind = RouteTable::PathKind;
  using PathRoutes = RouteTable::PathRoutes;

  std::optional<IngressRef> identify(const Json& object) {
    const Json* metadata = member(object, "metadata");
    std::string name = metadata ? string_member(*metadata, "name") : "";
    std::string namespace_name = metadata ? string_member(*metadata, "namespace") : "";
    if (name.empty() || namespace_name.empty()) {
      problems_.push_back(
          "an Ingress without metadata.namespace and metadata.name was left out: the backends' "
          "namespace is the Ingress's");
      return std::nullopt;
    }
    IngressRef ref{&object, namespace_name + "/" + name, namespace_name};
    if (std::optional<api::Clock::time_point> created =
            api::parse_rfc3339(string_member(*metadata, "creationTimestamp"))) {
      ref.created = *created;
    }
    return ref;
  }

  void problem(const IngressRef& ingress, const std::string& field, const std::string& message) {
    problems_.push_back("Ingress " + ingress.key + ": " + field + ": " + message);
  }

  void add_ingress(const IngressRef& ingress) {
    const Json* spec = member(*ingress.object, "spec");
    if (!spec || !spec->is_object()) {
      problem(ingress, "spec", spec ? "must be an object" : "Required value");
      return;
    }
    if (const Json* backend = member(*spec, "defaultBackend")) {
      add_default_backend(ingress, *backend);
    }
    std::vector<std::string> rule_hosts;  // what a spec.tls entry without hosts covers
    if (const Json* rules = member(*spec, "rules")) {
      if (!rules->is_array()) {
        problem(ingress, "spec.rules", "must be a list");
      } else {
        for (size_t i = 0; i < rules->size(); ++i) {
          add_rule(ingress, (*rules)[i], "spec.rules[" + std::to_string(i) + "]", rule_hosts);
        }
      }
    }
    if (const Json* tls = member(*spec, "tls")) {
      if (!tls->is_array()) {
        problem(ingress, "spec.tls", "must be a list");
      } else {
        for (size_t i = 0; i < tls->size(); ++i) {
          add_tls(ingress, (*tls)[i], "spec.tls[" + std::to_string(i) + "]", rule_hosts);
        }
      }
    }
  }

  void add_default_backend(const IngressRef& ingress, const Json& backend) {
    std::optional<BackendRef> ref = parse_backend(ingress, backend, "spec.defaultBackend");
    if (!ref) return;
    if (table_.default_backend_) {
      problem(ingress, "spec.defaultBackend",
              "not used: the older Ingress " + table_.default_backend_->ingress + " has one");
      return;
    }
    table_.default_backend_ = RouteTarget{std::move(*ref), ingress.key};
  }

  void add_rule(const IngressRef& ingress, const Json& rule, const std::string& field,
                std::vector<std::string>& rule_hosts) {
    if (!rule.is_object()) {
      problem(ingress, field, "must be an object");
      return;
    }
    HostKey host;
    if (const Json* value = member(rule, "host")) {
      if (!value->is_string()) {
        problem(ingress, field + ".host", "must be a string");
        return;
      }
      auto parsed = parse_host(value->get<std::string>());
      if (const std::string* error = std::get_if<std::string>(&parsed)) {
        problem(ingress, field + ".host", "Invalid value: " + json_text(*value) + ": " + *error);
        return;
      }
      host = std::get<HostKey>(std::move(parsed));
    }
    if (host.kind != HostKey::Kind::Any &&
        std::find(rule_hosts.begin(), rule_hosts.end(), host.text()) == rule_hosts.end()) {
      rule_hosts.push_back(host.text());
    }
    const Json* http = member(rule, "http");
    if (!http) return;  // a host without paths: it only names a TLS host
    if (!http->is_object()) {
      problem(ingress, field + ".http", "must be an object");
      return;
    }
    const Json* paths = member(*http, "paths");
    if (!paths || !paths->is_array() || paths->empty()) {
      problem(ingress, field + ".http.paths", "Required value: a list of paths");
      return;
    }
    for (size_t j = 0; j < paths->size(); ++j) {
      add_path(ingress, host, (*paths)[j], field + ".http.paths[" + std::to_string(j) + "]");
    }
  }

  void add_path(const IngressRef& ingress, const HostKey& host, const Json& http_path,
                const std::string& field) {
    if (!http_path.is_object()) {
      problem(ingress, field, "must be an object");
      return;
    }
    const Json* type = member(http_path, "pathType");
    std::string type_name = type && type->is_string() ? type->get<std::string>() : "";
    if (!type) {
      problem(ingress, field + ".pathType", "Required value");
      return;
    }
    if (type_name != "Exact" && type_name != "Prefix" && type_name != "ImplementationSpecific") {
      problem(ingress, field + ".pathType",
              "Unsupported value: " + json_text(*type) +
                  ": supported values: \"Exact\", \"ImplementationSpecific\", \"Prefix\"");
      return;
    }
    const Json* path_value = member(http_path, "path");
    if (path_value && !path_value->is_string()) {
      problem(ingress, field + ".path", "must be a string");
      return;
    }
    std::string path = path_value ? path_value->get<std::string>() : "";
    if (path.empty() && type_name == "ImplementationSpecific") path = "/";
    if (path.empty()) {
      problem(ingress, field + ".path", "Required value for pathType " + type_name);
      return;
    }
    if (path.front() != '/') {
      problem(ingress, field + ".path",
              "Invalid value: " + json_text(path) + ": must be an absolute path");
      return;
    }
    const Json* backend = member(http_path, "backend");
    if (!backend) {
      problem(ingress, field + ".backend", "Required value");
      return;
    }
    std::optional<BackendRef> ref = parse_backend(ingress, *backend, field + ".backend");
    if (!ref) return;

    PathKind kind = type_name == "Exact" ? PathKind::Exact : PathKind::Prefix;
    if (kind == PathKind::Prefix) {
      while (!path.empty() && path.back() == '/') path.pop_back();
    }
    auto [owner, inserted] =
        path_owners_.try_emplace({static_cast<int>(host.kind), host.name, path, kind}, ingress.key);
    if (!inserted) {
      std::string shown = kind == PathKind::Prefix && path.empty() ? "/" : path;
      problem(ingress, field,
              "not used: " + host.describe() + " path " + json_text(shown) + " (" +
                  (kind == PathKind::Exact ? "Exact" : "Prefix") + ") is already routed by " +
                  (owner->second == ingress.key ? "this Ingress"
                                                : "the older Ingress " + owner->second));
      return;
    }
    routes_for(host).push_back({std::move(path), kind, RouteTarget{std::move(*ref), ingress.key}});
  }

  PathRoutes& routes_for(const HostKey& host) {
    switch (host.kind) {
      case HostKey::Kind::Exact:
        return table_.exact_hosts_[host.name];
      case HostKey::Kind::Wildcard:
        return table_.wildcard_hosts_[host.name];
      case HostKey::Kind::Any:
        break;
    }
    return table_.any_host_;
  }

  std::optional<BackendRef> parse_backend(const IngressRef& ingress, const Json& backend,
                                          const std::string& field) {
    if (!backend.is_object()) {
      problem(ingress, field, "must be an object");
      return std::nullopt;
    }
    if (member(backend, "resource")) {
      problem(ingress, field + ".resource",
              "resource backends are not supported by skiff's ingress; use a service backend");
      return std::nullopt;
    }
    const Json* service = member(backend, "service");
    if (!service || !service->is_object()) {
      problem(ingress, field + ".service", service ? "must be an object" : "Required value");
      return std::nullopt;
    }
    BackendRef ref;
    ref.namespace_name = ingress.namespace_name;
    ref.service = string_member(*service, "name");
    if (ref.service.empty()) {
      problem(ingress, field + ".service.name", "Required value");
      return std::nullopt;
    }
    const Json* port = member(*service, "port");
    if (!port || !port->is_object()) {
      problem(ingress, field + ".service.port",
              port ? "must be an object" : "Required value: port name or number is required");
      return std::nullopt;
    }
    const Json* number = member(*port, "number");
    const Json* name = member(*port, "name");
    if (number && !(number->is_number_integer() && number->get<long long>() >= 1 &&
                    number->get<long long>() <= 65535)) {
      problem(ingress, field + ".service.port.number",
              "Invalid value: " + json_text(*number) + ": must be between 1 and 65535, inclusive");
      return std::nullopt;
    }
    if (name && !(name->is_string() && !name->get<std::string>().empty())) {
      problem(ingress, field + ".service.port.name",
              "Invalid value: " + json_text(*name) + ": must be a non-empty string");
      return std::nullopt;
    }
    if (number && name) {
      problem(ingress, field + ".service.port", "cannot set both port name & port number");
      return std::nullopt;
    }
    if (!number && !name) {
      problem(ingress, field + ".service.port", "Required value: port name or number is required");
      return std::nullopt;
    }
    if (number) ref.port_number = number->get<int>();
    if (name) ref.port_name = name->get<std::string>();
    return ref;
  }

  void add_tls(const IngressRef& ingress, const Json& entry, const std::string& field,
               const std::vector<std::string>& rule_hosts) {
    if (!entry.is_object()) {
      problem(ingress, field, "must be an object");
      return;
    }
    TlsEntry tls{{}, ingress.namespace_name, string_member(entry, "secretName"), ingress.key};
    if (tls.secret_name.empty()) {
      problem(ingress, field + ".secretName",
              "Required value: without it its hosts get the proxy's default certificate");
      return;
    }
    const Json* hosts = member(entry, "hosts");
    if (hosts && !hosts->is_array()) {
      problem(ingress, field + ".hosts", "must be a list");
      return;
    }
    std::vector<HostKey> keys;
    if (!hosts || hosts->empty()) {
      for (const std::string& host : rule_hosts) {
        keys.push_back(std::get<HostKey>(parse_host(host)));
      }
      if (keys.empty()) {
        problem(ingress, field + ".hosts",
                "Required value: neither this entry nor the Ingress's rules name a host");
        return;
      }
    } else {
      for (size_t h = 0; h < hosts->size(); ++h) {
        const Json& host = (*hosts)[h];
        std::string host_field = field + ".hosts[" + std::to_string(h) + "]";
        auto parsed = host.is_string() ? parse_host(host.get<std::string>())
                                       : std::variant<HostKey, std::string>("must be a string");
        const HostKey* key = std::get_if<HostKey>(&parsed);
        if (!key || key->kind == HostKey::Kind::Any) {
          problem(ingress, host_field,
                  "Invalid value: " + json_text(host) + ": " +
                      (key ? "must be a DNS name" : std::get<std::string>(parsed)));
          continue;
        }
        bool listed = std::any_of(keys.begin(), keys.end(), [&](const HostKey& other) {
          return other.kind == key->kind && other.name == key->name;
        });
        if (!listed) keys.push_back(*key);
      }
      if (keys.empty()) return;
    }
    // The entry keeps the hosts it serves: a host an older entry has stays with that one.
    size_t index = table_.tls_.size();
    for (const HostKey& key : keys) {
      auto& by_host =
          key.kind == HostKey::Kind::Wildcard ? table_.tls_wildcard_ : table_.tls_exact_;
      auto [it, inserted] = by_host.try_emplace(key.name, index);
      if (inserted) {
        tls.hosts.push_back(key.text());
        continue;
      }
      const TlsEntry& holder = table_.tls_[it->second];
      if (holder.namespace_name != tls.namespace_name || holder.secret_name != tls.secret_name) {
        problem(ingress, field,
                "not used for " + key.describe() + ": the older Ingress " + holder.ingress +
                    " serves it with Secret " + holder.namespace_name + "/" + holder.secret_name);
      }
    }
    if (!tls.hosts.empty()) table_.tls_.push_back(std::move(tls));
  }

  // Orders every host's paths for first-match lookup and lists the backends.
  void finish() {
    auto order = [](const RouteTable::PathRoute& a, const RouteTable::PathRoute& b) {
      if (a.path.size() != b.path.size()) return a.path.size() > b.path.size();
      if (a.kind != b.kind) return a.kind == PathKind::Exact;
      return a.path < b.path;
    };
    std::vector<BackendRef>& backends = table_.backends_;
    auto finish_routes = [&](PathRoutes& routes) {
      std::sort(routes.begin(), routes.end(), order);
      for (const auto& route : routes) backends.push_back(route.target.backend);
    };
    for (auto& [host, routes] : table_.exact_hosts_) finish_routes(routes);
    for (auto& [host, routes] : table_.wildcard_hosts_) finish_routes(routes);
    finish_routes(table_.any_host_);
    if (table_.default_backend_) backends.push_back(table_.default_backend_->backend);
    std::sort(backends.begin(), backends.end());
    backends.erase(std::unique(backends.begin(), backends.end()), backends.end());
  }

  RouteTable table_;
  std::vector<std::string> problems_;
  // (host kind, host name, path, kind) -> the Ingress that routes it
  std::map<std::tuple<int, std::string, std::string, PathKind>, std::string> path_owners_;
};

RouteTableBuild build_route_table(const std::vector<Json>& ingresses) {
  return RouteTableBuilder().build(ingresses);
}

}  // namespace skiff::agent::ingress
