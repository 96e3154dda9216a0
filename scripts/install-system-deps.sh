#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real:
#   chromium   - headless browser for the site tests (driven by Playwright)
#   postgresql - a throwaway local server for the collector's PostgreSQL backend
#   goaccess   - the log-import benchmark's baseline
#   fonts-wqy-microhei - Chinese glyphs in the browser screenshots
# Nothing is downloaded outside the distribution's own package archive.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
{ command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } || need+=(postgresql)
command -v goaccess >/dev/null 2>&1 || need+=(goaccess)
# Chinese glyphs for the browser tests' screenshots (test-artifacts/, checked by eye).
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
  echo "kbgen: the tests need these Debian packages: ${need[*]}" >&2
  echo "kbgen: install them as root (apt-get install ${need[*]}) and run make test again." >&2
  exit 1
fi
echo "Installing ${need[*]} from Debian's archive ..."
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
