#include "agent/nodeclient/node_identity.h"

#include <filesystem>

#include "pkg/api/json.h"
#include "pkg/http/client.h"
#include "pkg/log/log.h"
#include "pkg/pki/pki.h"

namespace skiff::agent::nodeclient {

namespace fs = std::filesystem;

namespace {

constexpr const char* kKeyFile = "client-node.key";
constexpr const char* kCertificateFile = "client-node.crt";
constexpr const char* kCaFile = "server-ca.crt";

std::string read_if_exists(const fs::path& path) {
  return fs::exists(path) ? pki::read_file(path.string()) : "";
}

std::string base_url(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

NodeIdentity::NodeIdentity(std::string agent_dir, std::string server_url, pki::JoinToken token,
                           std::string node_name)
    : dir_(std::move(agent_dir)),
      server_url_(base_url(std::move(server_url))),
      token_(std::move(token)),
      node_name_(std::move(node_name)) {}

NodeCredentials NodeIdentity::load_saved() const {
  return {read_if_exists(fs::path(dir_) / kCaFile),
          read_if_exists(fs::path(dir_) / kCertificateFile),
          read_if_exists(fs::path(dir_) / kKeyFile)};
}

std::string NodeIdentity::fetch_verified_ca() const {
  // Nothing is trusted yet: the hash check below is what makes this answer trustworthy.
  http::ClientOptions options;
  options.insecure_skip_tls_verify = true;
  options.connect_timeout = std::chrono::seconds(5);
  options.request_timeout = std::chrono::seconds(10);
  http::HttpClient client(options);
  const http::ClientResponse response = client.request("GET", server_url_ + "/cacerts");
  if (response.status != 200)
    throw std::runtime_error("GET " + server_url_ + "/cacerts answered " +
                             std::to_string(response.status));
  const std::string hash = pki::sha256_hex(response.body);
  if (hash != token_.ca_hash)
    throw JoinRefused("refusing to join " + server_url_ + ": its CA certificate has SHA-256 " +
                      hash + " but the token pins " + token_.ca_hash +
                      " (a token of another cluster, a typo, or someone between this node and "
                      "the server; copy the token again from <data-dir>/server/node-token)");
  return response.body;
}

std::string NodeIdentity::request_certificate(const NodeCredentials& credentials,
                                              bool with_certificate) const {
  http::ClientOptions options;
  options.ca_pem = credentials.ca_pem;
  options.connect_timeout = std::chrono::seconds(5);
  options.request_timeout = std::chrono::seconds(15);
  if (with_certificate) {
    options.client_cert_pem = credentials.certificate_pem;
    options.client_key_pem = credentials.key_pem;
  } else {
    options.bearer_token = token_.credential;
  }
  http::HttpClient client(options);
  const Json body{{"nodeName", node_name_},
                  {"csr", pki::create_csr(credentials.key_pem,
                                          {"system:node:" + node_name_, {"system:nodes"}})}};
  const http::ClientResponse response =
      client.request("POST", server_url_ + "/v1-skiff/node-certificate", body.dump(),
                     {{"Content-Type", "application/json"}});
  std::string message;
  try {
    const Json answer = Json::parse(response.body);
    if (response.status == 200) return answer.at("certificate").get<std::string>();
    message = answer.value("message", response.body);
  } catch (const std::exception&) {
    message = response.body;
  }
  if (response.status == 401 || response.status == 400)
    throw JoinRefused("the server refused to give node \"" + node_name_ +
                      "\" a certificate: " + message);
  throw std::runtime_error("asking for a node certificate: the server answered " +
                           std::to_string(response.status) + ": " + message);
}

NodeCredentials NodeIdentity::ensure() {
  std::lock_guard lock(mutex_);
  NodeCredentials saved = load_saved();
  const auto now = pki::Clock::now();
  if (!saved.certificate_pem.empty() && !saved.key_pem.empty() &&
      pki::sha256_hex(saved.ca_pem) == token_.ca_hash) {
    try {
      pki::check_key_matches(saved.key_pem, saved.certificate_pem);
      const pki::CertificateInfo info = pki::inspect(saved.certificate_pem);
      if (info.subject.common_name == "system:node:" + node_name_ && now < info.not_after)
        return saved;
    } catch (const pki::PkiError& e) {
      log::warn("the saved node certificate is unusable; joining again", {{"error", e.what()}});
    }
  }
  NodeCredentials joined;
  joined.ca_pem = fetch_verified_ca();
  joined.key_pem = saved.key_pem;
  try {
    if (!joined.key_pem.empty()) pki::check_key_matches(joined.key_pem, saved.certificate_pem);
  } catch (const pki::PkiError&) {
    joined.key_pem.clear();  // a key with a stranger's certificate: make a new pair
  }
  if (joined.key_pem.empty() || saved.certificate_pem.empty()) joined.key_pem = pki::generate_key();
  joined.certificate_pem = request_certificate(joined, /*with_certificate=*/false);
  pki::write_file((fs::path(dir_) / kKeyFile).string(), joined.key_pem, 0600);
  pki::write_file((fs::path(dir_) / kCaFile).string(), joined.ca_pem, 0644);
  pki::write_file((fs::path(dir_) / kCertificateFile).string(), joined.certificate_pem, 0644);
  log::info("joined: node certificate issued", {{"node", node_name_}, {"server", server_url_}});
  return joined;
}

bool NodeIdentity::renew_if_due(bool force) {
  NodeCredentials current = ensure();
  std::lock_guard lock(mutex_);
  if (!force && !pki::needs_renewal(pki::inspect(current.certificate_pem), pki::Clock::now()))
    return false;
  current.certificate_pem = request_certificate(current, /*with_certificate=*/true);
  pki::write_file((fs::path(dir_) / kCertificateFile).string(), current.certificate_pem, 0644);
  log::info("node certificate renewed", {{"node", node_name_}});
  return true;
}

}  // namespace skiff::agent::nodeclient
