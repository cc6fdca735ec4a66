#include "server/security/node_join.h"

#include "pkg/api/errors.h"
#include "pkg/api/json.h"
#include "pkg/api/validation.h"
#include "pkg/log/log.h"
#include "pkg/pki/pki.h"
#include "server/security/user_info.h"

namespace skiff::security {

namespace {

http::Response error(const api::ApiError& e) {
  return http::Response{static_cast<unsigned>(e.code()),
                        {{"Content-Type", "application/json"}},
                        e.to_status().dump()};
}

}  // namespace

NodeJoin::NodeJoin(const ClusterCertificates& certificates, NodeIdentities& identities,
                   std::string server_credential, BootstrapTokenCheck bootstrap_tokens)
    : certificates_(certificates),
      identities_(identities),
      server_credential_(std::move(server_credential)),
      bootstrap_tokens_(std::move(bootstrap_tokens)) {}

std::string NodeJoin::authenticate(const http::Request& request, const std::string& node) const {
  if (request.client_identity) {
    const std::string own = std::string(kNodeUserPrefix) + node;
    if (request.client_identity->common_name == own)
      return identities_.check(node, request.client_identity->not_before);
    return "the client certificate of \"" + request.client_identity->common_name +
           "\" cannot get a certificate for node \"" + node + "\"";
  }
  const std::string authorization = request.header("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (!authorization.starts_with(kBearer))
    return "joining needs the join token (Authorization: Bearer) or the node's certificate";
  const std::string credential = authorization.substr(kBearer.size());
  if (pki::same_secret(credential, server_credential_)) return "";
  if (auto bootstrap = pki::parse_bootstrap_token(credential)) {
    if (!bootstrap_tokens_) return "bootstrap tokens are not accepted by this server";
    const std::string why = bootstrap_tokens_(*bootstrap);
    return why.empty() ? "" : "the join token is not valid: " + why;
  }
  return "the join token is not valid for this server (see <data-dir>/server/node-token on the "
         "server, or make one with `skiff token create`)";
}

http::Response NodeJoin::handle(const http::Request& request) const {
  if (request.method != "POST")
    return error(
        api::method_not_allowed("only POST is served on " + std::string(kNodeCertificatePath)));
  Json body;
  try {
    body = Json::parse(request.body);
  } catch (const std::exception&) {
    return error(api::bad_request("the body must be JSON: {\"nodeName\": ..., \"csr\": ...}"));
  }
  if (!body.is_object() || !body.value("nodeName", Json()).is_string() ||
      !body.value("csr", Json()).is_string())
    return error(api::bad_request("the body must have the strings nodeName and csr"));
  const std::string node = body["nodeName"].get<std::string>();
  if (auto problems = api::validate_dns1123_subdomain(node); !problems.empty())
    return error(api::bad_request("nodeName \"" + node +
                                  "\" is not a valid node name: " + problems.front()));
  if (const std::string why = authenticate(request, node); !why.empty()) {
    log::warn("node join refused",
              {{"node", node}, {"from", request.remote_address}, {"why", why}});
    return error(api::unauthorized(why));
  }
  std::string certificate;
  try {
    const pki::CsrContents csr = pki::read_csr(body["csr"].get<std::string>());
    certificate = certificates_.issue_node_certificate(node, csr.public_key_pem);
  } catch (const pki::PkiError& e) {
    return error(
        api::bad_request(std::string("the certificate request is not usable: ") + e.what()));
  }
  const bool renewal = request.client_identity.has_value();
  if (!renewal) {
    try {
      identities_.joined(node, pki::inspect(certificate).not_before);
    } catch (const std::exception& e) {
      log::error("cannot record the node's new identity", {{"node", node}, {"error", e.what()}});
      return error(
          api::internal_error("cannot record the node's new identity: " + std::string(e.what())));
    }
  }
  log::info("node certificate issued",
            {{"node", node}, {"from", request.remote_address}, {"renewal", renewal}});
  Json answer{{"certificate", certificate},
              {"caBundle", certificates_.material()->server_ca.certificate_pem}};
  return http::Response{200, {{"Content-Type", "application/json"}}, answer.dump()};
}

}  // namespace skiff::security
