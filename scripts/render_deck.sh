#!/usr/bin/env bash
# Render a workshop deck to one PNG per slide, to look at it: [DPI=110] scripts/render_deck.sh [CODE|FILE.pptx] [OUT_DIR]
#
# With no argument it builds the demo workshop's deck in a throwaway database. Needs LibreOffice
# (Debian: apt-get install -y libreoffice-impress) and poppler-utils (pdftoppm); not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${2:-tests/screenshots/deck}"
mkdir -p "$out"
rm -f "$out"/slide-*.png
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

source="${1:-}"
if [[ "$source" == *.pptx ]]; then
  cp "$source" "$work/deck.pptx"
elif [[ -n "$source" ]]; then
  python -m alignment export "$source" --format pptx -o "$work/deck.pptx"
else
  export ALIGNMENT_DATABASE_URL="sqlite:///$work/demo.db"
  code="$(python -m alignment demo | tail -n 1)"
  python -m alignment export "$code" --format pptx -o "$work/deck.pptx"
fi

soffice --headless --norestore -env:UserInstallation="file://$work/profile" \
  --convert-to pdf --outdir "$work" "$work/deck.pptx" >/dev/null 2>&1
pdftoppm -png -r "${DPI:-60}" "$work/deck.pdf" "$out/slide"
ls "$out"/slide-*.png | wc -l | xargs echo "slides rendered to $out:"
