#include "pkg/kubectl/resource_builder.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "pkg/http/client.h"
#include "pkg/kubectl/errors.h"
#include "pkg/util/files.h"
#include "pkg/yaml/yaml.h"

namespace skiff::kubectl {
namespace fs = std::filesystem;
namespace {

bool is_manifest_file(const fs::path& path) {
  auto ext = path.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

std::string read_file(const std::string& path) {
  std::optional<std::string> text = util::read_file(path);
  if (!text) throw usage_error("cannot read \"" + path + "\"");
  return std::move(*text);
}

std::string fetch_url(const std::string& url) {
  http::HttpClient client(http::ClientOptions{.request_timeout = std::chrono::seconds(60)});
  http::ClientResponse response;
  try {
    response = client.request("GET", url);
  } catch (const http::HttpClientError& e) {
    throw usage_error("unable to read URL \"" + url + "\": " + e.detail());
  }
  if (response.status != 200)
    throw usage_error("unable to read URL \"" + url +
                      "\", server reported status code=" + std::to_string(response.status));
  return response.body;
}

void add_object(Json object, const std::string& source, std::vector<ManifestObject>& out) {
  if (!object.is_object())
    throw usage_error("unable to decode \"" + source + "\": a document is not an object");
  std::string kind = object.value("kind", std::string());
  if (kind.empty())
    throw usage_error("unable to decode \"" + source + "\": Object 'Kind' is missing in '" +
                      object.dump() + "'");
  if ((kind == "List" || kind.ends_with("List")) && object.contains("items")) {
    for (auto& item : object["items"]) add_object(std::move(item), source, out);
    return;
  }
  if (object.value("apiVersion", std::string()).empty())
    throw usage_error("unable to decode \"" + source + "\": Object 'apiVersion' is missing in '" +
                      object.dump() + "'");
  out.push_back({std::move(object), source});
}

void collect_directory(const fs::path& dir, bool recursive, std::vector<std::string>& files) {
  std::vector<fs::path> entries;
  for (const auto& entry : fs::directory_iterator(dir)) entries.push_back(entry.path());
  std::sort(entries.begin(), entries.end());
  for (const auto& path : entries) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      if (recursive) collect_directory(path, recursive, files);
    } else if (is_manifest_file(path)) {
      files.push_back(path.string());
    }
  }
}

}  // namespace

std::vector<ManifestObject> parse_manifest_text(const std::string& text,
                                                const std::string& source) {
  std::vector<Json> documents;
  try {
    documents = yaml::parse_documents(text, source);
  } catch (const yaml::YamlError& e) {
    throw usage_error(std::string("error parsing ") + e.what());
  }
  std::vector<ManifestObject> out;
  for (auto& doc : documents) add_object(std::move(doc), source, out);
  return out;
}

std::vector<ManifestObject> read_manifests(const std::vector<std::string>& sources, bool recursive,
                                           std::istream& stdin_stream) {
  std::vector<ManifestObject> out;
  for (const auto& source : sources) {
    std::vector<std::pair<std::string, std::string>> texts;  // (name, text)
    if (source == "-") {
      std::stringstream text;
      text << stdin_stream.rdbuf();
      texts.emplace_back("STDIN", text.str());
    } else if (source.starts_with("http://") || source.starts_with("https://")) {
      texts.emplace_back(source, fetch_url(source));
    } else {
      std::error_code ec;
      if (!fs::exists(source, ec)) throw usage_error("the path \"" + source + "\" does not exist");
      if (fs::is_directory(source, ec)) {
        std::vector<std::string> files;
        collect_directory(source, recursive, files);
        for (const auto& file : files) texts.emplace_back(file, read_file(file));
      } else {
        texts.emplace_back(source, read_file(source));
      }
    }
    for (const auto& [name, text] : texts) {
      auto objects = parse_manifest_text(text, name);
      out.insert(out.end(), std::make_move_iterator(objects.begin()),
                 std::make_move_iterator(objects.end()));
    }
  }
  return out;
}

}  // namespace skiff::kubectl
