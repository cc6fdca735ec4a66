// parse_documents: YAML (or JSON) text -> JSON documents, via yaml-cpp's node tree.
#include <yaml-cpp/yaml.h>

#include <set>
#include <string>

#include "pkg/yaml/core_schema.h"
#include "pkg/yaml/yaml.h"

namespace skiff::yaml {

YamlError::YamlError(const std::string& source, int line, int column, const std::string& problem)
    : std::runtime_error(source + ": line " + std::to_string(line) + ", column " +
                         std::to_string(column) + ": " + problem),
      line_(line),
      column_(column) {}

namespace {

constexpr std::string_view kTagPrefix = "tag:yaml.org,2002:";
// Aliases share nodes, so a small document can expand exponentially ("billion laughs").
constexpr std::size_t kMaxConvertedNodes = 5'000'000;

class Converter {
 public:
  explicit Converter(const std::string& source) : source_(source) {}

  Json convert(const YAML::Node& node) {
    if (++converted_ > kMaxConvertedNodes)
      fail(node, "document expands to too many nodes (alias loop or bomb?)");
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return nullptr;
      case YAML::NodeType::Scalar:
        return scalar(node);
      case YAML::NodeType::Sequence: {
        Json out = Json::array();
        for (const auto& item : node) out.push_back(convert(item));
        return out;
      }
      case YAML::NodeType::Map:
        return mapping(node);
    }
    return nullptr;
  }

 private:
  [[noreturn]] void fail(const YAML::Node& node, const std::string& problem) const {
    const YAML::Mark mark = node.Mark();
    throw YamlError(source_, mark.line + 1, mark.column + 1, problem);
  }

  Json scalar(const YAML::Node& node) {
    const std::string& text = node.Scalar();
    const std::string& tag = node.Tag();
    if (tag == "!") return text;  // quoted (or `!`-tagged): always a string
    if (tag.empty() || tag == "?") return detail::resolve_plain_scalar(text);
    std::string_view name = tag;
    if (name.starts_with(kTagPrefix)) name.remove_prefix(kTagPrefix.size());
    if (name == "str" || name == "binary" || name == "timestamp") return text;
    if (name == "null") {
      if (!detail::is_null_word(text)) fail(node, "invalid !!null value \"" + text + "\"");
      return nullptr;
    }
    if (name == "bool") {
      if (auto b = detail::parse_bool(text)) return *b;
      fail(node, "invalid !!bool value \"" + text + "\"");
    }
    if (name == "int") {
      if (auto i = detail::parse_int(text)) return *i;
      fail(node, "invalid !!int value \"" + text + "\"");
    }
    if (name == "float") {
      if (auto f = detail::parse_float(text)) return *f;
      if (auto i = detail::parse_int(text)) return i->get<double>();
      fail(node, "invalid !!float value \"" + text + "\"");
    }
    // Unknown local tags (`!foo`) carry no meaning for JSON: resolve the scalar as if plain.
    return detail::resolve_plain_scalar(text);
  }

  std::string key_text(const YAML::Node& key) const {
    if (key.IsScalar()) return key.Scalar();
    if (key.IsNull()) return "null";
    fail(key, "mapping keys must be scalars");
  }

  static bool is_merge_key(const YAML::Node& key) {
    return key.IsScalar() && key.Scalar() == "<<" && key.Tag() != "!";
  }

  Json mapping(const YAML::Node& node) {
    Json out = Json::object();
    std::vector<YAML::Node> merges;
    for (const auto& entry : node) {
      if (is_merge_key(entry.first)) {
        merges.push_back(entry.second);
        continue;
      }
      std::string key = key_text(entry.first);
      if (out.contains(key)) fail(entry.first, "duplicate key \"" + key + "\"");
      out[key] = convert(entry.second);
    }
    // Merge keys (`<<: *base` or `<<: [*a, *b]`): explicit keys win, earlier maps win.
    for (const auto& merge : merges) {
      std::vector<YAML::Node> sources;
      if (merge.IsMap()) {
        sources.push_back(merge);
      } else if (merge.IsSequence()) {
        for (const auto& item : merge) sources.push_back(item);
      } else {
        fail(merge, "merge key \"<<\" needs a mapping or a list of mappings");
      }
      for (const auto& source : sources) {
        if (!source.IsMap()) fail(source, "merge key \"<<\" needs a mapping or a list of mappings");
        Json merged = mapping(source);
        for (auto& [key, value] : merged.items())
          if (!out.contains(key)) out[key] = std::move(value);
      }
    }
    return out;
  }

  const std::string& source_;
  std::size_t converted_ = 0;
};

bool looks_like_json(std::string_view text) {
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    return c == '{' || c == '[';
  }
  return false;
}

}  // namespace

std::vector<Json> parse_documents(std::string_view text, const std::string& source) {
  // JSON is valid YAML, but nlohmann reads it far faster; fall back to YAML when it is not
  // a single JSON document (e.g. a flow mapping with YAML-only syntax).
  if (looks_like_json(text)) {
    Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_discarded()) return {std::move(doc)};
  }
  std::vector<YAML::Node> nodes;
  try {
    nodes = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    throw YamlError(source, e.mark.line + 1, e.mark.column + 1, e.msg);
  }
  std::vector<Json> documents;
  Converter converter(source);
  for (const auto& node : nodes) {
    if (node.IsNull() || !node.IsDefined()) continue;
    documents.push_back(converter.convert(node));
  }
  return documents;
}

}  // namespace skiff::yaml
