#!/usr/bin/env bash
# docex on scanned till receipts it has never seen: benches/scanned_receipts.mjs typesets
# receipts with receiptline (npm) from seeded random data, renders them with Chromium and makes
# them look scanned at four qualities (clean, light, heavy: turned, blurred, speckled, JPEG;
# dotted: printed in dots and scanned at a low resolution), as PDFs with no text layer, and
# `docex eval` scores the offline extractor, which reads them with OCR, against the data they
# were made from.
#
# Usage: benches/scanned_receipts.sh [eval options, e.g. --json]   (from the repository root)
# Env:   COUNT    receipts per scan quality (default 8, so 32 in all)
#        SEED     the random data's seed (default 1)
#        KEEP     a folder to keep the receipts and manifest in (default: a temporary one)
#        NPM_DIR  where receiptline and playwright-core are installed (default: $TMPDIR/docex-third-party-npm)
#        CHROMIUM the Chromium executable (default: /usr/bin/chromium)
#        DOCEX    the docex binary (default: built with cargo into $CARGO_TARGET_DIR or target/)
# Needs: node and npm, Chromium (Debian: chromium), cargo, and what OCR in docex needs
#        (poppler-utils, tesseract-ocr).
set -euo pipefail
cd "$(dirname "$0")/.."

NPM_DIR=${NPM_DIR:-${TMPDIR:-/tmp}/docex-third-party-npm}
mkdir -p "$NPM_DIR"
[ -f "$NPM_DIR/package.json" ] || echo '{"private": true}' > "$NPM_DIR/package.json"
npm install --prefix "$NPM_DIR" --no-audit --no-fund --loglevel=error --ignore-scripts 'receiptline@4.0.4' 'playwright-core@1.65.1'

# shellcheck source=benches/docex_and_workdir.sh
. benches/docex_and_workdir.sh
RECEIPTS=${KEEP:-$WORK/receipts}
mkdir -p "$RECEIPTS"
echo '[]' > "$RECEIPTS/manifest.json"

node benches/scanned_receipts.mjs "$RECEIPTS" "${COUNT:-8}" "${SEED:-1}" "$NPM_DIR"
"$DOCEX" --data "$WORK/docex-data" eval --spec receipt --manifest "$RECEIPTS/manifest.json" "$@"
