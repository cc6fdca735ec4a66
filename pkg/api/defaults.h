#pragma once
// Defaulting as the Kubernetes API server does it for the supported kinds (replicas 1,
// restartPolicy Always, protocol TCP, imagePullPolicy from the tag, strategy RollingUpdate
// 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600, terminationGracePeriodSeconds
// 30, dnsPolicy ClusterFirst, schedulerName default-scheduler, Secret type Opaque, Service type
// ClusterIP and sessionAffinity None, ...). Pure; idempotent (defaulting twice = once).
#include "pkg/api/json.h"
#include "pkg/api/resources.h"

namespace skiff::api {

void apply_defaults(const ResourceInfo& resource, Json& object);

}  // namespace skiff::api
