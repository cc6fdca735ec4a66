#include "server/security/cluster_certificates.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "pkg/log/log.h"

namespace skiff::security {

namespace fs = std::filesystem;

namespace {

constexpr unsigned kKeyMode = 0600;
constexpr unsigned kCertificateMode = 0644;
const std::chrono::seconds kLeafValidity = std::chrono::hours(24 * 365);

bool is_ip_address(const std::string& text) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Every IPv4 and global IPv6 address of this host's interfaces.
std::vector<std::string> host_addresses() {
  std::vector<std::string> addresses;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return addresses;
  for (ifaddrs* entry = list; entry; entry = entry->ifa_next) {
    if (!entry->ifa_addr) continue;
    char text[INET6_ADDRSTRLEN] = {};
    if (entry->ifa_addr->sa_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(entry->ifa_addr)->sin_addr, text,
                sizeof text);
    } else if (entry->ifa_addr->sa_family == AF_INET6) {
      const auto* address = &reinterpret_cast<sockaddr_in6*>(entry->ifa_addr)->sin6_addr;
      if (IN6_IS_ADDR_LINKLOCAL(address)) continue;  // needs a zone; no client dials it
      inet_ntop(AF_INET6, address, text, sizeof text);
    } else {
      continue;
    }
    addresses.emplace_back(text);
  }
  freeifaddrs(list);
  return addresses;
}

void add_unique(std::vector<std::string>& list, const std::string& value) {
  if (!value.empty() && std::find(list.begin(), list.end(), value) == list.end())
    list.push_back(value);
}

bool names_cover(const pki::CertificateInfo& certificate, const ServingNames& names) {
  auto covers = [](const std::vector<std::string>& have, const std::vector<std::string>& want) {
    return std::all_of(want.begin(), want.end(), [&](const std::string& name) {
      return std::find(have.begin(), have.end(), name) != have.end();
    });
  };
  return covers(certificate.dns_names, names.dns_names) &&
         covers(certificate.ip_addresses, names.ip_addresses);
}

// A CA: loaded when both files exist, created (both) when neither does. One without the other
// is refused rather than silently replaced: every certificate it signed would stop verifying.
pki::KeyPair ensure_ca(const std::string& cert_path, const std::string& key_path,
                       const std::string& common_name) {
  const bool have_cert = fs::exists(cert_path), have_key = fs::exists(key_path);
  if (have_cert && have_key) {
    pki::KeyPair ca{pki::read_file(key_path), pki::read_file(cert_path)};
    pki::check_key_matches(ca.key_pem, ca.certificate_pem);
    return ca;
  }
  if (have_cert || have_key)
    throw pki::PkiError("only one of " + cert_path + " and " + key_path +
                        " exists; restore the other (a new CA would invalidate every "
                        "certificate the cluster has issued)");
  pki::KeyPair ca = pki::create_ca(common_name);
  pki::write_file(key_path, ca.key_pem, kKeyMode);
  pki::write_file(cert_path, ca.certificate_pem, kCertificateMode);
  log::info("created a certificate authority", {{"path", cert_path}, {"name", common_name}});
  return ca;
}

// A leaf: issued (keeping an existing key) when missing, not signed by `ca`, due for renewal,
// or not satisfying `satisfied`; else loaded as is.
template <class Satisfied>
pki::KeyPair ensure_leaf(const pki::KeyPair& ca, const std::string& cert_path,
                         const std::string& key_path, pki::LeafRequest request,
                         pki::Clock::time_point now, std::chrono::seconds window,
                         Satisfied satisfied) {
  std::string key_pem = fs::exists(key_path) ? pki::read_file(key_path) : "";
  if (fs::exists(cert_path) && !key_pem.empty()) {
    pki::KeyPair leaf{key_pem, pki::read_file(cert_path)};
    std::string why;
    try {
      pki::check_key_matches(leaf.key_pem, leaf.certificate_pem);
      why = pki::verify(leaf.certificate_pem, ca.certificate_pem, now);
      const pki::CertificateInfo info = pki::inspect(leaf.certificate_pem);
      if (why.empty() && pki::needs_renewal(info, now, window)) why = "expires within the window";
      if (why.empty() && !satisfied(info)) why = "names changed";
    } catch (const pki::PkiError& e) {
      why = e.what();
      key_pem.clear();  // a key that does not match is not worth keeping
    }
    if (why.empty()) return leaf;
    log::info("renewing a certificate", {{"path", cert_path}, {"reason", why}});
  }
  request.key_pem = key_pem;
  request.validity = kLeafValidity;
  pki::KeyPair leaf = pki::issue(ca, request);
  // The key first: a reader that sees the new certificate then finds its key.
  if (key_pem.empty()) pki::write_file(key_path, leaf.key_pem, kKeyMode);
  pki::write_file(cert_path, leaf.certificate_pem, kCertificateMode);
  return leaf;
}

pki::LeafRequest serving_request(const ServingNames& names) {
  pki::LeafRequest request;
  request.subject.common_name = "skiff-apiserver";
  request.usage = pki::Usage::ServerAuth;
  request.dns_names = names.dns_names;
  request.ip_addresses = names.ip_addresses;
  return request;
}

pki::LeafRequest admin_request() {
  pki::LeafRequest request;
  request.subject = {"system:admin", {"system:masters"}};
  request.usage = pki::Usage::ClientAuth;
  return request;
}

}  // namespace

ServerTlsFiles server_tls_files(const std::string& data_dir) {
  const std::string dir = (fs::path(data_dir) / "server" / "tls").string();
  auto file = [&](const char* name) { return (fs::path(dir) / name).string(); };
  return {dir,
          file("server-ca.crt"),
          file("server-ca.key"),
          file("client-ca.crt"),
          file("client-ca.key"),
          file("serving-kube-apiserver.crt"),
          file("serving-kube-apiserver.key"),
          file("client-admin.crt"),
          file("client-admin.key")};
}

ServingNames default_serving_names(const std::string& kubernetes_service_ip,
                                   const std::string& cluster_domain,
                                   const std::vector<std::string>& extra) {
  ServingNames names;
  char hostname[256] = {};
  if (gethostname(hostname, sizeof hostname - 1) == 0) add_unique(names.dns_names, lower(hostname));
  for (const char* name :
       {"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"})
    add_unique(names.dns_names, name);
  add_unique(names.dns_names, "kubernetes.default.svc." + cluster_domain);
  add_unique(names.ip_addresses, "127.0.0.1");
  add_unique(names.ip_addresses, kubernetes_service_ip);
  for (const auto& address : host_addresses()) add_unique(names.ip_addresses, address);
  for (const auto& name : extra) {
    if (is_ip_address(name))
      add_unique(names.ip_addresses, name);
    else
      add_unique(names.dns_names, lower(name));
  }
  return names;
}

ClusterCertificates::ClusterCertificates(std::string data_dir, ServingNames names,
                                         std::chrono::seconds renew_window)
    : data_dir_(std::move(data_dir)),
      names_(std::move(names)),
      renew_window_(renew_window),
      files_(server_tls_files(data_dir_)) {
  material_ = std::make_shared<const TlsMaterial>(ensure_and_load(pki::Clock::now()));
}

TlsMaterial ClusterCertificates::ensure_and_load(pki::Clock::time_point now) {
  TlsMaterial material;
  material.server_ca = ensure_ca(files_.server_ca_cert, files_.server_ca_key, "skiff-server-ca");
  material.client_ca = ensure_ca(files_.client_ca_cert, files_.client_ca_key, "skiff-client-ca");
  material.serving =
      ensure_leaf(material.server_ca, files_.serving_cert, files_.serving_key,
                  serving_request(names_), now, renew_window_,
                  [this](const pki::CertificateInfo& info) { return names_cover(info, names_); });
  material.admin =
      ensure_leaf(material.client_ca, files_.admin_cert, files_.admin_key, admin_request(), now,
                  renew_window_, [](const pki::CertificateInfo&) { return true; });
  return material;
}

std::vector<std::string> ClusterCertificates::refresh(pki::Clock::time_point now) {
  auto fresh = std::make_shared<const TlsMaterial>(ensure_and_load(now));
  std::lock_guard lock(mutex_);
  std::vector<std::string> changed;
  if (fresh->server_ca.certificate_pem != material_->server_ca.certificate_pem ||
      fresh->client_ca.certificate_pem != material_->client_ca.certificate_pem)
    changed.push_back("ca");
  if (fresh->serving.certificate_pem != material_->serving.certificate_pem ||
      fresh->serving.key_pem != material_->serving.key_pem)
    changed.push_back("serving");
  if (fresh->admin.certificate_pem != material_->admin.certificate_pem ||
      fresh->admin.key_pem != material_->admin.key_pem)
    changed.push_back("admin");
  if (!changed.empty()) material_ = std::move(fresh);
  return changed;
}

std::shared_ptr<const TlsMaterial> ClusterCertificates::material() const {
  std::lock_guard lock(mutex_);
  return material_;
}

std::string ClusterCertificates::issue_node_certificate(const std::string& node,
                                                        const std::string& public_key_pem) const {
  pki::LeafRequest request;
  request.subject = {"system:node:" + node, {"system:nodes"}};
  request.usage = pki::Usage::ClientAuth;
  request.validity = kLeafValidity;
  return pki::issue_for_public_key(material()->client_ca, public_key_pem, request);
}

std::vector<std::string> rotate_leaf_certificates(const std::string& data_dir) {
  const ServerTlsFiles files = server_tls_files(data_dir);
  if (!fs::exists(files.server_ca_cert) || !fs::exists(files.client_ca_cert))
    throw pki::PkiError("no cluster certificates under " + files.dir +
                        " (has `skiff server` run with this --data-dir?)");
  const pki::KeyPair server_ca{pki::read_file(files.server_ca_key),
                               pki::read_file(files.server_ca_cert)};
  const pki::KeyPair client_ca{pki::read_file(files.client_ca_key),
                               pki::read_file(files.client_ca_cert)};
  ServingNames names;
  if (fs::exists(files.serving_cert)) {
    const pki::CertificateInfo current = pki::inspect(pki::read_file(files.serving_cert));
    names = {current.dns_names, current.ip_addresses};
  }
  pki::LeafRequest serving = serving_request(names);
  serving.validity = kLeafValidity;
  pki::LeafRequest admin = admin_request();
  admin.validity = kLeafValidity;
  const pki::KeyPair new_serving = pki::issue(server_ca, serving);
  const pki::KeyPair new_admin = pki::issue(client_ca, admin);
  // Certificate and key are replaced one after the other; a server reading in between finds a
  // pair that does not match and keeps what it serves until its next refresh.
  pki::write_file(files.serving_key, new_serving.key_pem, kKeyMode);
  pki::write_file(files.serving_cert, new_serving.certificate_pem, kCertificateMode);
  pki::write_file(files.admin_key, new_admin.key_pem, kKeyMode);
  pki::write_file(files.admin_cert, new_admin.certificate_pem, kCertificateMode);
  return {files.serving_cert, files.admin_cert};
}

std::vector<CertificateFileStatus> check_certificate_files(const std::string& data_dir) {
  const ServerTlsFiles files = server_tls_files(data_dir);
  std::vector<CertificateFileStatus> result;
  const std::string agent_cert = (fs::path(data_dir) / "agent" / "client-node.crt").string();
  const std::pair<std::string, std::string> checks[] = {
      {files.server_ca_cert, files.server_ca_cert},
      {files.client_ca_cert, files.client_ca_cert},
      {files.serving_cert, files.server_ca_cert},
      {files.admin_cert, files.client_ca_cert},
      {agent_cert, ""},
  };
  for (const auto& [path, issuer] : checks) {
    if (!fs::exists(path)) continue;
    CertificateFileStatus status;
    status.path = path;
    try {
      const std::string pem = pki::read_file(path);
      const pki::CertificateInfo info = pki::inspect(pem);
      status.subject = info.subject.common_name;
      status.not_after = info.not_after;
      if (!issuer.empty()) status.problem = pki::verify(pem, pki::read_file(issuer));
    } catch (const pki::PkiError& e) {
      status.problem = e.what();
    }
    result.push_back(std::move(status));
  }
  return result;
}

}  // namespace skiff::security
