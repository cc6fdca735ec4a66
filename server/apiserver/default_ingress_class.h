#pragma once
// Kubernetes' DefaultIngressClass admission plugin: a new Ingress that names no class (no
// spec.ingressClassName and no legacy `kubernetes.io/ingress.class` annotation) gets the
// IngressClass marked `ingressclass.kubernetes.io/is-default-class: "true"`. With several marked,
// the newest wins (creationTimestamp, then name), as Kubernetes has done since 1.25 (before, it
// refused the Ingress). With none marked the Ingress stays without a class. Creates only:
// updates are never defaulted, so a user who clears the class later keeps it cleared.
#include <string>
#include <vector>

#include "pkg/api/json.h"
#include "server/apiserver/request_context.h"
#include "server/store/store.h"

namespace skiff::apiserver {

inline constexpr const char* kDefaultIngressClassAnnotation =
    "ingressclass.kubernetes.io/is-default-class";
inline constexpr const char* kLegacyIngressClassAnnotation = "kubernetes.io/ingress.class";

// True when the Ingress already says which class it belongs to.
bool ingress_names_class(const Json& ingress);

// The default IngressClass's name among `classes` (see above), "" when none is marked. Pure.
std::string default_ingress_class(const std::vector<store::ObjectPtr>& classes);

// The admission step for a create of an Ingress (other kinds and subresources are left alone):
// sets spec.ingressClassName from the store's IngressClasses when the Ingress names none.
void admit_default_ingress_class(RequestContext& context, Json& object);

}  // namespace skiff::apiserver
