#pragma once
// The pure parts of `skiff token` (token_command.h): the --ttl syntax, the Secret a new token
// is stored as, the rows of `skiff token list`, and which token an argument of
// `skiff token delete` names. No I/O here, so all of it is unit-tested with a fixed clock.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "pkg/api/json.h"

namespace skiff::kubectl {

using TokenClock = std::chrono::system_clock;

// kubeadm's --ttl: a Go duration of h/m/s parts ("24h", "1h30m", "90m", "45s", "1.5h"), or "0"
// for a token that never expires. None, with `error` in words, for anything else (a bare
// number, a negative or fractional-second result, more than 100 years).
std::optional<std::chrono::seconds> parse_token_ttl(const std::string& text, std::string& error);

// The Secret for token `id`.`secret`, expiring `ttl` after `now` (ttl 0: never), usable for
// authentication, with `description` (omitted when empty).
Json new_token_secret(const std::string& id, const std::string& secret, std::chrono::seconds ttl,
                      const std::string& description, TokenClock::time_point now);

// `skiff token list`'s table: the header (TOKEN TTL EXPIRES USAGES DESCRIPTION) and one row per
// bootstrap token Secret in `secrets` (others are skipped). TOKEN is the id only (never the
// secret); TTL is the time left ("23h"), "<forever>" or "<expired>"; EXPIRES is RFC 3339 or
// "<never>"; a Secret that cannot be read shows "<invalid>" and why, so it can be deleted.
std::vector<std::vector<std::string>> token_table_rows(const Json& secrets,
                                                       TokenClock::time_point now);

// The token id in an argument of `skiff token delete`: the id ("abcdef"), the id.secret, or a
// full K10 join token. None when it is none of these.
std::optional<std::string> token_id_from_argument(const std::string& argument);

}  // namespace skiff::kubectl
