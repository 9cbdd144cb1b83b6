#!/bin/sh
# Install the Debian packages par needs, only those missing; a no-op when all are there.
set -eu
PACKAGES="python3-venv"
missing=""
for pkg in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $pkg"
done
# A Python built outside Debian (pyenv, python.org) brings its own venv module.
if [ -n "$missing" ] && python3 -c 'import ensurepip, venv' 2>/dev/null; then
    missing=$(echo "$missing" | sed 's/python3-venv//')
fi
missing=$(echo "$missing" | xargs)
[ -z "$missing" ] && exit 0
echo "Installing Debian packages: $missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
