#!/usr/bin/env bash
# docex on invoices laid out by other people's software: benches/third_party_invoices.py
# makes invoices with two invoice generators from PyPI (InvoiceGenerator in English, Czech
# and Brazilian Portuguese; pyinvoice) from seeded random data, with the data as ground
# truth, and `docex eval` scores the offline extractor on them. Neither generator's layout
# was used to build or tune the extractor, so these are held-out figures.
#
# Usage: benches/third_party_invoices.sh [eval options, e.g. --json]   (from the repository root)
# Env:   COUNT   invoices per generator and language (default 8, so 32 in all)
#        SEED    the random data's seed (default 1)
#        KEEP    a folder to keep the invoices and manifest in (default: a temporary one)
#        VENV    the virtual environment for the generators (default: $TMPDIR/docex-third-party-venv)
#        DOCEX   the docex binary (default: built with cargo into $CARGO_TARGET_DIR or target/)
# Needs: python3 with venv, cargo, and what `docex eval` needs (poppler-utils).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-${TMPDIR:-/tmp}/docex-third-party-venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check 'InvoiceGenerator==1.2.0' 'pyinvoice==0.1.7'

if [ -z "${DOCEX:-}" ]; then
  cargo build -q -p docex-local --bin docex
  DOCEX="${CARGO_TARGET_DIR:-target}/debug/docex"
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
INVOICES=${KEEP:-$WORK/invoices}

"$VENV/bin/python" benches/third_party_invoices.py "$INVOICES" --count "${COUNT:-8}" --seed "${SEED:-1}"
"$DOCEX" --data "$WORK/docex-data" eval --spec invoice --manifest "$INVOICES/manifest.json" "$@"
