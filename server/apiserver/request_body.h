#pragma once
// Decoding request bodies by Content-Type: JSON, YAML (`application/yaml`) and Kubernetes
// protobuf (`application/vnd.kubernetes.protobuf`). Anything else is 415; a body that does not
// parse is 400 with the parser's message.
#include <optional>
#include <string>

#include "pkg/api/json.h"
#include "pkg/http/request.h"

namespace skiff::apiserver {

// The media type without parameters, lower-cased ("application/json").
std::string media_type(const std::string& content_type);

// An object body for create/update. Must decode to a JSON object.
Json decode_object_body(http::Request& request);
// The request has a body: text, or an in-process caller's object.
bool has_body(const http::Request& request);
// An in-process caller's object (http::Request::object_body), taken out of the request; nullopt
// when the body is text.
std::optional<Json> take_object_body(http::Request& request);

// Parses JSON text; 400 `<what>: <parser message>` when malformed.
Json parse_json_body(const std::string& text, const std::string& what);
// One YAML (or JSON) document; 400 when malformed or when there is not exactly one document.
Json parse_yaml_body(const std::string& text);

}  // namespace skiff::apiserver
