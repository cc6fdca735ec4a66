#include "pkg/api/protobuf.h"

#include "pkg/api/errors.h"

namespace skiff::api {

Json decode_kubernetes_protobuf(std::string_view) {
  throw unsupported_media_type("protobuf bodies are not supported yet; send JSON instead");
}

}  // namespace skiff::api
