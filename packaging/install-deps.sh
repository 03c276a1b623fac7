#!/usr/bin/env bash
# Installs every Debian 12 package Flowdeck needs to build, test and run (DESIGN.md §2).
# Idempotent: when everything is already installed it returns at once without touching apt.
# Why each package is here: docs/dependencies.md.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git clang-format clang-14 libclang-rt-14-dev
  # engine
  nlohmann-json3-dev libsqlite3-dev liblua5.4-dev libcurl4-openssl-dev libcpp-httplib-dev
  libbenchmark-dev libcli11-dev
  # server and cluster mode
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libpq-dev postgresql
  prometheus wrk
  # tests: JSON Schema agreement check
  python3 python3-jsonschema
  # console
  qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6sql6-sqlite libqt6opengl6-dev qtkeychain-qt6-dev
  libgraphviz-dev graphviz xvfb xauth fonts-dejavu-core fonts-noto-cjk fonts-noto-color-emoji
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
