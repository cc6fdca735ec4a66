#include "server/encryption/keyring.h"

#include "pkg/api/base64.h"
#include "server/encryption/aes_gcm.h"

namespace skiff::encryption {

Keyring::Keyring(std::vector<EncryptionKey> keys) : keys_(std::move(keys)) {
  if (keys_.empty()) throw EncryptionConfigError("a keyring needs at least one key");
}

std::string Keyring::seal(std::string_view plaintext, std::string_view associated_data) const {
  const EncryptionKey& key = keys_.front();
  std::string envelope(kAesGcmPrefix);
  envelope += key.name;
  envelope += ':';
  envelope += api::base64_encode(aes_gcm_seal(key.secret, plaintext, associated_data));
  return envelope;
}

std::string envelope_key_name(std::string_view envelope) {
  if (!envelope.starts_with(kAesGcmPrefix)) return "";
  // The base64 tail has no ':', so the name (which may contain ':') ends at the last one.
  const std::string_view rest = envelope.substr(kAesGcmPrefix.size());
  const size_t colon = rest.rfind(':');
  return colon == std::string_view::npos ? "" : std::string(rest.substr(0, colon));
}

std::string Keyring::open(std::string_view envelope, std::string_view associated_data,
                          const std::string& storage_key) const {
  const std::string what = "cannot decrypt " + storage_key + ": ";
  if (!envelope.starts_with(kAesGcmPrefix)) {
    const size_t end = envelope.find(':', kEnvelopePrefix.size());
    throw DecryptionError(
        what + "it is encrypted with provider \"" +
        std::string(envelope.substr(kEnvelopePrefix.size(), end - kEnvelopePrefix.size())) +
        "\", which skiff does not support (only aesgcm)");
  }
  const std::string name = envelope_key_name(envelope);
  if (name.empty()) throw DecryptionError(what + "malformed aesgcm envelope (no key name)");
  for (const auto& key : keys_) {
    if (key.name != name) continue;
    const std::string_view tail = envelope.substr(kAesGcmPrefix.size() + name.size() + 1);
    auto sealed = api::base64_decode(tail);
    if (!sealed) throw DecryptionError(what + "malformed aesgcm envelope (bad base64)");
    try {
      return aes_gcm_open(key.secret, *sealed, associated_data);
    } catch (const CipherError& error) {
      throw DecryptionError(what + "key \"" + name + "\": " + error.what());
    }
  }
  throw DecryptionError(what + "it is encrypted with key \"" + name +
                        "\", which is not in the encryption configuration");
}

}  // namespace skiff::encryption
