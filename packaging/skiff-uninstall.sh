#!/bin/sh
# Removes skiff from this machine: the cluster, its pods and everything install.sh put in place.
# Run as root:   sudo skiff-uninstall.sh   (install.sh puts it in /usr/local/bin; from a source
# tree: sudo packaging/skiff-uninstall.sh)
#
# What it does (idempotent; running it again, or after a partial install, is fine; it says what it
# removed):
#   1. runs skiff-killall.sh: stops skiff.service / skiff-agent.service and any skiff process,
#      removes every pod container skiff made, its podman network and its nftables tables
#   2. disables and removes the units skiff.service and skiff-agent.service and their
#      environment files /etc/systemd/system/<unit>.env
#   3. removes $PREFIX/bin/skiff (or the skiff .deb, with dpkg, when /usr/bin/skiff came from
#      it), the kubectl symlink to skiff, skiff-killall.sh and this script
#   4. removes /etc/skiff (the admin kubeconfig, containers.conf), /var/lib/skiff (the cluster's
#      store, certificates, node-token, pod volumes) and /var/log/skiff.log, skiff-agent.log
#
# Usage: skiff-uninstall.sh [--root DIR] [--keep-data] [--help]
#   --root DIR    remove an install made with install.sh --root DIR (or DESTDIR=DIR): only files
#                 under DIR, no systemctl, dpkg or killall; folders left empty are removed too
#   --keep-data   keep /var/lib/skiff (the store, certificates and pod volumes) for a later
#                 install; everything else goes
#   --purge       accepted for compatibility: removing the data is the default now
#
# Environment: SKIFF_INSTALL_PREFIX (default /usr/local), as for install.sh.
set -eu

PREFIX=${SKIFF_INSTALL_PREFIX:-/usr/local}
BIN_DIR=$PREFIX/bin
UNITS="skiff skiff-agent"
SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)

say() { echo "[skiff uninstall] $*"; }
fail() {
  echo "[skiff uninstall] error: $*" >&2
  exit 1
}
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

ROOT=${DESTDIR:-}
KEEP_DATA=no
while [ $# -gt 0 ]; do
  case "$1" in
  --root)
    [ $# -ge 2 ] || fail "--root needs a folder"
    ROOT=$2
    shift 2
    ;;
  --root=*) ROOT=${1#--root=} && shift ;;
  --keep-data) KEEP_DATA=yes && shift ;;
  --purge) shift ;;
  -h | --help)
    usage
    exit 0
    ;;
  *)
    echo "skiff-uninstall.sh: unknown argument \"$1\" (usage: skiff-uninstall.sh [--root DIR] [--keep-data])" >&2
    exit 2
    ;;
  esac
done
if [ -n "$ROOT" ]; then
  [ -d "$ROOT" ] || fail "--root $ROOT: no such folder"
  ROOT=$(cd "$ROOT" && pwd)
  [ "$ROOT" != / ] || ROOT=""
fi
if [ -z "$ROOT" ] && [ "$(id -u)" -ne 0 ]; then
  fail "skiff-uninstall.sh must run as root (try: sudo $0)"
fi

# Removes $ROOT$1 (a file, link or folder) and says so; nothing there is fine.
remove() {
  if [ -e "$ROOT$1" ] || [ -L "$ROOT$1" ]; then
    rm -rf "$ROOT$1"
    say "removed $1${2:+ ($2)}"
  fi
}

# Under --root: removes the folders install.sh made that are now empty, deepest first.
remove_empty_folders() {
  for dir in "$BIN_DIR" /usr/bin /etc/systemd/system /etc/systemd /etc /var/lib /var/log /var \
    "$PREFIX" /usr; do
    if [ -d "$ROOT$dir" ] && [ -z "$(ls -A "$ROOT$dir")" ]; then
      rmdir "$ROOT$dir"
      say "removed the empty folder $dir"
    fi
  done
}

# 1. Stop everything that runs. The units' KillMode=process leaves the pods running on a plain
# stop: killall removes them, and skiff's network and nftables tables.
if [ -z "$ROOT" ]; then
  killall=""
  for candidate in "$SCRIPT_DIR/skiff-killall.sh" "$BIN_DIR/skiff-killall.sh"; do
    if [ -f "$candidate" ]; then
      killall=$candidate
      break
    fi
  done
  [ -n "$killall" ] || fail "skiff-killall.sh is not beside this script or in $BIN_DIR: \
without it skiff's pods would keep running (it is packaging/skiff-killall.sh in the source tree)"
  sh "$killall"
fi

# 2. The units and their environment files.
for unit in $UNITS; do
  if [ -z "$ROOT" ] && [ -d /run/systemd/system ] && [ -f "/etc/systemd/system/$unit.service" ]; then
    systemctl disable "$unit.service" >/dev/null 2>&1 || true
    say "disabled $unit.service"
  fi
  remove "/etc/systemd/system/$unit.service"
  remove "/etc/systemd/system/$unit.service.env" "it held the join token"
done
if [ -z "$ROOT" ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl reset-failed skiff.service skiff-agent.service >/dev/null 2>&1 || true
fi

# 3. The binary, the kubectl link and the scripts.
for dir in "$BIN_DIR" /usr/bin; do
  link_target=$(readlink "$ROOT$dir/kubectl" 2>/dev/null || true)
  case "$link_target" in
  */skiff) remove "$dir/kubectl" "the symlink to skiff" ;;
  esac
done
remove "$BIN_DIR/skiff"
deb_package=""
if [ -z "$ROOT" ] && [ -e /usr/bin/skiff ]; then
  deb_package=$(dpkg-query -S /usr/bin/skiff 2>/dev/null | cut -d: -f1 || true)
fi
if [ -n "$deb_package" ]; then
  dpkg --purge "$deb_package" >/dev/null
  say "removed the package $deb_package (dpkg --purge; it held /usr/bin/skiff)"
elif [ -n "$ROOT" ]; then
  remove /usr/bin/skiff "from the .deb"
fi
remove "$BIN_DIR/skiff-killall.sh"

# 4. Configuration, data and logs.
remove /etc/skiff "the admin kubeconfig and the runtime configuration"
if [ "$KEEP_DATA" = yes ]; then
  say "kept /var/lib/skiff (--keep-data): the store, certificates, node-token and pod volumes"
else
  remove /var/lib/skiff "the store, certificates, node-token and pod volumes"
fi
remove /var/log/skiff.log
remove /var/log/skiff-agent.log

# Last: this script itself, where install.sh put it (sh has it open already).
remove "$BIN_DIR/skiff-uninstall.sh"
[ -z "$ROOT" ] || remove_empty_folders
say "done: skiff is uninstalled"
