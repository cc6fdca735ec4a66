#include "server/encryption/secrets_encrypt_handler.h"

#include "pkg/api/errors.h"
#include "pkg/log/log.h"
#include "server/apiserver/responses.h"

namespace skiff::encryption {
namespace {

http::Response answer(const std::string& method, const std::string& verb,
                      SecretsEncryption* encryption) {
  const char* wanted = verb == "status" ? "GET" : verb == "rotate-keys" ? "POST" : nullptr;
  if (!wanted)
    throw api::not_found_path("unknown secrets-encrypt operation \"" + verb +
                              "\" (status, rotate-keys)");
  if (method != wanted)
    throw api::method_not_allowed("secrets-encrypt " + verb + " takes " + wanted + ", not " +
                                  method);
  if (!encryption)
    throw api::bad_request(
        "secrets encryption is not enabled on this server (start it with --secrets-encryption)");
  if (verb == "status") return apiserver::json_response(200, to_json(encryption->status()));
  return apiserver::json_response(200, to_json(encryption->rotate_keys()));
}

}  // namespace

bool is_secrets_encrypt_path(const std::string& path) {
  return path.rfind(kSecretsEncryptPathPrefix, 0) == 0;
}

http::Response handle_secrets_encrypt(const http::Request& request, SecretsEncryption* encryption) {
  const std::string verb = request.path.substr(std::string(kSecretsEncryptPathPrefix).size());
  try {
    return answer(request.method, verb, encryption);
  } catch (const api::ApiError& error) {
    return apiserver::error_response(error);
  } catch (const std::exception& error) {
    log::error("secrets-encrypt failed", {{"operation", verb}, {"error", error.what()}});
    return apiserver::error_response(
        api::internal_error("secrets-encrypt " + verb + " failed: " + error.what()));
  }
}

}  // namespace skiff::encryption
