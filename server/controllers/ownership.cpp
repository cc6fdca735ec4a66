#include "server/controllers/ownership.h"

#include "server/controllers/json_access.h"

namespace skiff::controllers {

namespace {

Json references_patch(const Json& object, Json references) {
  return {{"metadata",
           {{"ownerReferences", std::move(references)},
            {"resourceVersion", json::string_at(object, {"metadata", "resourceVersion"})}}}};
}

}  // namespace

Json controller_reference(const Json& owner) {
  return {{"apiVersion", owner.value("apiVersion", "")},
          {"kind", owner.value("kind", "")},
          {"name", json::string_at(owner, {"metadata", "name"})},
          {"uid", json::string_at(owner, {"metadata", "uid"})},
          {"controller", true},
          {"blockOwnerDeletion", true}};
}

Json adopt_patch(const Json& object, const Json& owner) {
  Json references = json::at(object, {"metadata", "ownerReferences"});
  if (!references.is_array()) references = Json::array();
  references.push_back(controller_reference(owner));
  return references_patch(object, std::move(references));
}

const std::string* controller_uid(const Json& object) {
  const Json& references = json::at(object, {"metadata", "ownerReferences"});
  if (!references.is_array()) return nullptr;
  for (const auto& ref : references) {
    if (!ref.is_object() || !ref.value("controller", false)) continue;
    auto uid = ref.find("uid");
    static const std::string kNoUid;
    return uid != ref.end() && uid->is_string() ? &uid->get_ref<const std::string&>() : &kNoUid;
  }
  return nullptr;
}

Json release_patch(const Json& object, const std::string& owner_uid) {
  Json references = Json::array();
  for (const auto& ref : json::at(object, {"metadata", "ownerReferences"})) {
    if (ref.value("uid", "") != owner_uid) references.push_back(ref);
  }
  return references_patch(object, std::move(references));
}

}  // namespace skiff::controllers
