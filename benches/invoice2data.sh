#!/usr/bin/env bash
# docex side by side with invoice2data (PyPI) on invoice2data's own test invoices: the
# invoice2data__*.pdf files listed in tests/fixtures/devset/real.json, with that file's
# ground truth. invoice2data reads them with its shipped per-vendor templates; docex with
# its offline extractor and no templates. Prints documents/s and exact-match accuracy of
# the five core invoice fields for each, in one table.
#
# Usage: benches/invoice2data.sh            (from the repository root)
# Env:   VENV    the virtual environment for invoice2data (default: $TMPDIR/docex-invoice2data-venv)
#        DOCEX   the docex binary (default: built with cargo into $CARGO_TARGET_DIR or target/)
# Needs: python3 with venv, pdftotext (poppler-utils), cargo.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-${TMPDIR:-/tmp}/docex-invoice2data-venv}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check invoice2data
command -v pdftotext >/dev/null || { echo "pdftotext is missing: install poppler-utils" >&2; exit 1; }

# shellcheck source=benches/docex_and_workdir.sh
. benches/docex_and_workdir.sh

# The manifest: invoice2data's invoices of real.json, paths made absolute.
python3 - "$WORK/manifest.json" <<'PY'
import json, os, sys
base = os.path.abspath("tests/fixtures/devset")
entries = [e for e in json.load(open(os.path.join(base, "real.json"))) if "invoice2data__" in e["file"]]
for e in entries:
    e["file"] = os.path.normpath(os.path.join(base, e["file"]))
json.dump(entries, open(sys.argv[1], "w"), indent=1)
PY

# invoice2data: one process over every file, templates loaded once.
"$VENV/bin/python" - "$WORK/manifest.json" "$WORK/invoice2data.json" 2> "$WORK/invoice2data.log" <<'PY'
import json, sys, time, datetime
start = time.perf_counter()
from invoice2data import extract_data
from invoice2data.extract.loader import read_templates
templates = read_templates()
loaded = time.perf_counter()
out = []
for entry in json.load(open(sys.argv[1])):
    t = time.perf_counter()
    try:
        result = extract_data(entry["file"], templates=templates) or {}
    except Exception as e:  # a crash on one file counts as nothing extracted
        result = {"error": repr(e)}
    out.append({"file": entry["file"], "seconds": time.perf_counter() - t,
                "result": json.loads(json.dumps(result, default=lambda v: v.isoformat()[:10] if isinstance(v, (datetime.date, datetime.datetime)) else str(v)))})
end = time.perf_counter()
json.dump({"wall_s": end - start, "templates_s": loaded - start, "documents": out}, open(sys.argv[2], "w"))
PY
# (invoice2data logs why a file failed on stderr; kept in $WORK/invoice2data.log, shown with VERBOSE=1)

# docex: one process over the same files.
start=$(date +%s.%N)
"$DOCEX" --data "$WORK/docex-data" eval --spec invoice --manifest "$WORK/manifest.json" --json > "$WORK/docex.json"
end=$(date +%s.%N)

python3 - "$WORK/manifest.json" "$WORK/invoice2data.json" "$WORK/docex.json" "$start" "$end" <<'PY'
import json, sys
manifest = json.load(open(sys.argv[1]))
i2d = json.load(open(sys.argv[2]))
docex = json.load(open(sys.argv[3]))
docex_wall = float(sys.argv[5]) - float(sys.argv[4])
CORE = ["invoice_number", "issue_date", "total_amount", "currency", "vendor_name"]
SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "₹": "INR", "rs": "INR", "rs.": "INR"}

def fold(v):
    return " ".join(str(v).split()).lower()

def currency(v):
    v = fold(v)
    return SYMBOLS.get(v, v.upper())

def same(field, expected, got):
    """Exact match after normalisation, as docex eval's accuracy counts it."""
    if got is None:
        return False
    if field == "total_amount":
        try:
            return abs(float(expected) - float(got)) <= 0.01 + 1e-9
        except (TypeError, ValueError):
            return False
    if field == "currency":
        return currency(expected) == currency(got)
    return fold(expected) == fold(got)

def i2d_value(field, result):
    if field == "issue_date":
        return result.get("date")
    if field == "total_amount":
        return result.get("amount")
    if field == "vendor_name":
        return None  # two candidates, see below
    return result.get(field)

per_i2d = {f: [0, 0] for f in CORE}
for entry, got in zip(manifest, i2d["documents"]):
    truth, result = entry["ground_truth"], got["result"]
    for f in CORE:
        if f not in truth:
            continue
        per_i2d[f][1] += 1
        if f == "vendor_name":
            ok = any(same(f, truth[f], result.get(k)) for k in ("partner_name", "issuer"))
        else:
            ok = same(f, truth[f], i2d_value(f, result))
        per_i2d[f][0] += ok

per_docex = {f: [0, 0] for f in CORE}
for doc in docex["documents"]:
    for outcome in doc["fields"]:
        if outcome["field"] in per_docex:
            per_docex[outcome["field"]][1] += 1
            per_docex[outcome["field"]][0] += bool(outcome["exact"])

n = len(manifest)
i2d_extract = sum(d["seconds"] for d in i2d["documents"])
docex_extract = sum(d["seconds"] for d in docex["documents"])

def acc(c):
    return "-" if c[1] == 0 else f"{c[0] / c[1]:.2f}"

def core(per):
    right = sum(c[0] for c in per.values()); total = sum(c[1] for c in per.values())
    return f"{right / total:.2f} ({right}/{total})"

print(f"{n} invoices of invoice2data's tests (tests/fixtures/devset/real.json), exact match after normalisation")
print(f"{'':<34} {'invoice2data':>16} {'docex':>16}")
rows = [
    ("how", "per-vendor templates", "no templates"),
    ("documents/s, whole process", f"{n / i2d['wall_s']:.1f}", f"{n / docex_wall:.1f}"),
    ("documents/s, extraction only", f"{n / i2d_extract:.1f}", f"{n / docex_extract:.1f}"),
] + [(f, acc(per_i2d[f]), acc(per_docex[f])) for f in CORE] + [
    ("core fields", core(per_i2d), core(per_docex)),
    ("documents with no result", str(sum(1 for d in i2d["documents"] if not {k: v for k, v in d["result"].items() if k != "error"})),
     str(sum(1 for d in docex["documents"] if d["error"]))),
]
for label, a, b in rows:
    print(f"{label:<34} {a:>16} {b:>16}")
PY
if [ -n "${VERBOSE:-}" ]; then cat "$WORK/invoice2data.log"; fi
