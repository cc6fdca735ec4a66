// Answering one question from a ClusterRecords snapshot (the rules are in cluster_records.h).
#include "agent/dns/cluster_records.h"
#include "agent/dns/dns_names.h"

namespace skiff::agent::dns {
namespace {

bool wants(uint16_t asked, uint16_t type) {
  return asked == type || asked == type::ANY;
}

Record a_record(const std::string& name, uint32_t ip) {
  return {name, type::A, kClusterTtl, Ipv4Data{ip}};
}

ClusterAnswer answer_with(std::vector<Record> answers, std::vector<Record> additional = {}) {
  ClusterAnswer answer;
  answer.kind = ClusterAnswer::Kind::Answer;
  answer.answers = std::move(answers);
  answer.additional = std::move(additional);
  return answer;
}

uint16_t srv_weight(size_t count) {
  return static_cast<uint16_t>(std::max<size_t>(1, 100 / std::max<size_t>(1, count)));
}

}  // namespace

ClusterAnswer ClusterRecords::answer(const Question& question) const {
  if (question.klass != kClassIn) return {};
  const std::string name = lower(question.name);
  if (parse_reverse_ipv4(name)) return answer_ptr(question, name);
  if (!in_zone(name, domain_)) return {};  // Forward
  if (name == domain_) {
    if (!wants(question.type, type::SOA)) return no_data();
    return answer_with(no_data().authority);
  }
  auto labels = split_labels(name.substr(0, name.size() - domain_.size() - 1));
  const std::string kind = labels.back();
  labels.pop_back();
  if (kind == "svc") return answer_service_name(question, labels);
  if (kind == "pod") return answer_pod_name(question, labels);
  return nx_domain();
}

ClusterAnswer ClusterRecords::answer_service_name(const Question& question,
                                                  const std::vector<std::string>& labels) const {
  const std::string& owner = question.name;
  if (labels.empty()) return no_data();  // svc.<zone>
  const std::string& namespace_name = labels.back();
  if (labels.size() == 1) return namespaces_.count(namespace_name) ? no_data() : nx_domain();
  if (labels.size() > 4) return nx_domain();
  const std::string& service_name = labels[labels.size() - 2];
  const Service* service = find(namespace_name, service_name);
  if (!service) return nx_domain();
  const std::string fqdn = service_fqdn(namespace_name, service_name);

  if (service->kind == Service::Kind::ExternalName) {
    if (labels.size() != 2) return nx_domain();
    return answer_with({{owner, type::CNAME, kClusterTtl, NameData{service->external_name}}});
  }
  const bool headless = service->kind == Service::Kind::Headless;

  if (labels.size() == 2) {                                          // <svc>.<ns>.svc.<zone>
    if (headless && service->endpoints.empty()) return nx_domain();  // the specification's rule
    std::vector<Record> answers;
    std::vector<Record> additional;
    if (wants(question.type, type::A)) {
      if (headless)
        for (const auto& endpoint : service->endpoints)
          answers.push_back(a_record(owner, endpoint.ip));
      else if (service->cluster_ip != 0)
        answers.push_back(a_record(owner, service->cluster_ip));
    }
    if (wants(question.type, type::SRV)) {
      const size_t count = service->ports.size() * (headless ? service->endpoints.size() : 1);
      for (const auto& port : service->ports) {
        if (!headless) {
          answers.push_back(
              {owner, type::SRV, kClusterTtl, SrvData{0, srv_weight(count), port.port, fqdn}});
          continue;
        }
        for (const auto& endpoint : service->endpoints) {
          const std::string target = endpoint.hostname + "." + fqdn;
          answers.push_back(
              {owner, type::SRV, kClusterTtl, SrvData{0, srv_weight(count), port.port, target}});
          additional.push_back(a_record(target, endpoint.ip));
        }
      }
      if (!headless && service->cluster_ip != 0 && !service->ports.empty())
        additional.push_back(a_record(fqdn, service->cluster_ip));
    }
    if (answers.empty()) return no_data();
    return answer_with(std::move(answers), std::move(additional));
  }

  if (labels.size() == 3) {  // <hostname>.<svc>.<ns>.svc.<zone>
    std::vector<Record> answers;
    for (const auto& endpoint : service->endpoints)
      if (endpoint.hostname == labels[0]) answers.push_back(a_record(owner, endpoint.ip));
    if (answers.empty()) return nx_domain();
    if (!wants(question.type, type::A)) return no_data();
    return answer_with(std::move(answers));
  }

  // _<port>._<proto>.<svc>.<ns>.svc.<zone>
  if (labels[0].size() < 2 || labels[0][0] != '_' || labels[1].size() < 2 || labels[1][0] != '_')
    return nx_domain();
  const std::string port_name = labels[0].substr(1);
  const std::string protocol = labels[1].substr(1);
  const Port* port = nullptr;
  for (const auto& candidate : service->ports)
    if (candidate.name == port_name && candidate.protocol == protocol) port = &candidate;
  if (!port || (headless && service->endpoints.empty())) return nx_domain();
  if (!wants(question.type, type::SRV)) return no_data();
  std::vector<Record> answers;
  std::vector<Record> additional;
  if (!headless) {
    answers.push_back({owner, type::SRV, kClusterTtl, SrvData{0, 100, port->port, fqdn}});
    if (service->cluster_ip != 0) additional.push_back(a_record(fqdn, service->cluster_ip));
  } else {
    const uint16_t weight = srv_weight(service->endpoints.size());
    for (const auto& endpoint : service->endpoints) {
      auto own = endpoint.ports->find(port_name + "/" + protocol);
      const uint16_t number = own != endpoint.ports->end() ? own->second : port->port;
      const std::string target = endpoint.hostname + "." + fqdn;
      answers.push_back({owner, type::SRV, kClusterTtl, SrvData{0, weight, number, target}});
      additional.push_back(a_record(target, endpoint.ip));
    }
  }
  return answer_with(std::move(answers), std::move(additional));
}

ClusterAnswer ClusterRecords::answer_pod_name(const Question& question,
                                              const std::vector<std::string>& labels) const {
  if (labels.size() < 2) return no_data();  // pod.<zone>, <ns>.pod.<zone>
  if (labels.size() > 2) return nx_domain();
  auto ip = parse_dashed_ipv4(labels[0]);
  if (!ip) return nx_domain();
  if (!wants(question.type, type::A)) return no_data();
  return answer_with({a_record(question.name, *ip)});
}

ClusterAnswer ClusterRecords::answer_ptr(const Question& question,
                                         const std::string& lowered) const {
  auto found = reverse_.find(*parse_reverse_ipv4(lowered));
  if (found == reverse_.end() || !wants(question.type, type::PTR)) return {};  // Forward
  return answer_with({{question.name, type::PTR, kClusterTtl, NameData{found->second}}});
}

ClusterAnswer ClusterRecords::no_data() const {
  ClusterAnswer answer;
  answer.kind = ClusterAnswer::Kind::NoData;
  SoaData soa{"ns.dns." + domain_, "hostmaster." + domain_, serial_, 7200, 1800, 86400,
              kClusterTtl};
  answer.authority.push_back({domain_, type::SOA, kClusterTtl, soa});
  return answer;
}

ClusterAnswer ClusterRecords::nx_domain() const {
  ClusterAnswer answer = no_data();
  answer.kind = ClusterAnswer::Kind::NxDomain;
  return answer;
}

const ClusterRecords::Service* ClusterRecords::find(const std::string& namespace_name,
                                                    const std::string& name) const {
  auto found = services_.find(name + "." + namespace_name);
  return found == services_.end() ? nullptr : &found->second;
}

std::string ClusterRecords::service_fqdn(const std::string& namespace_name,
                                         const std::string& name) const {
  return name + "." + namespace_name + ".svc." + domain_;
}

}  // namespace skiff::agent::dns
