#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian/Ubuntu packages ptbench needs, and only those missing.
# Says what it installs; does nothing when everything is present.
set -euo pipefail

# package -> why it is needed
pkgs=(
  gcc            # compiler
  make           # build
  pkg-config     # finds hwloc, criterion, jansson
  libhwloc-dev   # topology, placement, binding
  hwloc          # lstopo, for the report's topology picture
  libjansson-dev # meta.json
  libcriterion-dev # tests
  gnuplot-nox    # plots
  shellcheck     # checks the scripts in `make test`
  python3        # make calibrate: the machine's CPython against the simulation
)

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  [ "${1:-}" = "-q" ] || echo "deps: all packages present"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "deps: missing packages (${missing[*]}) and no apt-get here; install them by hand" >&2
  exit 2
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "deps: need root or sudo to install: ${missing[*]}" >&2
    exit 2
  fi
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "deps: installed ${missing[*]}"
