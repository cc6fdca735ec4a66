# Cross-builds skiff for arm64 (aarch64: Raspberry Pi OS 64-bit, arm64 VMs) on a Debian 12 amd64
# host with Debian's own cross toolchain and multiarch libraries:
#
#   dpkg --add-architecture arm64 && apt-get update
#   apt-get install crossbuild-essential-arm64 libgrpc++-dev:arm64 libprotobuf-dev:arm64 \
#     libsqlite3-dev:arm64 libcurl4-openssl-dev:arm64 libssl-dev:arm64 zlib1g-dev:arm64 \
#     libnftables-dev:arm64 libboost-dev:arm64 libyaml-cpp0.7:arm64
#   cmake -S . -B build-deb-arm64 -G Ninja -DCMAKE_TOOLCHAIN_FILE=packaging/cmake/toolchain-arm64.cmake
#
# packaging/build-deb.sh arm64 does all of this. Why multiarch and not a full sysroot: every -dev
# package skiff needs is "Multi-Arch: same" in Debian 12, so the :arm64 ones install beside the
# amd64 ones the normal build uses (same versions, arch-specific files under
# /usr/lib/aarch64-linux-gnu and /usr/include/aarch64-linux-gnu), and dpkg-shlibdeps then finds
# the arm64 libraries and their symbols files in dpkg's database, so the .deb's Depends are
# computed, not written by hand. Debian's cross gcc searches those multiarch directories itself.
#
# The one exception is libyaml-cpp-dev: it is not Multi-Arch (it ships
# changelog.Debian.amd64.gz), so installing it for arm64 would remove the amd64 one. Only its
# runtime library libyaml-cpp0.7:arm64 (Multi-Arch: same) is installed system-wide; the -dev
# package is unpacked with `apt-get download` + `dpkg -x` into a private overlay directory (together
# with the runtime .deb, because the overlay's libyaml-cpp.so symlink points at it) and
# SKIFF_ARM64_OVERLAY names it. Its CMake config locates everything relative to itself, so
# find_package(yaml-cpp) takes the headers and the arm64 library from the overlay; the binary
# records only the soname, which the installed libyaml-cpp0.7:arm64 satisfies for dpkg-shlibdeps
# and qemu.

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Search lib/aarch64-linux-gnu (and never lib/x86_64-linux-gnu) under every prefix.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# pkg-config for grpc++ and libnftables must read the arm64 .pc files.
set(PKG_CONFIG_EXECUTABLE aarch64-linux-gnu-pkg-config CACHE FILEPATH "pkg-config for arm64")

# Code generators run on the build machine: the host's (amd64) protoc and grpc_cpp_plugin from
# protobuf-compiler / protobuf-compiler-grpc, the same 3.21 / 1.51 versions as the arm64 libraries.
# FindProtobuf makes protobuf::protoc from Protobuf_PROTOC_EXECUTABLE; proto/CMakeLists.txt uses
# GRPC_CPP_PLUGIN.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(Protobuf_PROTOC_EXECUTABLE /usr/bin/protoc CACHE FILEPATH "host protoc")
set(GRPC_CPP_PLUGIN /usr/bin/grpc_cpp_plugin CACHE FILEPATH "host grpc_cpp_plugin")

set(SKIFF_ARM64_OVERLAY "" CACHE PATH "Root where libyaml-cpp-dev:arm64 is unpacked (dpkg -x)")
# CMake's compiler checks (try_compile) re-read this file in a scratch project: pass it on there.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES SKIFF_ARM64_OVERLAY)
if(SKIFF_ARM64_OVERLAY)
  list(APPEND CMAKE_PREFIX_PATH "${SKIFF_ARM64_OVERLAY}/usr")
endif()
if(NOT EXISTS "${SKIFF_ARM64_OVERLAY}/usr/lib/aarch64-linux-gnu/cmake/yaml-cpp"
   AND NOT EXISTS /usr/lib/aarch64-linux-gnu/cmake/yaml-cpp)
  message(WARNING "yaml-cpp for arm64 not found: set SKIFF_ARM64_OVERLAY to a directory where "
                  "libyaml-cpp-dev:arm64 is unpacked (packaging/build-deb.sh arm64 does it)")
endif()
