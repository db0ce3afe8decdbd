#!/usr/bin/env bash
# docex on invoices laid out by other people's software: benches/third_party_invoices.py
# makes invoices with nine invoice generators from PyPI (InvoiceGenerator in English, Czech
# and Brazilian Portuguese; pyinvoice; invoicepy in English and English/Lithuanian; invoicer in
# Slovak; facturapdf in Spanish; pyinvoicer; django-invoicing in five languages and
# django-oscar-invoices in English and Dutch, printed by Chromium; django-invoice; dinbrief's
# DIN window letters and erechnung's ZUGFeRD invoices, German and English; arca-factura-pdf's
# Argentine invoices; facturization's LaTeX template) and with
# LaTeX (KOMA-Script letters with invoice2 tables, English and German; simpleinvoice, English
# and Norwegian; US commercial invoices by invoice-class; letters with the invoice package's
# tables in Swedish, Estonian, Finnish and Dutch; isodoc's invoices in its twelve languages;
# Venezuelan invoices by the factura class; French invoices by the facture class, with
# XeLaTeX), benches/third_party_pretix.py with pretix (the ticket shop's invoices, in ten
# languages, made through its own services on SQLite and printed by two of its renderers), and
# benches/third_party_invoices.mjs with five from npm (microinvoice; pdf-invoice in four
# locales; jspdf-invoice-template; invoice-it in English and French and generate-invoice in
# Finnish and English, both printed by Chromium) from
# seeded random data, with the data as ground truth, and `docex eval` scores
# the offline extractor on them. README.md says which runs were made before the extractor had seen a
# layout (the held-out figures) and which after.
#
# Usage: benches/third_party_invoices.sh [eval options, e.g. --json]   (from the repository root)
# Env:   COUNT   invoices per generator and language (default 8, so 320 in all; django-invoicing, django-oscar-invoices, dinbrief and erechnung make COUNT over their languages)
#        SEED    the random data's seed (default 1)
#        KEEP    a folder to keep the invoices and manifest in (default: a temporary one)
#        VENV    the virtual environment for the Python generators (default: $TMPDIR/docex-third-party-venv)
#        PRETIX_VENV  pretix's own, as it pins its own Django and ReportLab (default: $VENV-pretix)
#        NPM_DIR where the npm generators are installed (default: $TMPDIR/docex-third-party-npm)
#        DOCEX   the docex binary (default: built with cargo into $CARGO_TARGET_DIR or target/)
# Needs: python3 (3.11 or later, for pretix) with venv, node and npm, cargo, what `docex eval`
#        needs (poppler-utils), Pango for WeasyPrint (Debian: libpango-1.0-0 libpangoft2-1.0-0),
#        Chromium (Debian: chromium; CHROMIUM names another executable) and pdflatex with
#        invoice2, simpleinvoice, invoice-class, invoice, isodoc, factura and Norwegian, Swedish,
#        Estonian, Finnish, Dutch and Spanish, and xelatex with facture and the Linux Libertine O font (Debian: texlive-latex-extra texlive-science
#        texlive-lang-german texlive-lang-european texlive-lang-spanish lmodern texlive-xetex
#        texlive-lang-french fonts-linuxlibertine), and the EC fonts in Type 1 for facturization's
#        template (Debian: cm-super; without it pdflatex sets them as bitmaps whose ligatures
#        have no text).
# invoicepy 0.1.2 asks for WeasyPrint 53, which needs a pydyf of its time (0.1).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v pdflatex >/dev/null \
  || ! kpsewhich invoice2.sty siunitx.sty lmodern.sty simpleinvoice.sty invoice-class.cls invoice.sty isodoc.cls factura.cls norsk.ldf \
    swedish.ldf estonian.ldf finnish.ldf dutch.ldf spanish.ldf >/dev/null; then
  echo "pdflatex with invoice2, siunitx, lmodern, simpleinvoice, invoice-class, invoice, isodoc, factura or a language is missing:" \
    "install texlive-latex-extra texlive-science texlive-lang-german texlive-lang-european texlive-lang-spanish lmodern" >&2
  exit 1
fi
if ! command -v xelatex >/dev/null || ! kpsewhich facture.cls >/dev/null || [ -z "$(fc-list 'Linux Libertine O')" ]; then
  echo "xelatex, the facture class or the Linux Libertine O font is missing: install texlive-xetex texlive-lang-french fonts-linuxlibertine" >&2
  exit 1
fi
if ! kpsewhich sfrm0900.pfb >/dev/null; then
  echo "the EC fonts in Type 1 are missing: install cm-super" >&2
  exit 1
fi

NPM_DIR=${NPM_DIR:-${TMPDIR:-/tmp}/docex-third-party-npm}
mkdir -p "$NPM_DIR"
[ -f "$NPM_DIR/package.json" ] || echo '{"private": true}' > "$NPM_DIR/package.json"
# --ignore-scripts: invoice-it's and generate-invoice's own PDF export would download PhantomJS;
# Chromium prints their HTML instead.
npm install --prefix "$NPM_DIR" --no-audit --no-fund --loglevel=error --ignore-scripts 'microinvoice@1.0.6' '@h1dd3nsn1p3r/pdf-invoice@1.0.12' \
  'jspdf-invoice-template-nodejs@1.4.40' '@rimiti/invoice-it@3.6.0' 'generate-invoice@0.2.2' 'playwright-core@1.65.1' \
  'bootstrap@4.1.1'

# django-invoicing links Bootstrap 4.1.1 from a CDN; the same release comes from npm.
export BOOTSTRAP_CSS=$NPM_DIR/node_modules/bootstrap/dist/css/bootstrap.min.css

VENV=${VENV:-${TMPDIR:-/tmp}/docex-third-party-venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check 'InvoiceGenerator==1.2.0' 'pyinvoice==0.1.7' 'invoicepy==0.1.2' 'pydyf==0.1.2' 'PyYAML==6.0.4'
# invoicer and facturapdf pin ReportLabs of 2017 and 2015 that no longer build, and pyinvoicer
# a WeasyPrint older than invoicepy's: they run on the ones pyinvoice and invoicepy bring.
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps 'invoicer==0.1.0' 'facturapdf==0.0.4' \
  'pyinvoicer==0.0.3' 'django-invoicing==13.1.0' 'django-oscar-invoices==0.2' 'django-invoice==0.3.2'
# dinbrief and erechnung draw with the ReportLab the others brought; erechnung embeds its XML
# with factur-x and pikepdf.
"$VENV/bin/python" -m pip install -q --disable-pip-version-check 'dinbrief==0.5.2' 'erechnung==0.3.0' 'fpdf2==2.8.9'
# arca-factura-pdf asks for pydantic 2 for a schema its renderer does not use; invoicepy pins 1.
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps 'arca-factura-pdf==0.1.0'
# facturization runs on the Jinja2 and PyYAML already there.
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps 'facturization==0.1.1'
# django-invoicing's and django-oscar-invoices' templates and translations, and django-invoice's
# drawing, run on Django alone: their models (and Oscar, and the packages they need) are not used.
"$VENV/bin/python" -m pip install -q --disable-pip-version-check 'Django==5.2.19'

# shellcheck source=benches/docex_and_workdir.sh
. benches/docex_and_workdir.sh
INVOICES=${KEEP:-$WORK/invoices}

"$VENV/bin/python" benches/third_party_invoices.py "$INVOICES" --count "${COUNT:-8}" --seed "${SEED:-1}"
node benches/third_party_invoices.mjs "$INVOICES" "${COUNT:-8}" "${SEED:-1}" "$NPM_DIR"
PRETIX_VENV=${PRETIX_VENV:-$VENV-pretix}
[ -x "$PRETIX_VENV/bin/python" ] || python3 -m venv "$PRETIX_VENV"
"$PRETIX_VENV/bin/python" -m pip install -q --disable-pip-version-check 'pretix==2026.8.0'
"$PRETIX_VENV/bin/python" benches/third_party_pretix.py "$INVOICES" --count "${COUNT:-8}" --seed "${SEED:-1}"
"$DOCEX" --data "$WORK/docex-data" eval --spec invoice --manifest "$INVOICES/manifest.json" "$@"
