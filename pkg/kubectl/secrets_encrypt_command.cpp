#include "pkg/kubectl/secrets_encrypt_command.h"

#include <iostream>

#include "pkg/kubectl/context.h"
#include "pkg/kubectl/errors.h"

namespace skiff::kubectl {
namespace {

constexpr const char* kSecretsEncryptUsage =
    "Usage:\n"
    "  skiff secrets-encrypt status        show whether Secrets are encrypted, and with which "
    "key\n"
    "  skiff secrets-encrypt rotate-keys   make a new key, re-encrypt every Secret with it, "
    "drop the old keys\n";

void print_status(const Json& status, std::ostream& out) {
  const Json& secrets = status.at("secrets");
  out << "Encryption Status: Enabled\n"
      << "Current Key: " << status.at("currentKey").get<std::string>() << "\n"
      << "Secrets: " << secrets.at("total").get<size_t>() << " ("
      << secrets.at("plaintext").get<size_t>() << " not encrypted";
  for (const auto& [name, count] : secrets.at("byKey").items())
    out << ", " << count.get<size_t>() << " with " << name;
  out << ")\n\nActive  Key Type  Name\n------  --------  ----\n";
  const std::string current = status.at("currentKey").get<std::string>();
  for (const auto& key : status.at("keys")) {
    const std::string name = key.get<std::string>();
    out << (name == current ? " *      " : "        ") << "AES-GCM   " << name << "\n";
  }
}

void print_rotation(const Json& result, std::ostream& out) {
  out << "keys rotated: " << result.at("reencrypted").get<size_t>() << " of "
      << result.at("secrets").get<size_t>() << " secrets re-encrypted with "
      << result.at("newKey").get<std::string>();
  const Json& removed = result.at("removedKeys");
  if (!removed.empty()) {
    out << "; removed key" << (removed.size() > 1 ? "s" : "");
    for (const auto& name : removed) out << " " << name.get<std::string>();
  }
  out << "\n";
}

}  // namespace

int secrets_encrypt_command(const std::vector<std::string>& args) {
  util::Flags flags;
  add_global_flags(flags);
  try {
    flags.parse(args);
  } catch (const util::FlagError& e) {
    std::cerr << "error: " << e.what() << "\n" << kSecretsEncryptUsage;
    return 1;
  }
  const auto& words = flags.positional();
  if (flags.get_bool("help")) {
    std::cout << kSecretsEncryptUsage << "\nOptions:\n" << flags.usage();
    return 0;
  }
  if (words.size() != 1 || (words[0] != "status" && words[0] != "rotate-keys")) {
    std::cerr << "error: " << (words.empty() ? "missing" : "unknown") << " secrets-encrypt command"
              << (words.empty() ? "" : " \"" + words[0] + "\"") << "\n"
              << kSecretsEncryptUsage;
    return 1;
  }
  Context context(flags, std::cout, std::cerr);
  return exit_code_reporting_errors([&] {
    const std::string path = "/v1-skiff/secrets-encrypt/" + words[0];
    if (words[0] == "status") {
      print_status(context.api().get(path, "get secrets-encrypt status"), std::cout);
    } else {
      print_rotation(context.api().call("POST", path, Json::object(), "application/json",
                                        "secrets-encrypt rotate-keys"),
                     std::cout);
    }
    return 0;
  });
}

}  // namespace skiff::kubectl
