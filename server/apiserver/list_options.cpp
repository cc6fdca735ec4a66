#include "server/apiserver/list_options.h"

#include <cstring>

#include "pkg/api/errors.h"

namespace skiff::apiserver {

namespace {

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(const std::string& in) {
  std::string out;
  size_t i = 0;
  while (i + 2 < in.size()) {
    uint32_t n = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) |
                 static_cast<uint8_t>(in[i + 2]);
    out += kBase64[(n >> 18) & 63];
    out += kBase64[(n >> 12) & 63];
    out += kBase64[(n >> 6) & 63];
    out += kBase64[n & 63];
    i += 3;
  }
  if (i + 1 == in.size()) {
    uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    out += kBase64[(n >> 18) & 63];
    out += kBase64[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t n = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8);
    out += kBase64[(n >> 18) & 63];
    out += kBase64[(n >> 12) & 63];
    out += kBase64[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

bool base64_decode(const std::string& in, std::string& out) {
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    const char* pos = std::strchr(kBase64, c);
    if (!pos || c == '\0') return false;
    buffer = (buffer << 6) | static_cast<uint32_t>(pos - kBase64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return true;
}

}  // namespace

std::string encode_continue_token(const std::string& last_key) {
  return base64_encode(Json({{"key", last_key}}).dump());
}

std::string decode_continue_token(const std::string& token) {
  std::string text;
  if (base64_decode(token, text)) {
    auto parsed = Json::parse(text, nullptr, false);
    if (parsed.is_object() && parsed.contains("key") && parsed["key"].is_string())
      return parsed["key"].get<std::string>();
  }
  throw api::bad_request("invalid continue token \"" + token + "\"");
}

bool ListQuery::matches(const Json& object) const {
  if (!labels.empty()) {
    auto metadata = object.find("metadata");
    static const Json kNoLabels;
    const Json& object_labels = metadata != object.end() && metadata->contains("labels")
                                    ? (*metadata)["labels"]
                                    : kNoLabels;
    if (!labels.matches(object_labels)) return false;
  }
  return fields.empty() || fields.matches(object);
}

ListQuery parse_list_query(const RequestContext& context) {
  ListQuery query;
  const auto& request = context.request;
  query.labels = api::LabelSelector::parse(request.query_value("labelSelector"));
  query.fields =
      api::FieldSelector::parse(request.query_value("fieldSelector"), context.resource.kind);
  std::string limit = request.query_value("limit");
  if (!limit.empty()) {
    try {
      size_t used = 0;
      long long value = std::stoll(limit, &used);
      if (used != limit.size() || value < 0) throw std::invalid_argument("limit");
      query.limit = static_cast<size_t>(value);
    } catch (const std::exception&) {
      throw api::bad_request("limit must be a non-negative integer, not \"" + limit + "\"");
    }
  }
  std::string token = request.query_value("continue");
  if (!token.empty()) {
    query.continue_after_key = decode_continue_token(token);
    if (query.continue_after_key.rfind(list_prefix(context), 0) != 0)
      throw api::bad_request("the continue token does not belong to this list");
  }
  return query;
}

std::string list_prefix(const RequestContext& context) {
  return context.namespace_name.empty() ? context.resource.key_prefix()
                                        : context.resource.key_prefix(context.namespace_name);
}

}  // namespace skiff::apiserver
