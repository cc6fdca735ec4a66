#include "server/apiserver/request_body.h"

#include <algorithm>
#include <cctype>

#include "pkg/api/errors.h"
#include "pkg/api/json_read.h"
#include "pkg/api/protobuf.h"
#include "pkg/yaml/yaml.h"

namespace skiff::apiserver {

std::string media_type(const std::string& content_type) {
  std::string type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back()))) type.pop_back();
  size_t start = 0;
  while (start < type.size() && std::isspace(static_cast<unsigned char>(type[start]))) ++start;
  type.erase(0, start);
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return type;
}

Json parse_json_body(const std::string& text, const std::string& what) {
  try {
    return api::read_json_text(text);
  } catch (const Json::parse_error& e) {
    std::string message = e.what();
    // nlohmann prefixes "[json.exception.parse_error.101] "; keep the human part.
    if (auto bracket = message.find("] "); bracket != std::string::npos)
      message = message.substr(bracket + 2);
    throw api::bad_request(what + ": " + message);
  }
}

Json parse_yaml_body(const std::string& text) {
  std::vector<Json> documents;
  try {
    documents = yaml::parse_documents(text, "request body");
  } catch (const yaml::YamlError& e) {
    throw api::bad_request(std::string("error decoding YAML: ") + e.what());
  }
  if (documents.size() != 1) {
    throw api::bad_request("the request body must hold exactly one YAML document, found " +
                           std::to_string(documents.size()));
  }
  return std::move(documents.front());
}

bool has_body(const http::Request& request) {
  return !request.body.empty() || request.object_body.has_value();
}

std::optional<Json> take_object_body(http::Request& request) {
  Json* object = std::any_cast<Json>(&request.object_body);
  if (object == nullptr) return std::nullopt;
  std::optional<Json> taken(std::move(*object));
  request.object_body.reset();
  return taken;
}

Json decode_object_body(http::Request& request) {
  std::string type = media_type(request.header("Content-Type"));
  Json object;
  if (auto taken = take_object_body(request)) {
    object = std::move(*taken);
  } else if (request.body.empty()) {
    throw api::bad_request("the request body is empty; send an object");
  } else if (type == "application/json" || type.empty()) {
    object = parse_json_body(request.body, "error decoding the request body as JSON");
  } else if (type == "application/yaml" || type == "application/x-yaml" || type == "text/yaml") {
    object = parse_yaml_body(request.body);
  } else if (type == "application/vnd.kubernetes.protobuf") {
    object = api::decode_kubernetes_protobuf(request.body);
  } else {
    throw api::unsupported_media_type(
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json, application/yaml, application/vnd.kubernetes.protobuf (got \"" +
        type + "\")");
  }
  if (!object.is_object()) {
    throw api::bad_request("the request body must be a JSON object, not " +
                           std::string(object.type_name()));
  }
  return object;
}

}  // namespace skiff::apiserver
