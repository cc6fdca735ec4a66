#!/bin/sh
# Builds the skiff Debian package: packaging/build-deb.sh [amd64|arm64] (default: this machine's
# architecture). On an amd64 machine arm64 is cross-built with Debian's crossbuild-essential-arm64
# and the :arm64 multiarch -dev packages (see packaging/cmake/toolchain-arm64.cmake); on a machine
# of the asked architecture the build is native. The build tree is build-deb-<arch>/ in the source
# tree; only the `skiff` target is built (Release, no tests), then `cpack -G DEB` makes
# build-deb-<arch>/skiff_<version>-1_<arch>.deb. The package is then checked: its architecture and
# /usr/bin/skiff in `dpkg-deb --info/--contents`, and the packaged (stripped) binary, unpacked
# into a throwaway root, answers `skiff version` (and `skiff check-config` when it has that
# subcommand) -- under qemu-user for a cross build.
#
# Installing packages needs root; packages already present are skipped, so a prepared machine
# does not touch the network. SKIFF_BUILD_JOBS sets ninja's -j (default 2).
set -eu

host_arch=$(dpkg --print-architecture)
arch=${1:-$host_arch}
case "$arch" in
  amd64 | arm64) ;;
  *)
    echo "usage: $0 [amd64|arm64]" >&2
    exit 2
    ;;
esac

source_dir=$(cd "$(dirname "$0")/.." && pwd)
build_dir="$source_dir/build-deb-$arch"
jobs=${SKIFF_BUILD_JOBS:-2}

say() { echo "build-deb: $*"; }
fail() {
  echo "build-deb: $*" >&2
  exit 1
}

is_installed() {
  dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q "install ok installed"
}

# Installs the named packages that are not installed yet (one apt-get run for all of them).
install_missing() {
  missing=""
  for package in "$@"; do
    is_installed "$package" || missing="$missing $package"
  done
  [ -z "$missing" ] && return 0
  [ "$(id -u)" -eq 0 ] || fail "need root to install:$missing"
  say "installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # shellcheck disable=SC2086 # the package list is meant to split into words
  apt-get install -y -q --no-install-recommends $missing
}

# What building the package needs on the build machine (compilers, code generators, cpack's
# helpers dpkg-shlibdeps and file) and the libraries of the target architecture.
BUILD_TOOLS="cmake ninja-build pkg-config ccache dpkg-dev file binutils
  protobuf-compiler protobuf-compiler-grpc"
# libjemalloc2 (the runtime package: only its library is linked, and unlike libjemalloc-dev it
# installs beside the build machine's own for a cross build).
TARGET_LIBS="libgrpc++-dev libprotobuf-dev libsqlite3-dev libcurl4-openssl-dev libssl-dev
  libboost-dev zlib1g-dev libnftables-dev libjemalloc2"

cross=no
if [ "$arch" != "$host_arch" ]; then
  if [ "$arch" != arm64 ] || [ "$host_arch" != amd64 ]; then
    fail "cross-building $arch on $host_arch is not supported (only arm64 on amd64)"
  fi
  cross=yes
fi

toolchain_args=""
runner=""
if [ "$cross" = yes ]; then
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    [ "$(id -u)" -eq 0 ] || fail "need root to run: dpkg --add-architecture arm64"
    say "adding the arm64 architecture to dpkg (multiarch)"
    dpkg --add-architecture arm64
    apt-get update -q
  fi
  arm64_libs=""
  for package in $TARGET_LIBS; do
    arm64_libs="$arm64_libs $package:arm64"
  done
  # libyaml-cpp-dev is not Multi-Arch: same, so its :arm64 package would remove the amd64 one
  # the normal build needs; only its runtime library is installed, the -dev package is unpacked
  # into the build tree below (see the toolchain file).
  # shellcheck disable=SC2086 # the package lists are meant to split into words
  install_missing $BUILD_TOOLS g++ nlohmann-json3-dev crossbuild-essential-arm64 \
    qemu-user-static libyaml-cpp0.7:arm64 $arm64_libs

  overlay="$build_dir/arm64-overlay"
  if [ ! -f "$overlay/usr/lib/aarch64-linux-gnu/cmake/yaml-cpp/yaml-cpp-config.cmake" ]; then
    yaml_version=$(dpkg-query -W -f='${Version}' libyaml-cpp0.7:arm64)
    say "unpacking libyaml-cpp-dev:arm64 $yaml_version into $overlay"
    download_dir=$(mktemp -d)
    # apt downloads as the _apt user when it can write the directory.
    chown _apt "$download_dir" 2>/dev/null || true
    (cd "$download_dir" &&
      apt-get download -q "libyaml-cpp-dev:arm64=$yaml_version" "libyaml-cpp0.7:arm64=$yaml_version")
    mkdir -p "$overlay"
    for deb in "$download_dir"/*.deb; do
      dpkg -x "$deb" "$overlay"
    done
    rm -rf "$download_dir"
  fi
  toolchain_args="-DCMAKE_TOOLCHAIN_FILE=$source_dir/packaging/cmake/toolchain-arm64.cmake
    -DSKIFF_ARM64_OVERLAY=$overlay"
  runner="qemu-aarch64-static -L /usr/aarch64-linux-gnu"
else
  # shellcheck disable=SC2086 # the package lists are meant to split into words
  install_missing $BUILD_TOOLS g++ nlohmann-json3-dev libyaml-cpp-dev $TARGET_LIBS
fi

say "configuring $build_dir (Release, $arch)"
# shellcheck disable=SC2086 # toolchain_args holds separate -D options
cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DSKIFF_BUILD_TESTS=OFF $toolchain_args >/dev/null

say "building skiff (ninja -j$jobs)"
started=$(date +%s)
nice -n 10 ninja -C "$build_dir" -j"$jobs" skiff
say "build took $(($(date +%s) - started)) s"

# Old packages of this tree would make the path below ambiguous.
rm -f "$build_dir"/skiff_*.deb
(cd "$build_dir" && cpack -G DEB >/dev/null)
set -- "$build_dir"/skiff_*_"$arch".deb
[ -f "$1" ] || fail "cpack made no skiff_*_$arch.deb in $build_dir"
deb=$1

info=$(dpkg-deb --info "$deb")
echo "$info" | grep -qx " Architecture: $arch" || fail "$deb: architecture is not $arch"
contents=$(dpkg-deb --contents "$deb")
echo "$contents" | grep -q " \./usr/bin/skiff$" || fail "$deb: no /usr/bin/skiff"
echo "$info" | grep -E "^ (Package|Version|Architecture|Depends|Recommends):"

check_root=$(mktemp -d)
trap 'rm -rf "$check_root"' EXIT
dpkg-deb -x "$deb" "$check_root"
skiff="$check_root/usr/bin/skiff"
kind=$(file -b "$skiff")
case "$kind" in
  *", stripped"*) stripped=stripped ;;
  *) stripped="NOT stripped" ;;
esac
say "packaged binary: $(echo "$kind" | cut -d, -f1-2), $(wc -c <"$skiff") bytes, $stripped"
# shellcheck disable=SC2086 # runner is a command with its arguments, or empty
$runner "$skiff" version || fail "the packaged skiff does not start"
# shellcheck disable=SC2086
if $runner "$skiff" --help 2>&1 | grep -q "check-config"; then
  # Its verdict is about this build machine; what matters here is that the binary runs it.
  # shellcheck disable=SC2086
  $runner "$skiff" check-config || say "check-config reported missing pieces on this machine"
fi

say "package: $deb ($(wc -c <"$deb") bytes)"
