// unknown_fields: the known field names of every served kind, for fieldValidation=Strict/Warn.
//
// The schema is a compact table, one type per line: `Type: field field:Type field:[Type]`.
// A field without a type is a scalar (or a value skiff does not look into); `:*` marks a
// free-form map or a subtree that accepts anything. Rejecting a valid field is worse than
// missing a typo, so where the Kubernetes type is large or rarely written by hand (status,
// volume sources other than the common ones, managedFields) the subtree is `*`.
#include <map>
#include <sstream>
#include <string>

#include "pkg/api/validation.h"

namespace skiff::api {

namespace {

constexpr const char* kSchema = R"(
ObjectMeta: annotations:* creationTimestamp deletionGracePeriodSeconds deletionTimestamp finalizers generateName generation labels:* managedFields:* name namespace ownerReferences:[OwnerReference] resourceVersion selfLink uid
OwnerReference: apiVersion blockOwnerDeletion controller kind name uid
ObjectReference: apiVersion fieldPath kind name namespace resourceVersion uid
LocalObjectReference: name
LabelSelector: matchExpressions:[LabelSelectorRequirement] matchLabels:*
LabelSelectorRequirement: key operator values

PodTemplateSpec: metadata:ObjectMeta spec:PodSpec
PodSpec: activeDeadlineSeconds affinity:Affinity automountServiceAccountToken containers:[Container] dnsConfig:PodDNSConfig dnsPolicy enableServiceLinks ephemeralContainers:[Container] hostAliases:[HostAlias] hostIPC hostNetwork hostPID hostUsers hostname imagePullSecrets:[LocalObjectReference] initContainers:[Container] nodeName nodeSelector:* os:PodOS overhead:* preemptionPolicy priority priorityClassName readinessGates:[PodReadinessGate] resourceClaims:[PodResourceClaim] resources:ResourceRequirements restartPolicy runtimeClassName schedulerName schedulingGates:[PodSchedulingGate] securityContext:PodSecurityContext serviceAccount serviceAccountName setHostnameAsFQDN shareProcessNamespace subdomain terminationGracePeriodSeconds tolerations:[Toleration] topologySpreadConstraints:[TopologySpreadConstraint] volumes:[Volume]
Container: args command env:[EnvVar] envFrom:[EnvFromSource] image imagePullPolicy lifecycle:Lifecycle livenessProbe:Probe name ports:[ContainerPort] readinessProbe:Probe resizePolicy:* resources:ResourceRequirements restartPolicy securityContext:SecurityContext startupProbe:Probe stdin stdinOnce targetContainerName terminationMessagePath terminationMessagePolicy tty volumeDevices:[VolumeDevice] volumeMounts:[VolumeMount] workingDir
ContainerPort: containerPort hostIP hostPort name protocol
EnvVar: name value valueFrom:EnvVarSource
EnvVarSource: configMapKeyRef:KeySelector fieldRef:ObjectFieldSelector resourceFieldRef:ResourceFieldSelector secretKeyRef:KeySelector
KeySelector: key name optional
ObjectFieldSelector: apiVersion fieldPath
ResourceFieldSelector: containerName divisor resource
EnvFromSource: configMapRef:OptionalReference prefix secretRef:OptionalReference
OptionalReference: name optional
ResourceRequirements: claims:* limits:* requests:*
Lifecycle: postStart:LifecycleHandler preStop:LifecycleHandler stopSignal
LifecycleHandler: exec:ExecAction httpGet:HTTPGetAction sleep:* tcpSocket:TCPSocketAction
ExecAction: command
HTTPGetAction: host httpHeaders:[HTTPHeader] path port scheme
HTTPHeader: name value
TCPSocketAction: host port
GRPCAction: port service
Probe: exec:ExecAction failureThreshold grpc:GRPCAction httpGet:HTTPGetAction initialDelaySeconds periodSeconds successThreshold tcpSocket:TCPSocketAction terminationGracePeriodSeconds timeoutSeconds
SecurityContext: allowPrivilegeEscalation appArmorProfile:* capabilities:Capabilities privileged procMount readOnlyRootFilesystem runAsGroup runAsNonRoot runAsUser seLinuxOptions:* seccompProfile:* windowsOptions:*
Capabilities: add drop
PodSecurityContext: appArmorProfile:* fsGroup fsGroupChangePolicy runAsGroup runAsNonRoot runAsUser seLinuxChangePolicy seLinuxOptions:* seccompProfile:* supplementalGroups supplementalGroupsPolicy sysctls:* windowsOptions:*
VolumeMount: mountPath mountPropagation name readOnly recursiveReadOnly subPath subPathExpr
VolumeDevice: devicePath name
Volume: name awsElasticBlockStore:* azureDisk:* azureFile:* cephfs:* cinder:* configMap:ConfigMapVolumeSource csi:* downwardAPI:* emptyDir:EmptyDirVolumeSource ephemeral:* fc:* flexVolume:* flocker:* gcePersistentDisk:* gitRepo:* glusterfs:* hostPath:HostPathVolumeSource image:* iscsi:* nfs:* persistentVolumeClaim:PVCVolumeSource photonPersistentDisk:* portworxVolume:* projected:* quobyte:* rbd:* scaleIO:* secret:SecretVolumeSource storageos:* vsphereVolume:*
ConfigMapVolumeSource: defaultMode items:[KeyToPath] name optional
SecretVolumeSource: defaultMode items:[KeyToPath] optional secretName
KeyToPath: key mode path
EmptyDirVolumeSource: medium sizeLimit
HostPathVolumeSource: path type
PVCVolumeSource: claimName readOnly
Affinity: nodeAffinity:NodeAffinity podAffinity:PodAffinity podAntiAffinity:PodAffinity
NodeAffinity: preferredDuringSchedulingIgnoredDuringExecution:[PreferredSchedulingTerm] requiredDuringSchedulingIgnoredDuringExecution:NodeSelector
NodeSelector: nodeSelectorTerms:[NodeSelectorTerm]
NodeSelectorTerm: matchExpressions:[NodeSelectorRequirement] matchFields:[NodeSelectorRequirement]
NodeSelectorRequirement: key operator values
PreferredSchedulingTerm: preference:NodeSelectorTerm weight
PodAffinity: preferredDuringSchedulingIgnoredDuringExecution:[WeightedPodAffinityTerm] requiredDuringSchedulingIgnoredDuringExecution:[PodAffinityTerm]
WeightedPodAffinityTerm: podAffinityTerm:PodAffinityTerm weight
PodAffinityTerm: labelSelector:LabelSelector matchLabelKeys mismatchLabelKeys namespaceSelector:LabelSelector namespaces topologyKey
Toleration: effect key operator tolerationSeconds value
TopologySpreadConstraint: labelSelector:LabelSelector matchLabelKeys maxSkew minDomains nodeAffinityPolicy nodeTaintsPolicy topologyKey whenUnsatisfiable
HostAlias: hostnames ip
PodDNSConfig: nameservers options:* searches
PodOS: name
PodReadinessGate: conditionType
PodResourceClaim: name resourceClaimName resourceClaimTemplateName source:*
PodSchedulingGate: name

DeploymentSpec: minReadySeconds paused progressDeadlineSeconds replicas revisionHistoryLimit selector:LabelSelector strategy:DeploymentStrategy template:PodTemplateSpec
DeploymentStrategy: rollingUpdate:RollingUpdateDeployment type
RollingUpdateDeployment: maxSurge maxUnavailable
ReplicaSetSpec: minReadySeconds replicas selector:LabelSelector template:PodTemplateSpec

ServiceSpec: allocateLoadBalancerNodePorts clusterIP clusterIPs externalIPs externalName externalTrafficPolicy healthCheckNodePort internalTrafficPolicy ipFamilies ipFamilyPolicy loadBalancerClass loadBalancerIP loadBalancerSourceRanges ports:[ServicePort] publishNotReadyAddresses selector:* sessionAffinity sessionAffinityConfig:* trafficDistribution type
ServicePort: appProtocol name nodePort port protocol targetPort
EndpointSubset: addresses:[EndpointAddress] notReadyAddresses:[EndpointAddress] ports:[EndpointPort]
EndpointAddress: hostname ip nodeName targetRef:ObjectReference
EndpointPort: appProtocol name port protocol
NamespaceSpec: finalizers
NodeSpec: configSource:* externalID podCIDR podCIDRs providerID taints:[Taint] unschedulable
Taint: effect key timeAdded value
EventSource: component host

IngressSpec: defaultBackend:IngressBackend ingressClassName rules:[IngressRule] tls:[IngressTLS]
IngressBackend: resource:* service:IngressServiceBackend
IngressServiceBackend: name port:ServiceBackendPort
ServiceBackendPort: name number
IngressRule: host http:HTTPIngressRuleValue
HTTPIngressRuleValue: paths:[HTTPIngressPath]
HTTPIngressPath: backend:IngressBackend path pathType
IngressTLS: hosts secretName
IngressClassSpec: controller parameters:*
LeaseSpec: acquireTime holderIdentity leaseDurationSeconds leaseTransitions preferredHolder renewTime strategy
Endpoint: addresses conditions:* deprecatedTopology:* hints:* hostname nodeName targetRef:ObjectReference zone
EndpointSlicePort: appProtocol name port protocol

Namespace: apiVersion kind metadata:ObjectMeta spec:NamespaceSpec status:*
Pod: apiVersion kind metadata:ObjectMeta spec:PodSpec status:*
Service: apiVersion kind metadata:ObjectMeta spec:ServiceSpec status:*
Endpoints: apiVersion kind metadata:ObjectMeta subsets:[EndpointSubset]
ConfigMap: apiVersion kind metadata:ObjectMeta binaryData:* data:* immutable
Secret: apiVersion kind metadata:ObjectMeta data:* immutable stringData:* type
Node: apiVersion kind metadata:ObjectMeta spec:NodeSpec status:*
Event: apiVersion kind metadata:ObjectMeta action count eventTime firstTimestamp involvedObject:ObjectReference lastTimestamp message reason related:ObjectReference reportingComponent reportingInstance series:* source:EventSource type
ServiceAccount: apiVersion kind metadata:ObjectMeta automountServiceAccountToken imagePullSecrets:[LocalObjectReference] secrets:[ObjectReference]
Deployment: apiVersion kind metadata:ObjectMeta spec:DeploymentSpec status:*
ReplicaSet: apiVersion kind metadata:ObjectMeta spec:ReplicaSetSpec status:*
Ingress: apiVersion kind metadata:ObjectMeta spec:IngressSpec status:*
IngressClass: apiVersion kind metadata:ObjectMeta spec:IngressClassSpec
Lease: apiVersion kind metadata:ObjectMeta spec:LeaseSpec
EndpointSlice: apiVersion kind metadata:ObjectMeta addressType endpoints:[Endpoint] ports:[EndpointSlicePort]
)";

struct FieldType {
  std::string type;  // "" scalar, "*" anything, otherwise a schema type name
  bool list = false;
};

using TypeTable = std::map<std::string, std::map<std::string, FieldType>, std::less<>>;

TypeTable parse_schema() {
  TypeTable table;
  std::istringstream lines(kSchema);
  std::string line;
  while (std::getline(lines, line)) {
    auto colon = line.find(": ");
    if (colon == std::string::npos) continue;
    auto& fields = table[line.substr(0, colon)];
    std::istringstream words(line.substr(colon + 2));
    std::string word;
    while (words >> word) {
      auto sep = word.find(':');
      if (sep == std::string::npos) {
        fields[word] = {};
        continue;
      }
      std::string type = word.substr(sep + 1);
      bool list = type.size() > 2 && type.front() == '[' && type.back() == ']';
      if (list) type = type.substr(1, type.size() - 2);
      fields[word.substr(0, sep)] = {type, list};
    }
  }
  return table;
}

const TypeTable& schema() {
  static const TypeTable table = parse_schema();
  return table;
}

void walk(const std::string& type, const Json& value, const std::string& path,
          std::vector<std::string>& unknown) {
  if (!value.is_object()) return;  // wrong types are validation's business, not this one's
  const auto& table = schema();
  auto it = table.find(type);
  if (it == table.end()) return;
  for (const auto& [key, child] : value.items()) {
    std::string child_path = path.empty() ? key : path + "." + key;
    auto field = it->second.find(key);
    if (field == it->second.end()) {
      unknown.push_back(child_path);
      continue;
    }
    const FieldType& ft = field->second;
    if (ft.type.empty() || ft.type == "*") continue;
    if (ft.list) {
      if (!child.is_array()) continue;
      for (size_t i = 0; i < child.size(); ++i) {
        walk(ft.type, child[i], child_path + "[" + std::to_string(i) + "]", unknown);
      }
    } else {
      walk(ft.type, child, child_path, unknown);
    }
  }
}

}  // namespace

std::vector<std::string> unknown_fields(const ResourceInfo& resource, const Json& object) {
  std::vector<std::string> unknown;
  if (schema().count(resource.kind) == 0) return unknown;  // no schema: accept everything
  walk(resource.kind, object, "", unknown);
  return unknown;
}

}  // namespace skiff::api
