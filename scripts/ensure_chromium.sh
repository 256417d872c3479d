#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (no browser downloads at run time).
# Installs it with apt when missing and we are root; otherwise the tests skip.
set -u
command -v chromium >/dev/null 2>&1 && exit 0
[ "$(id -u)" = "0" ] || exit 1
command -v apt-get >/dev/null 2>&1 || exit 1
(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1
command -v chromium >/dev/null 2>&1
