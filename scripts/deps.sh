#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What ptbench needs from the system, checked by what it is (pkg-config
# --exists, command -v), so that any machine with the libraries builds;
# installing is for Debian/Ubuntu only.
#   deps.sh                 install the missing packages (make deps)
#   deps.sh check WHAT...   0 when everything WHAT needs is here, else 1
#                           with what is missing (WHAT: build test bench report)
#   deps.sh ensure WHAT...  check; when something is missing on Debian or
#                           Ubuntu, install it (as make deps) and check again
set -euo pipefail

# package  check  needed for  (a trailing ? in the last field: optional)
table=(
  "gcc              cmd:${CC:-cc}   build"
  "make             cmd:make        build"
  "pkg-config       cmd:pkg-config  build"
  "libhwloc-dev     pc:hwloc        build"
  "libjansson-dev   pc:jansson      build"
  "libcriterion-dev pc:criterion    test"
  "gnuplot-nox      cmd:gnuplot     test,bench,report"
  "python3          cmd:python3     test,bench,report"
  "hwloc            cmd:lstopo      bench,report?"
  "shellcheck       cmd:shellcheck  test?"
  "locales          file:/usr/share/i18n/locales/de_DE test?"
)

present() {
  case $1 in
    cmd:*) command -v "${1#cmd:}" >/dev/null 2>&1 ;;
    pc:*) command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "${1#pc:}" ;;
    file:*) [ -e "${1#file:}" ] ;;  # locales: the comma-decimal report test builds de_DE from it
  esac
}

# missing_for [--all] WHAT...: the packages whose check fails, of those
# WHAT needs (--all: the optional ones too).
missing_for() {
  local all=0 pkg check uses w
  if [ "${1:-}" = --all ]; then all=1; shift; fi
  for row in "${table[@]}"; do
    read -r pkg check uses <<<"$row"
    if [ $all = 0 ] && [ "${uses%\?}" != "$uses" ]; then continue; fi
    for w in "$@"; do
      if [[ ",${uses%\?}," == *",$w,"* ]] && ! present "$check"; then
        echo "$pkg:${check#*:}"
        break
      fi
    done
  done
}

debian() {
  [ -r /etc/debian_version ] && command -v apt-get >/dev/null 2>&1
}

install() {
  local sudo=()
  if ! debian; then
    echo "deps: missing: $*; no apt-get here: install them by hand" >&2
    return 2
  fi
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "deps: need root or sudo to install: $*" >&2
      return 2
    fi
    sudo=(sudo)
  fi
  echo "deps: installing $*"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@"
  echo "deps: installed $*"
}

packages() { for m in "$@"; do echo "${m%%:*}"; done; }

mode=${1:-install}
[ $# -gt 0 ] && shift
case $mode in
  check | ensure)
    [ $# -gt 0 ] || set -- build
    mapfile -t missing < <(missing_for "$@")
    [ ${#missing[@]} -eq 0 ] && exit 0
    if [ "$mode" = ensure ] && debian; then
      mapfile -t pkgs < <(packages "${missing[@]}")
      install "${pkgs[@]}"
      mapfile -t missing < <(missing_for "$@")
      [ ${#missing[@]} -eq 0 ] && exit 0
    fi
    echo "deps: missing for $*: ${missing[*]} (package:what); 'make deps' installs them on Debian/Ubuntu" >&2
    exit 1
    ;;
  install)
    mapfile -t missing < <(missing_for --all build test bench report)
    if [ ${#missing[@]} -eq 0 ]; then
      echo "deps: all packages present"
      exit 0
    fi
    mapfile -t pkgs < <(packages "${missing[@]}")
    install "${pkgs[@]}"
    ;;
  *)
    echo "usage: deps.sh [check|ensure WHAT...]" >&2
    exit 2
    ;;
esac
