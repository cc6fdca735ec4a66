#pragma once
// The query parameters of list and watch: label/field selectors, limit/continue.
#include <cstdint>
#include <functional>
#include <string>

#include "pkg/api/json.h"
#include "pkg/api/selectors.h"
#include "server/apiserver/request_context.h"

namespace skiff::apiserver {

struct ListQuery {
  api::LabelSelector labels;
  api::FieldSelector fields;
  size_t limit = 0;
  std::string continue_after_key;  // from the continue token
  bool matches(const Json& object) const;
  bool filters() const { return !labels.empty() || !fields.empty(); }
};

// 400 on malformed selectors, limit or continue token.
ListQuery parse_list_query(const RequestContext& context);

// The continue token is opaque to clients: base64 of {"key": <last key returned>}. Pages are not
// a consistent snapshot: each page reads the latest data after the previous page's last key.
std::string encode_continue_token(const std::string& last_key);
std::string decode_continue_token(const std::string& token);

// Where a list/watch of this context reads: one namespace or all of them.
std::string list_prefix(const RequestContext& context);

}  // namespace skiff::apiserver
