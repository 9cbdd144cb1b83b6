#!/bin/sh
# Install the Debian packages par needs, only those missing; a no-op when all are there.
#   python3-venv        the project's .venv
#   chromium            real-browser tests (Playwright drives /usr/bin/chromium)
#   fonts-liberation2   fonts that cover Vietnamese letters (ơ ư ả ế ố ứ ...)
#   postgresql          the storage tests run against a throwaway PostgreSQL server too
#   libreoffice-calc-nogui  the template test opens every template in LibreOffice
#   poppler-utils       pdftotext/pdftoppm: the exported PDFs are read back in the tests
#   libreoffice-writer-nogui  the signed documents (scoring sheet, ranking annex) DOCX → PDF
set -eu
PACKAGES="python3-venv chromium fonts-liberation2 postgresql libreoffice-calc-nogui poppler-utils libreoffice-writer-nogui"
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
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "Not root and no sudo: install these Debian packages by hand: $missing" >&2
        exit 1
    fi
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
