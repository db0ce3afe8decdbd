#!/usr/bin/env bash
# Lambda package sizes and cold init: builds every function of lambdas/functions.json and
# runs `docex bench lambda`, which starts each bootstrap binary under a loopback Lambda
# Runtime API and times process start to its first request for work.
#
# Usage: benches/lambda_init.sh              debug binaries of this machine (quick to build)
#        benches/lambda_init.sh --zips       the deployable arm64 zips of .ci/lambda-zips are
#                                            sized; init is timed on native binaries of the same
#                                            `lambda` profile (arm64 binaries do not run here)
# Env:   RUNS   starts per function (default 5)
#        DOCEX  the docex binary that times them (default: built with cargo into $CARGO_TARGET_DIR or target/)
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=${CARGO_TARGET_DIR:-target}
FUNCTIONS=$(python3 -c 'import json; print(" ".join(json.load(open("lambdas/functions.json"))["functions"]))')
PACKAGES=$(for f in $FUNCTIONS; do printf -- '-p %s ' "$f"; done)
PROFILE=debug
if [ "${1:-}" = "--zips" ]; then
  .ci/lambda-zips
  # The native binaries go under the host's target triple: target/lambda/ holds the zips'
  # folders, named like the binaries.
  HOST=$(rustc -vV | sed -n 's/^host: //p')
  # shellcheck disable=SC2086
  cargo build --profile lambda --target "$HOST" $PACKAGES
  PROFILE=$HOST/lambda
else
  # shellcheck disable=SC2086
  cargo build $PACKAGES
fi
if [ -z "${DOCEX:-}" ]; then
  cargo build -q -p docex-local --bin docex
  DOCEX="$TARGET/debug/docex"
fi
"$DOCEX" bench lambda --bin-dir "$TARGET/$PROFILE" --zip-dir "$TARGET/lambda" --runs "${RUNS:-5}"
