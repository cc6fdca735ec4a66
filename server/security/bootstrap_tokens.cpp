#include "server/security/bootstrap_tokens.h"

#include "pkg/api/bootstrap_token_secret.h"
#include "pkg/api/resources.h"
#include "pkg/api/time.h"

namespace skiff::security {

std::string check_bootstrap_token(store::Store& store, const pki::BootstrapToken& token,
                                  std::chrono::system_clock::time_point now) {
  const std::string quoted_id = "\"" + token.id + "\"";
  const api::ResourceInfo* secrets = api::find_resource("", "v1", "secrets");
  store::ObjectPtr object = store.get(
      secrets->key(api::kBootstrapTokenNamespace, api::bootstrap_token_secret_name(token.id)));
  if (!object) return "unknown token " + quoted_id;

  std::string error;
  auto stored = api::read_bootstrap_token_secret(*object, error);
  if (!stored) return "token " + quoted_id + " is not usable: " + error;
  // The Secret's name is the id; a token-id that differs means someone wrote it by hand.
  if (stored->id != token.id) return "token " + quoted_id + " is not usable: its token-id differs";
  if (!pki::same_secret(stored->secret, token.secret)) return "wrong secret for token " + quoted_id;

  if (!stored->usable_for("authentication"))
    return "token " + quoted_id + " may not be used for authentication";
  const Json& metadata = object->value("metadata", Json::object());
  if (metadata.contains("deletionTimestamp") && !metadata["deletionTimestamp"].is_null())
    return "token " + quoted_id + " is being deleted";
  if (stored->expiration && *stored->expiration <= now)
    return "token " + quoted_id + " expired at " + api::format_rfc3339(*stored->expiration);
  return "";
}

}  // namespace skiff::security
