#!/usr/bin/env bash
# Installs what the tests need besides the .NET SDK, from Debian's packages: Redis (server, Sentinel, CLI), and the
# Native AOT toolchain (clang as the linker driver, zlib1g-dev for libz) that publishing tests/CachedGen.AotTests needs.
# Idempotent: does nothing when everything is present.
set -euo pipefail

sudo=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
apt_updated=0
apt_install() {
  if [ "$(id -u)" -ne 0 ] && [ -z "$sudo" ]; then echo "install-deps: not root and no sudo; install $*" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  if [ "$apt_updated" -eq 0 ]; then $sudo apt-get update -qq; apt_updated=1; fi
  $sudo apt-get install -y -qq "$@" >/dev/null
}

# Native AOT: the ILCompiler links with clang and needs zlib's development files.
aot_missing=()
command -v clang >/dev/null 2>&1 || aot_missing+=(clang)
dpkg -s zlib1g-dev >/dev/null 2>&1 || aot_missing+=(zlib1g-dev)
if [ ${#aot_missing[@]} -eq 0 ]; then
  echo "install-deps: clang and zlib1g-dev are present ($(clang --version | head -n 1))"
else
  echo "install-deps: missing ${aot_missing[*]}; installing with apt-get"
  apt_install "${aot_missing[@]}"
  command -v clang >/dev/null 2>&1 || { echo "install-deps: clang is still missing after apt-get install" >&2; exit 1; }
  echo "install-deps: installed $(clang --version | head -n 1)"
fi

missing=()
for tool in redis-server redis-sentinel redis-cli; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: redis-server, redis-sentinel and redis-cli are present ($(redis-server --version | head -n 1))"
  exit 0
fi

echo "install-deps: missing ${missing[*]}; installing redis-server redis-sentinel redis-tools with apt-get"
apt_install redis-server redis-sentinel redis-tools
# The package may start a system service on port 6379; the tests start their own servers on free ports.
for tool in redis-server redis-sentinel redis-cli; do
  command -v "$tool" >/dev/null 2>&1 || { echo "install-deps: $tool is still missing after apt-get install" >&2; exit 1; }
done
echo "install-deps: installed $(redis-server --version | head -n 1)"
