#!/bin/sh
# Installs what building and testing skiff needs, from Debian 12's packages only. Idempotent:
# packages already present are skipped, so a machine that has them does not touch the network.
set -eu
# The packaging scripts are checked with shellcheck by a test (install_script_test).
# podman, runc, busybox-static: the runtime tests run real containers from a local busybox image.
# catatonit (podman builds its pod infra image from it), netavark and iptables (pod networking)
# are only Recommends of podman, so they are named here for --no-install-recommends.
# lld: links the test executables about four times faster than ld.bfd (CMakeLists.txt).
# libjemalloc2: the skiff binary's allocator (cmd/skiff/jemalloc_config.cpp).

PACKAGES="cmake ninja-build g++ lld pkg-config ccache git curl ca-certificates openssl
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libsqlite3-dev libcurl4-openssl-dev libssl-dev nlohmann-json3-dev libboost-dev
  libyaml-cpp-dev zlib1g-dev libjemalloc2 libgtest-dev libgmock-dev libnftables-dev shellcheck
  podman runc busybox-static catatonit netavark iptables nftables iproute2"

missing=""
for package in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $package"
  fi
done

if [ -n "$missing" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-build-deps: need root to install:$missing" >&2
    exit 1
  fi
  echo "install-build-deps: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # shellcheck disable=SC2086 # the package list is meant to split into words
  apt-get install -y -q --no-install-recommends $missing
fi
