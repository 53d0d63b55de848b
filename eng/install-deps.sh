#!/usr/bin/env bash
# Installs what the tests need besides the .NET SDK: Redis (server, Sentinel, CLI) from Debian's packages.
# Idempotent: does nothing when everything is present.
set -euo pipefail

missing=()
for tool in redis-server redis-sentinel redis-cli; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: redis-server, redis-sentinel and redis-cli are present ($(redis-server --version | head -n 1))"
  exit 0
fi

echo "install-deps: missing ${missing[*]}; installing redis-server redis-sentinel redis-tools with apt-get"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else echo "install-deps: not root and no sudo; install redis-server, redis-sentinel and redis-tools" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq redis-server redis-sentinel redis-tools >/dev/null
# The package may start a system service on port 6379; the tests start their own servers on free ports.
for tool in redis-server redis-sentinel redis-cli; do
  command -v "$tool" >/dev/null 2>&1 || { echo "install-deps: $tool is still missing after apt-get install" >&2; exit 1; }
done
echo "install-deps: installed $(redis-server --version | head -n 1)"
