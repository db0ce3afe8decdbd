# shellcheck shell=bash
# Sourced by the bench scripts: sets DOCEX to the docex binary (built with cargo into
# $CARGO_TARGET_DIR or target/ unless DOCEX names one) and WORK to a temporary folder that is
# removed when the script exits.
if [ -z "${DOCEX:-}" ]; then
  cargo build -q -p docex-local --bin docex
  DOCEX="${CARGO_TARGET_DIR:-target}/debug/docex"
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
