#include "pkg/kubectl/token_command.h"

#include <iostream>

#include "pkg/api/bootstrap_token_secret.h"
#include "pkg/kubectl/bootstrap_tokens.h"
#include "pkg/kubectl/context.h"
#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/tabwriter.h"
#include "pkg/pki/join_token.h"
#include "pkg/pki/pki.h"

namespace skiff::kubectl {
namespace {

constexpr const char* kTokenUsage =
    "Usage:\n"
    "  skiff token create [--ttl 24h] [--description TEXT]   make a join token and print it\n"
    "  skiff token list                                      list join tokens (ids only)\n"
    "  skiff token delete ID...                              delete tokens (id, id.secret or "
    "the full token)\n";

constexpr int kIdLength = 6;
constexpr int kSecretLength = 16;

const std::string kSecretsPath =
    std::string("/api/v1/namespaces/") + api::kBootstrapTokenNamespace + "/secrets";

// A bad command line: said on stderr with the usage; exit code 2.
class CommandLineError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The server's CA bundle hash, from the exact bytes of GET /cacerts.
std::string server_ca_hash(ApiClient& api) {
  http::ClientResponse response = api.send("GET", "/cacerts");
  if (response.status != 200 || response.body.empty())
    throw usage_error("cannot read the server's CA bundle from " + api.server() +
                      "/cacerts (HTTP " + std::to_string(response.status) +
                      "); a join token needs it");
  return pki::sha256_hex(response.body);
}

int create(Context& context, std::chrono::seconds ttl, const std::string& description) {
  ApiClient& api = context.api();
  const std::string ca_hash = server_ca_hash(api);  // first: a failure leaves no Secret behind
  // Two random ids colliding is a one in two billion event; try a few times rather than fail.
  for (int attempt = 1;; ++attempt) {
    std::string id = pki::random_token_chars(kIdLength);
    std::string secret = pki::random_token_chars(kSecretLength);
    try {
      api.call("POST", kSecretsPath,
               new_token_secret(id, secret, ttl, description, TokenClock::now()),
               "application/json", "create bootstrap token");
    } catch (const ServerError& e) {
      if (e.reason() == "AlreadyExists" && attempt < 3) continue;
      throw;
    }
    context.out << pki::JoinToken{ca_hash, id + "." + secret}.str() << "\n";
    return 0;
  }
}

int list(Context& context) {
  Json secrets =
      context.api().get(kSecretsPath + "?fieldSelector=type%3D" + "bootstrap.kubernetes.io%2Ftoken",
                        "list bootstrap tokens");
  auto rows = token_table_rows(secrets.value("items", Json::array()), TokenClock::now());
  if (rows.size() == 1) {
    context.err << "No bootstrap tokens found.\n";
    return 0;
  }
  context.out << align_rows(rows, kTableStyle);
  return 0;
}

int remove(Context& context, const std::vector<std::string>& arguments) {
  std::vector<std::string> ids;
  for (size_t i = 0; i < arguments.size(); ++i) {
    auto id = token_id_from_argument(arguments[i]);
    // The argument is not quoted: it may be a mistyped secret.
    if (!id)
      throw CommandLineError("argument " + std::to_string(i + 1) +
                             " is not a token id (6 of a-z0-9), id.secret or K10 token");
    ids.push_back(*id);
  }
  int code = 0;
  for (const auto& id : ids) {
    try {
      context.api().call("DELETE", kSecretsPath + "/" + api::bootstrap_token_secret_name(id),
                         Json::object(), "application/json", "delete bootstrap token " + id);
      context.out << "bootstrap token \"" << id << "\" deleted\n";
    } catch (const ServerError& e) {
      if (!e.not_found()) throw;
      context.err << "error: bootstrap token \"" << id << "\" not found\n";
      code = 1;
    }
  }
  return code;
}

int run(const std::vector<std::string>& args) {
  util::Flags flags;
  add_global_flags(flags);
  flags.add_string("ttl", "24h",
                   "create: how long the token is valid (e.g. 24h, 1h30m; 0 = never expires)");
  flags.add_string("description", "", "create: what the token is for, shown by list");
  try {
    flags.parse(args);
  } catch (const util::FlagError& e) {
    throw CommandLineError(e.what());
  }
  if (flags.get_bool("help")) {
    std::cout << kTokenUsage << "\nOptions:\n" << flags.usage();
    return 0;
  }
  const auto& words = flags.positional();
  if (words.empty()) throw CommandLineError("missing token command");
  const std::string& command = words[0];
  const std::vector<std::string> arguments(words.begin() + 1, words.end());
  if (command != "create" && (flags.was_set("ttl") || flags.was_set("description")))
    throw CommandLineError("--ttl and --description are for `skiff token create` only");

  if (command == "create") {
    if (!arguments.empty()) throw CommandLineError("token create takes no arguments");
    std::string error;
    auto ttl = parse_token_ttl(flags.get_string("ttl"), error);
    if (!ttl) throw CommandLineError(error);
    Context context(flags, std::cout, std::cerr);
    return create(context, *ttl, flags.get_string("description"));
  }
  if (command == "list") {
    if (!arguments.empty()) throw CommandLineError("token list takes no arguments");
    Context context(flags, std::cout, std::cerr);
    return list(context);
  }
  if (command == "delete") {
    if (arguments.empty()) throw CommandLineError("token delete needs at least one token id");
    Context context(flags, std::cout, std::cerr);
    return remove(context, arguments);
  }
  throw CommandLineError("unknown token command \"" + command + "\"");
}

}  // namespace

int token_command(const std::vector<std::string>& args) {
  return exit_code_reporting_errors([&] {
    try {
      return run(args);
    } catch (const CommandLineError& e) {
      std::cerr << "error: " << e.what() << "\n" << kTokenUsage;
      return 2;
    }
  });
}

}  // namespace skiff::kubectl
