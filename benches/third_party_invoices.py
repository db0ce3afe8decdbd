"""Invoices laid out by other people's software, with their ground truth.

Writes PDF invoices made by thirteen invoice generators from PyPI that docex has never been
shaped to, InvoiceGenerator (A4, English, Czech and Brazilian Portuguese labels, babel's
number and date formats of the currency's locale), pyinvoice (US letter, label/value
tables), invoicepy (HTML through WeasyPrint, English and English/Lithuanian), invoicer
(ReportLab, Slovak), facturapdf (ReportLab, Spanish), pyinvoicer (HTML through
WeasyPrint, English), django-invoicing (Django templates in five languages) and
django-oscar-invoices (a Django template in English and Dutch), both printed by Chromium, and
django-invoice (ReportLab, English), dinbrief (ReportLab, DIN window letters in German and
English), erechnung (ReportLab, German and English, with or without its ZUGFeRD XML) and
arca-factura-pdf (fpdf2, Argentine invoices in the ARCA layout) and facturization (its LaTeX
template, typeset by pdflatex), and by
LaTeX (KOMA-Script's scrlttr2 letters with invoice2 tables, English and German; the
simpleinvoice package, English and Norwegian; US commercial invoices by invoice-class; letters
with the invoice package's tables in Swedish, Estonian, Finnish and Dutch; invoices by the isodoc
class in its twelve languages; Venezuelan invoices by the factura class; French invoices by the
facture class, set with XeLaTeX), from seeded random data, and a manifest in the form `docex eval` reads. The ground
truth is the data each invoice was made from, with totals as the generator computes them.

Usage: python third_party_invoices.py OUT_DIR [--count N] [--seed S]
       (N invoices from each generator and, for InvoiceGenerator, invoicepy, scrlttr2,
       simpleinvoice and the invoice package, each language; N/2 for each of isodoc's languages)
"""

import argparse
import datetime
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import types
from decimal import ROUND_HALF_UP, Decimal

VENDORS = [
    "Brightwater Analytics LLC", "Kovář a syn s.r.o.", "Ferreira & Filhos Ltda.",
    "Northgate Office Supplies Ltd", "Lumen Systems Inc.", "Müller Werkzeuge GmbH",
    "Atlas Freight Services SA", "Pinecrest Dental Lab", "Studio Nova Design s.r.o.",
    "Horizonte Consultoria Ltda.", "Redwood Cloud Hosting Inc.", "Blue Harbor Catering Co.",
]
BUYERS = [
    "Globex Corporation", "Initech Ltd", "Stark Components a.s.", "Pereira Engenharia Ltda.",
    "Umbrella Health Partners", "Vandelay Industries", "Wayne Logistics s.r.o.",
]
ITEMS = [
    "Consulting hours", "Annual software licence", "Printer toner cartridge", "Office chair",
    "Cloud server (monthly)", "On-site installation", "Shipping and handling", "Training day",
    "Network switch 24-port", "Maintenance contract", "Design revision", "Paper A4, 5 boxes",
]
STREETS = ["Main Street 5", "Vinohradská 112", "Rua das Flores 42", "Harbour Road 17", "Parkway 300"]
CITIES = [("Brno", "60200"), ("Praha", "11000"), ("São Paulo", "01310-100"), ("Leeds", "LS1 4AP"),
          ("Austin", "78701")]
# (babel locale for amounts, ISO currency) pairs InvoiceGenerator prints amounts in.
CURRENCIES = [("en_US", "USD"), ("en_GB", "GBP"), ("de_DE", "EUR"), ("cs_CZ", "CZK"),
              ("pt_BR", "BRL"), ("fr_FR", "EUR"), ("en_IE", "EUR")]
LANGUAGES = ["en", "cs", "pt_BR"]


def invoice_number(rng):
    year = rng.randint(2021, 2025)
    return rng.choice([
        f"{year}{rng.randint(1, 999):04d}",
        f"FV-{year}-{rng.randint(1, 9999):04d}",
        f"INV{rng.randint(10000, 99999)}",
        f"{rng.randint(100, 999)}/{year}",
        f"A{rng.randint(1, 99):02d}-{rng.randint(1000, 9999)}",
    ])


def some_date(rng):
    return datetime.date(2021, 1, 1) + datetime.timedelta(days=rng.randint(0, 5 * 365))


def money(value):
    return float(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def helvetica_printable(names):
    """The names ReportLab's Helvetica prints with its standard encoding: a "ř" comes out as a
    missing glyph, so the page would not hold the ground truth."""
    return [name for name in names if all(ord(c) < 256 for c in name)]


def manifest_entry(file, source, truth):
    """One invoice of the manifest `docex eval` reads."""
    return {"file": file, "doc_type": "invoice", "split": "third_party", "source": source, "ground_truth": truth}


def invoicegenerator_batch(out_dir, language, count, seed):
    """Runs in a process of its own: InvoiceGenerator picks its language at import."""
    os.environ["INVOICE_LANG"] = language
    from InvoiceGenerator.api import Client, Creator, Invoice, Item, Provider
    from InvoiceGenerator.pdf import SimpleInvoice

    rng = random.Random(f"{seed}-invoicegenerator-{language}")
    entries = []
    for n in range(count):
        vendor, buyer = rng.choice(VENDORS), rng.choice(BUYERS)
        (city, zip_code), (buyer_city, buyer_zip) = rng.choice(CITIES), rng.choice(CITIES)
        locale, currency = rng.choice(CURRENCIES)
        provider = Provider(vendor, address=rng.choice(STREETS), city=city, zip_code=zip_code,
                            vat_id=f"CZ{rng.randint(10000000, 99999999)}",
                            bank_account=str(rng.randint(10**9, 10**10 - 1)), bank_code="2010")
        client = Client(buyer, address=rng.choice(STREETS), city=buyer_city, zip_code=buyer_zip)
        invoice = Invoice(client, provider, Creator(rng.choice(["Jana Nováková", "Tom Baker", "Ana Lima"])))
        invoice.currency, invoice.currency_locale = currency, f"{locale}.UTF-8"
        invoice.number = invoice_number(rng)
        invoice.date = some_date(rng)
        invoice.payback = invoice.date + datetime.timedelta(days=rng.choice([14, 30, 60]))
        invoice.use_tax = rng.random() < 0.7
        tax = rng.choice([0, 10, 15, 21])
        lines = []
        for _ in range(rng.randint(1, 6)):
            item = Item(rng.randint(1, 40), Decimal(rng.randint(100, 90000)) / 100,
                        description=rng.choice(ITEMS), tax=tax)
            invoice.add_item(item)
            # The line total is the "Total price" column, before tax.
            lines.append({"description": item.description, "quantity": float(item.count),
                          "unit_price": money(item.price), "amount": money(item.total)})
        name = f"invoicegenerator-{language}-{n:02d}.pdf"
        SimpleInvoice(invoice).gen(os.path.join(out_dir, name), generate_qr_code=False)
        truth = {
            "invoice_number": invoice.number,
            "issue_date": invoice.date.isoformat(),
            "due_date": invoice.payback.isoformat(),
            "currency": currency,
            "vendor_name": vendor,
            "buyer_name": buyer,
            "net_amount": money(invoice.price),
            "line_items": lines,
        }
        if invoice.use_tax:
            truth["total_amount"] = money(invoice.price_tax)
            truth["tax_amount"] = money(invoice.price_tax - invoice.price)
        else:
            truth["total_amount"] = money(invoice.price)
        entries.append(manifest_entry(name, f"InvoiceGenerator ({language})", truth))
    return entries


def pyinvoice_batch(out_dir, count, seed):
    from pyinvoice.models import ClientInfo, InvoiceInfo, Item, ServiceProviderInfo
    from pyinvoice.templates import SimpleInvoice

    rng = random.Random(f"{seed}-pyinvoice")
    printable, buyers = helvetica_printable(VENDORS), helvetica_printable(BUYERS)
    entries = []
    for n in range(count):
        vendor, buyer = rng.choice(printable), rng.choice(buyers)
        city, zip_code = rng.choice(CITIES)
        name = f"pyinvoice-{n:02d}.pdf"
        doc = SimpleInvoice(os.path.join(out_dir, name))
        number, issued = invoice_number(rng), some_date(rng)
        due = issued + datetime.timedelta(days=rng.choice([15, 30, 45]))
        doc.invoice_info = InvoiceInfo(number, issued, due)
        doc.service_provider_info = ServiceProviderInfo(
            name=vendor, street=rng.choice(STREETS), city=city, country=rng.choice(["US", "UK", "Czechia"]),
            post_code=zip_code, vat_tax_number=f"GB{rng.randint(100000000, 999999999)}")
        doc.client_info = ClientInfo(name=buyer, street=rng.choice(STREETS), city=rng.choice(CITIES)[0],
                                     email="accounts@example.com")
        subtotal, lines = Decimal(0), []
        for _ in range(rng.randint(1, 6)):
            units, price = rng.randint(1, 20), Decimal(rng.randint(100, 50000)) / 100
            item = rng.choice(ITEMS)
            # The item's name is its description; pyinvoice's "Description" column stays empty.
            doc.add_item(Item(item, "", units, price))
            subtotal += units * price
            lines.append({"description": item, "quantity": float(units), "unit_price": money(price),
                          "amount": money(units * price)})
        rate = rng.choice([None, 5, 10, 20])
        truth = {"invoice_number": number, "issue_date": issued.isoformat(), "due_date": due.isoformat(),
                 "vendor_name": vendor, "buyer_name": buyer, "net_amount": money(subtotal),
                 "line_items": lines}
        tax = Decimal(0)
        if rate is not None:
            doc.set_item_tax_rate(rate)
            tax = subtotal * Decimal(rate) / 100
            truth["tax_amount"] = money(tax)
        truth["total_amount"] = money(subtotal + tax)
        doc.finish()
        # pyinvoice prints no currency, so the ground truth has none.
        entries.append(manifest_entry(name, "pyinvoice", truth))
    return entries


def invoicepy_batch(out_dir, count, seed):
    from pathlib import Path

    from invoicepy.models import Address, Company, Customer, Invoice, InvoiceLine, PaymentInformation
    from invoicepy.render import htmlstr_to_pdf, render_invoice

    rng = random.Random(f"{seed}-invoicepy")
    entries = []
    for template in ["simple.html", "simple_lt.html"]:
        for n in range(count):
            vendor, buyer = rng.choice(VENDORS), rng.choice(BUYERS)

            def address():
                city, zip_code = rng.choice(CITIES)
                return Address(first_line=rng.choice(STREETS), second_line=None, post_code=zip_code, city=city,
                               country=rng.choice(["Lithuania", "Czechia", "United Kingdom", "Brazil"]))

            currency = rng.choice(["EUR", "USD", "GBP"])
            vat = rng.choice([0, 9, 21])
            lines = [InvoiceLine(name=rng.choice(ITEMS), qty=rng.randint(1, 12), price=rng.randint(100, 90000) / 100,
                                 vat=vat) for _ in range(rng.randint(1, 5))]
            invoice = Invoice(
                series=rng.choice(["AB", "INV", "LT", "S"]), number=rng.randint(1, 9999), create_date=some_date(rng),
                currency=currency,
                company=Company(name=vendor, address=address(), email=None, logo=None, extra_info=None,
                                payment_information=PaymentInformation(bank_name="Swedbank", iban=f"LT{rng.randint(10**17, 10**18 - 1)}", swift="HABALT22")),
                customer=Customer(name=buyer, address=address(), payment_term_days=rng.choice([14, 30]), email=None),
                due_date=None, lines=lines)
            name = f"invoicepy-{template.split('.')[0]}-{n:02d}.pdf"
            htmlstr_to_pdf(render_invoice(invoice, None, template), Path(out_dir) / name)
            truth = {
                "invoice_number": invoice.name,
                "issue_date": invoice.create_date.isoformat(),
                "due_date": invoice.due_date.isoformat(),
                "currency": currency,
                "vendor_name": vendor,
                "buyer_name": buyer,
                "net_amount": money(invoice.total_wo_tax),
                "tax_amount": money(invoice.total_tax),
                "total_amount": money(invoice.total_inc_tax),
                "line_items": [{"description": line.name, "quantity": float(line.qty), "unit_price": money(line.price),
                                "amount": money(line.total)} for line in lines],
            }
            if not invoice.has_vat_lines():
                # Without VAT the template prints neither a tax nor a total before it.
                del truth["net_amount"], truth["tax_amount"]
            entries.append(manifest_entry(name, f"invoicepy ({template})", truth))
    return entries


MONTHS = {
    "english": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December"],
    "ngerman": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
                "November", "Dezember"],
}


def typeset(tex, name, work, out_dir, engine="pdflatex"):
    """Runs `engine` on `tex` in the folder `work` and moves NAME.pdf to `out_dir`."""
    with open(os.path.join(work, name + ".tex"), "w") as source:
        source.write(tex)
    subprocess.run([engine, "-interaction=nonstopmode", "-halt-on-error", name + ".tex"], cwd=work,
                   check=True, capture_output=True)
    os.replace(os.path.join(work, name + ".pdf"), os.path.join(out_dir, name + ".pdf"))


def latex_batch(out_dir, count, seed):
    """Business letters set by KOMA-Script's scrlttr2 (the DIN letter: sender's letterhead,
    recipient window, a reference line whose labels sit over their values, "Invoice no."
    among them), in English and German, with the items table of the invoice2 package
    (its own column titles and totals: Net Total, VAT, Gross Total). pdflatex typesets them."""
    # (Debian: texlive-latex-extra for invoice2, texlive-science for the siunitx it loads,
    # texlive-lang-german for the German letters, lmodern for the fonts.)
    rng = random.Random(f"{seed}-scrlttr2")
    symbols = {"EUR": "EUR", "USD": r"\$", "GBP": r"\pounds"}
    words = {"english": ("Invoice", "Dear Sir or Madam,", "For our services we invoice you as follows.",
                         "Yours faithfully,"),
             "ngerman": ("Rechnung", "Sehr geehrte Damen und Herren,",
                         "für unsere Leistungen stellen wir Ihnen in Rechnung:", "Mit freundlichen Grüßen")}
    entries = []
    with tempfile.TemporaryDirectory() as work:
        for language in ["english", "ngerman"]:
            for n in range(count):
                vendor, buyer = rng.choice(VENDORS), rng.choice(BUYERS)
                (city, zip_code), (buyer_city, buyer_zip) = rng.choice(CITIES), rng.choice(CITIES)
                currency = rng.choice(["EUR", "USD", "GBP"] if language == "english" else ["EUR"])
                number, issued = invoice_number(rng), some_date(rng)
                months = MONTHS[language]
                date = (f"{months[issued.month - 1]} {issued.day}, {issued.year}" if language == "english"
                        else f"{issued.day}. {months[issued.month - 1]} {issued.year}")
                vat = rng.choice([0, 7, 19, 20])
                lines = [(rng.randint(1, 9), rng.choice(ITEMS), Decimal(rng.randint(100, 90000)) / 100)
                         for _ in range(rng.randint(1, 6))]
                net = sum((units * price for units, _, price in lines), Decimal(0))
                tax = net * vat / 100
                title, opening, text, closing = words[language]
                tex = "\n".join([
                    r"\documentclass[" + language + r",fromalign=right,fromphone]{scrlttr2}",
                    r"\usepackage[T1]{fontenc}",
                    # Type 1 fonts with their Unicode: without them pdflatex falls back to bitmap
                    # fonts whose "£" reads as "¿".
                    r"\usepackage{lmodern}",
                    r"\usepackage{babel}",
                    r"\usepackage{invoice2}",
                    r"\setkomavar{fromname}{" + latex_escape(vendor) + "}",
                    r"\setkomavar{fromaddress}{" + latex_escape(rng.choice(STREETS)) + r"\\" + zip_code + " "
                    + latex_escape(city) + "}",
                    r"\setkomavar{fromphone}{+44 20 7946 0" + str(rng.randint(100, 999)) + "}",
                    r"\setkomavar{customer}{K-" + str(rng.randint(1000, 9999)) + "}",
                    r"\setkomavar{invoice}{" + latex_escape(number) + "}",
                    r"\setkomavar{date}{" + date + "}",
                    r"\setkomavar{subject}{" + title + "}",
                    r"\begin{document}",
                    r"\begin{letter}{" + latex_escape(buyer) + r"\\" + latex_escape(rng.choice(STREETS)) + r"\\"
                    + buyer_zip + " " + latex_escape(buyer_city) + "}",
                    r"\opening{" + opening + "}",
                    text,
                    r"\invoiceoptions{vat=" + str(vat / 100) + ", currency-symbol={" + symbols[currency] + "}}",
                    r"\begin{invoice}",
                    *[r"\invoiceitem{" + str(units) + "}{" + latex_escape(item) + "}{" + f"{price:.2f}" + "}"
                      for units, item, price in lines],
                    r"\end{invoice}",
                    r"\closing{" + closing + "}",
                    r"\end{letter}",
                    r"\end{document}",
                ])
                name = f"scrlttr2-{language}-{n:02d}"
                typeset(tex, name, work, out_dir)
                truth = {"invoice_number": number, "issue_date": issued.isoformat(), "currency": currency,
                         "vendor_name": vendor, "buyer_name": buyer, "total_amount": money(net + tax),
                         # invoice2's "Price" column is the line's price with its VAT.
                         "line_items": [{"description": item, "quantity": units, "unit_price": money(price),
                                         "amount": money(units * price * (100 + vat) / 100)}
                                        for units, item, price in lines]}
                if vat:
                    # Without VAT, invoice2 prints neither a VAT row nor a net total.
                    truth["net_amount"], truth["tax_amount"] = money(net), money(tax)
                entries.append(manifest_entry(name + ".pdf", f"scrlttr2 + invoice2 ({language})", truth))
    return entries


def invoicer_batch(out_dir, count, seed):
    """Slovak invoices ("Faktúra") by invoicer 0.1.0, a freelancer's tool on ReportLab: the
    number beside the title, supplier ("DODÁVATEĽ") and customer ("ODBERATEĽ") side by side
    with their company and tax numbers, a row of dates, a grey payment band (IBAN, SWIFT,
    variable symbol, "Suma na úhradu"), items billed by the hour or by the piece, a discount
    now and then and "Celkom EUR 1 234,50". It prints amounts with a space for thousands and
    a decimal comma and dates as dd.mm.yyyy, always in euros, without VAT ("Nie je platiteľ
    DPH"). Its Python 2 modules are loaded from the installed package's folder."""
    import importlib.util

    import yaml

    package = importlib.util.find_spec("invoicer").submodule_search_locations[0]
    sys.path.insert(0, package)
    import model
    import pdf_writer

    class Resources:
        """The part of invoicer's ResourceManager its PdfWriter uses."""

        def __init__(self):
            with open(os.path.join(package, "res", "values", "strings.yaml"), encoding="utf-8") as strings:
                self.data = yaml.safe_load(strings)

        def get_string(self, key, value=None):
            text = self.data.get(key, "")
            return text if value is None else text % value

        def get_image(self, name):
            from reportlab.lib.utils import ImageReader
            return ImageReader(os.path.join(package, "res", "imgs", f"{name}.png"))

        def get_font(self, name):
            return os.path.join(package, "res", "fonts", f"{name}.ttf")

    class Python2Dict(dict):
        iteritems = dict.items

    rng = random.Random(f"{seed}-invoicer")
    contractors = [("Ing. Peter Kováč", ["Hlavná 12", "040 01 Košice", "Slovensko"]),
                   ("Mobilné riešenia s.r.o.", ["Obchodná 48", "811 06 Bratislava", "Slovensko"]),
                   ("Juraj Hudák - JH Soft", ["Štúrova 7", "949 01 Nitra", "Slovensko"]),
                   ("Tatra Code s.r.o.", ["Námestie SNP 3", "974 01 Banská Bystrica", "Slovensko"])]
    clients = [("Datasys s.r.o.", ["Mlynské nivy 16", "821 09 Bratislava", "Slovensko"]),
               ("Orava Media, a.s.", ["Radlinského 2", "026 01 Dolný Kubín", "Slovensko"]),
               ("Globex Corporation", ["Main Street 5", "Austin, TX 78701", "USA"]),
               ("Müller Werkzeuge GmbH", ["Lindenstraße 14", "10969 Berlin", "Nemecko"])]
    projects = ["Orion", "Kompas", "Tatry", "Helios", "Vega"]
    resources = Resources()
    entries = []
    for n in range(count):
        (vendor, vendor_address), (buyer, buyer_address) = rng.choice(contractors), rng.choice(clients)
        ids = lambda: dict(ico=f"{rng.randint(10000000, 99999999)}", dic=f"{rng.randint(1000000000, 2999999999)}")
        signature = os.path.join(package, "res", "imgs", "white.png")
        contractor = model.Contractor(dict(name=vendor, address=vendor_address, icdph=f"SK{rng.randint(10**9, 10**10 - 1)}",
                                           phone=f"+421 9{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
                                           email="fakturacia@example.sk", signature=signature, **ids()))
        client = model.Client(dict(name=buyer, address=buyer_address, price=0, projects=Python2Dict(),
                                   icdph=f"SK{rng.randint(10**9, 10**10 - 1)}", **ids()))
        issued = some_date(rng)
        due = issued + datetime.timedelta(days=14)
        number = rng.choice([f"{issued:%Y%m}{rng.randint(1, 30):03d}", f"{issued:%Y}{rng.randint(1, 300):03d}"])
        items = []
        for _ in range(rng.randint(1, 4)):
            project = rng.choice(projects)
            if rng.random() < 0.7:
                kind = rng.choice(["mobile", "desktop"])
                items.append(model.Item(resources.get_string(f"item_name_{kind}", project),
                                        Decimal(rng.randint(4, 320)) / 2, model.Unit.HOUR, Decimal(rng.choice([25, 30, 35, 42, 50]))))
            else:
                items.append(model.Item(resources.get_string("item_name_ks", project), 1, model.Unit.KS,
                                        Decimal(rng.randint(1000, 90000)) / 100))
        subtotal = sum((item.total() for item in items), Decimal(0))
        discount = Decimal(rng.choice([0, 0, 0, 50, 120])) if subtotal > 500 else Decimal(0)
        document = model.Document(number=number, due_date=f"{due:%d.%m.%Y}", issue_date=f"{issued:%d.%m.%Y}",
                                  delivery_date=f"{issued:%d.%m.%Y}", contractor=contractor,
                                  bank_account=model.BankAccount(dict(iban=f"SK31 1200 0000 {rng.randint(1000, 9999)} "
                                                                           f"{rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
                                                                      swift="TATRSKBX")),
                                  currency=model.Currency.EUR, client=client, items=items, discount=discount)
        name = f"invoicer-{n:02d}.pdf"
        pdf_writer.PdfWriter(resources, os.path.join(out_dir, name), document).write()
        truth = {"invoice_number": number, "issue_date": issued.isoformat(), "due_date": due.isoformat(),
                 "currency": "EUR", "vendor_name": vendor, "buyer_name": buyer,
                 "total_amount": money(subtotal - discount),
                 "line_items": [{"description": item.name, "quantity": float(item.amount),
                                 "unit_price": money(item.price), "amount": money(item.total())} for item in items]}
        if discount:
            # Printed under the items as "Zľava za doklad 0,79 %  -50,00".
            truth["discount_amount"] = -money(discount)
        entries.append(manifest_entry(name, "invoicer (sk)", truth))
    return entries


def facturapdf_batch(out_dir, count, seed):
    """Spanish invoices by facturapdf 0.0.4 (ReportLab, BSD): the caller's logo and a line of
    company details at the top, a row of boxed fields ("DOCUMENTO", "CÓDIGO", "SERIE",
    "FECHA", "PÁGINA") over their values, the customer in three rows of boxed fields, the
    items ("Descripción", "Unitario", "Unidades", "Total") with a subtotal, then a row of
    totals ("Base imponible", "Impuestos aplicados", "% impuestos", "Importe impuestos",
    "Total factura") and one of payment ("Tipo de pago", "Entidad", "Cuenta", "Vencimiento"),
    and the company's registration in the footer. Amounts are the caller's strings, here in
    the Spanish way ("1.234,56 €"); the invoice number is its "CÓDIGO", under a "SERIE"."""
    import facturapdf
    from facturapdf import dtos
    from PIL import Image

    rng = random.Random(f"{seed}-facturapdf")
    vendors = [("Talleres Ibéricos S.L.", "Calle de Alcalá 48, 28014 Madrid", "B84561237"),
               ("Distribuciones Levante S.A.", "Avenida del Puerto 112, 46023 Valencia", "A46239815"),
               ("Estudio Gràfic Barcelona S.L.", "Carrer de Mallorca 201, 08036 Barcelona", "B65874120"),
               ("Müller Werkzeuge GmbH", "Lindenstraße 14, 10969 Berlin", "DE811907980")]
    customers = [("Construcciones Navarro S.L.", "Calle Mayor 7", "Pamplona", "31001", "Navarra"),
                 ("Hostelería del Sur S.A.", "Avenida de la Constitución 20", "Sevilla", "41004", "Sevilla"),
                 ("Globex Corporation", "Main Street 5", "Austin", "78701", "Texas"),
                 ("Clínica Dental Sonrisa S.L.P.", "Calle Larios 3", "Málaga", "29005", "Málaga")]
    items = ["Horas de consultoría", "Licencia anual de software", "Cartucho de tóner", "Silla de oficina",
             "Servidor en la nube (mensual)", "Instalación in situ", "Jornada de formación",
             "Switch de red 24 puertos", "Contrato de mantenimiento", "Revisión de diseño"]
    spanish = lambda x: f"{x:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    logo = os.path.join(out_dir, "facturapdf-logo.png")
    Image.new("RGB", (120, 40), (40, 90, 160)).save(logo)
    entries = []
    for n in range(count):
        (vendor, address, tax_id), customer = rng.choice(vendors), rng.choice(customers)
        issued = some_date(rng)
        due = issued + datetime.timedelta(days=rng.choice([15, 30, 60]))
        series, code = rng.choice(["A", "F", f"{issued:%Y}"]), f"{rng.randint(1, 9999):06d}"
        rate = rng.choice([21, 10, 4])
        lines = []
        for _ in range(rng.randint(1, 6)):
            units, price = rng.randint(1, 9), Decimal(rng.randint(500, 90000)) / 100
            lines.append((rng.choice(items), price, units, money(price * units)))
        base = money(sum(Decimal(str(line[3])) for line in lines))
        tax = money(Decimal(str(base)) * rate / 100)
        total = money(Decimal(str(base)) + Decimal(str(tax)))

        class Data(dtos.Data):
            HEADER_LOGO = logo
            HEADER_TEXT = f"<b>{vendor}</b><br/>{address}<br/>CIF/NIF {tax_id}"
            FOOTER_TEXT = (f"{vendor} · {address} · CIF/NIF {tax_id} · Inscrita en el Registro Mercantil, "
                           f"tomo {rng.randint(1000, 9999)}, folio {rng.randint(1, 200)}")

        data = Data()
        name, street, city, postal_code, province = customer
        data.customer = dtos.Customer(code=f"C{rng.randint(100, 999)}", name=name, vat=f"B{rng.randint(10**7, 10**8 - 1)}",
                                      address=street, city=city, postal_code=postal_code, province=province,
                                      country="España" if province != "Texas" else "Estados Unidos",
                                      contact_name="Laura Gómez", contact_phone="+34 600 000 000",
                                      contact_email="compras@example.es")
        data.metadata = dtos.Metadata(doc_type="FACTURA", code=code, serie=series, date=f"{issued:%d/%m/%Y}",
                                      subtotal=f"{spanish(base)} €")
        data.rows = [[desc, f"{spanish(price)} €", str(units), f"{spanish(amount)} €"] for desc, price, units, amount in lines]
        data.footer_a = [f"{spanish(base)} €", "IVA", f"{rate} %", f"{spanish(tax)} €", f"{spanish(total)} €"]
        data.footer_b = ["Transferencia", "Banco Ejemplo", f"ES91 2100 0418 45{rng.randint(10**11, 10**12 - 1)}", f"{due:%d/%m/%Y}"]
        file = f"facturapdf-{n:02d}.pdf"
        facturapdf.InvoiceGenerator(data=data).generate(os.path.join(out_dir, file))
        entries.append(manifest_entry(file, "facturapdf (es)", {
            "invoice_number": code, "issue_date": issued.isoformat(), "due_date": due.isoformat(),
            "currency": "EUR", "vendor_name": vendor, "vendor_vat_id": tax_id, "buyer_name": name,
            "net_amount": base, "tax_amount": tax, "total_amount": total,
            "line_items": [{"description": desc, "quantity": units, "unit_price": money(price), "amount": amount}
                           for desc, price, units, amount in lines]}))
    os.remove(logo)
    return entries


def pyinvoicer_batch(out_dir, count, seed):
    """English invoices by pyinvoicer 0.0.3 (BSD 3-Clause; a Jinja HTML template printed by
    WeasyPrint), from the YAML it reads. Its VAT is never read from the YAML: every invoice it
    makes has a VAT of 0, printed as an amount, and a total with VAT equal to the one
    without. It prints the caller's dates as given and amounts as Python's decimals with
    the currency's sign (€ for anything but dollars)."""
    import yaml
    from pyinvoicer.invoice import SimpleInvoice
    from pyinvoicer.renderer import PDFRenderer

    rng = random.Random(f"{seed}-pyinvoicer")
    entries = []
    for n in range(count):
        vendor, buyer = rng.choice(VENDORS), rng.choice(BUYERS)
        (city, postcode), street = rng.choice(CITIES), rng.choice(STREETS)
        issued = some_date(rng)
        due = issued + datetime.timedelta(days=rng.choice([14, 30]))
        currency = rng.choice(["EUR", "USD"])
        date_format = rng.choice(["%Y-%m-%d", "%d %B %Y", "%B %d, %Y"])
        lines = [{"name": rng.choice(ITEMS), "units": rng.randint(1, 9), "unit_price": f"{rng.randint(100, 90000) / 100:.2f}"}
                 for _ in range(rng.randint(1, 5))]
        content = {
            "company": {"name": vendor, "detail": f"{street}<br>{postcode} {city}<br>billing@example.com", "logo_url": ""},
            "invoice": {"id": invoice_number(rng), "date": f"{issued:{date_format}}", "due_date": f"{due:{date_format}}"},
            "client": {"name": buyer, "detail": f"{rng.choice(STREETS)}<br>{rng.choice(CITIES)[0]}"},
            "items": lines, "footer_note": "Thank you for your business. Payment within 30 days.", "currency": currency,
        }
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as source:
            yaml.safe_dump(content, source, allow_unicode=True)
        try:
            invoice = SimpleInvoice(source.name)
        finally:
            os.remove(source.name)
        file = f"pyinvoicer-{n:02d}.pdf"
        PDFRenderer(invoice).dump(os.path.join(out_dir, file))
        net = money(invoice.total_excl_tax)
        entries.append(manifest_entry(file, "pyinvoicer", {
            "invoice_number": content["invoice"]["id"], "issue_date": issued.isoformat(), "due_date": due.isoformat(),
            "currency": currency, "vendor_name": vendor, "buyer_name": buyer,
            "net_amount": net, "tax_amount": 0.0, "total_amount": money(invoice.total_incl_tax),
            "line_items": [{"description": item.name, "quantity": int(item.units), "unit_price": money(item.unit_price),
                            "amount": money(item.amount)} for item in invoice.items]}))
    return entries


def simpleinvoice_batch(out_dir, count, seed):
    """Invoices by the simpleinvoice LaTeX package (2017, LPPL; Debian's texlive-latex-extra),
    English and Norwegian (its two languages): the buyer's name large at the top left, the
    title and the seller's name and address at the right over a block of "Invoice number:",
    "Invoice date:" and "Deadline:" lines, a table of description, item price, VAT rate and
    sum with no quantity, and the subtotal, VAT and total the caller passes, which it prints
    as given. Its dates are babel's \\today (american or norsk), moved to the issue date with
    advdate's \\SetDate, and the deadline the days after it the caller asks for; amounts are
    written as the currency's locale writes them (Python's babel, as a user's script would)."""
    from babel.numbers import format_currency, format_decimal

    rng = random.Random(f"{seed}-simpleinvoice")
    # (babel option, currency, locale of the amounts, VAT rates)
    languages = {"american": [("USD", "en_US", [0]), ("GBP", "en_GB", [20, 0]), ("EUR", "en_IE", [23])],
                 "norsk": [("NOK", "nb_NO", [25, 15])]}
    entries = []
    with tempfile.TemporaryDirectory() as work:
        for language, currencies in languages.items():
            for n in range(count):
                currency, locale, rates = rng.choice(currencies)
                vat = rng.choice(rates)
                vendor, buyer = rng.choice(VENDORS), rng.choice(BUYERS)
                (city, zip_code), (buyer_city, buyer_zip) = rng.choice(CITIES), rng.choice(CITIES)
                number, issued, days = invoice_number(rng), some_date(rng), rng.choice([10, 14, 30])
                street = latex_escape(rng.choice(STREETS))
                lines = [(rng.choice(ITEMS), Decimal(rng.randint(100, 900000)) / 100) for _ in range(rng.randint(1, 6))]
                net = sum((price for _, price in lines), Decimal(0))
                tax = Decimal(money(net * vat / 100)).quantize(Decimal("0.01"))

                def amount(value):
                    # A non-breaking space in the amount is LaTeX's tie.
                    return latex_escape(format_currency(value, currency, locale=locale)).replace("\xa0", "~")

                def sum_with_vat(price):
                    return Decimal(money(price * (100 + vat) / 100))

                settings = [
                    r"\setinvoicenumber{" + latex_escape(number) + "}",
                    r"\setname{" + latex_escape(vendor) + "}",
                    r"\setaddress{" + street + r" \\ " + zip_code + " " + latex_escape(city)
                    + "}{" + street + ", " + zip_code + " " + latex_escape(city) + "}",
                    r"\setemail{billing@example.com}",
                    r"\setreceivername{" + latex_escape(buyer) + "}",
                    r"\setreceiveraddress{" + latex_escape(rng.choice(STREETS)) + r" \\ " + buyer_zip + " "
                    + latex_escape(buyer_city) + "}",
                    r"\setdeadline{" + str(days) + "}",
                    *[r"\additem{" + latex_escape(item) + "}{" + amount(price) + "}{"
                      + format_decimal(vat, locale=locale) + "}{" + amount(sum_with_vat(price)) + "}"
                      for item, price in lines],
                    r"\setsubtotal{" + amount(net) + "}",
                    r"\setvat{" + amount(tax) + "}",
                    r"\settotal{" + amount(net + tax) + "}",
                    r"\setaccountnumber{" + f"{rng.randint(1000, 9999)}.{rng.randint(10, 99)}.{rng.randint(10000, 99999)}" + "}",
                ]
                if rng.random() < 0.5:
                    settings.append(r"\setyourref{" + rng.choice(["PO ", "Order "]) + str(rng.randint(1000, 99999)) + "}")
                tex = "\n".join([
                    r"\documentclass[a4paper," + language + "]{article}",
                    r"\usepackage[T1]{fontenc}",
                    r"\usepackage{lmodern}",
                    r"\usepackage[margin=2cm]{geometry}",
                    r"\usepackage{simpleinvoice}",
                    r"\SetDate[" + f"{issued:%d/%m/%Y}" + "]",
                    *settings,
                    r"\begin{document}",
                    r"\makeinvoice",
                    r"\end{document}",
                ])
                name = f"simpleinvoice-{language}-{n:02d}"
                typeset(tex, name, work, out_dir)
                entries.append(manifest_entry(name + ".pdf", f"simpleinvoice ({language})", {
                    "invoice_number": number, "issue_date": issued.isoformat(),
                    "due_date": (issued + datetime.timedelta(days=days)).isoformat(),
                    "currency": currency, "vendor_name": vendor, "buyer_name": buyer,
                    "net_amount": money(net), "tax_amount": money(tax), "total_amount": money(net + tax),
                    "line_items": [{"description": item, "unit_price": money(price),
                                    "amount": money(sum_with_vat(price))} for item, price in lines]}))
    return entries


def invoice_package_batch(out_dir, count, seed):
    """Letters set by LaTeX's standard letter class (the sender's address and the date at the
    right, the recipient at the left, the invoice number in the opening line as a user writes
    it) around the table of the invoice package (2018, LPPL; Debian's texlive-latex-extra), in
    Swedish, Estonian, Finnish and Dutch, the package's own labels in each: fees with their
    unit rate and count, a subtotal, the VAT and the totals it computes ("Slutsumma",
    "Kogusumma", "Yhteensä", "Totaal"). Its `comma` option, taken at random, prints the
    amounts it computes with a decimal comma and the rates as given."""
    rng = random.Random(f"{seed}-invoice-package")
    # babel language: (opening words, month names, date pattern, currencies, VAT rates)
    languages = {
        "swedish": ("Faktura nr", ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
                                   "september", "oktober", "november", "december"], "{d} {m} {y}",
                    [("SEK", "SEK"), ("kr", "SEK")], [25, 12]),
        "estonian": ("Arve nr", ["jaanuar", "veebruar", "märts", "aprill", "mai", "juuni", "juuli", "august",
                                 "september", "oktoober", "november", "detsember"], "{d}. {m} {y}",
                     [("EUR", "EUR"), ("Euro", "EUR")], [22, 9]),
        "finnish": ("Lasku nro", ["tammikuuta", "helmikuuta", "maaliskuuta", "huhtikuuta", "toukokuuta", "kesäkuuta",
                                  "heinäkuuta", "elokuuta", "syyskuuta", "lokakuuta", "marraskuuta", "joulukuuta"],
                    "{d}. {m} {y}", [("EUR", "EUR"), ("Euro", "EUR")], [24, 14]),
        "dutch": ("Factuur nr.", ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                                  "september", "oktober", "november", "december"], "{d} {m} {y}",
                  [("EUR", "EUR"), ("Euro", "EUR")], [21, 9]),
    }
    closings = {"swedish": "Med vänliga hälsningar", "estonian": "Lugupidamisega", "finnish": "Ystävällisin terveisin",
                "dutch": "Met vriendelijke groet"}
    projects = ["Website redesign", "Annual support", "Office move", "Network upgrade", "Q3 consulting"]
    entries = []
    with tempfile.TemporaryDirectory() as work:
        for language, (opening, months, pattern, currencies, rates) in languages.items():
            for n in range(count):
                vendor, buyer = rng.choice(VENDORS), rng.choice(BUYERS)
                (city, zip_code), (buyer_city, buyer_zip) = rng.choice(CITIES), rng.choice(CITIES)
                number, issued = invoice_number(rng), some_date(rng)
                (symbol, currency), vat = rng.choice(currencies), rng.choice(rates)
                fees = [(rng.choice(ITEMS), Decimal(rng.randint(1000, 90000)) / 100, rng.randint(1, 12))
                        for _ in range(rng.randint(1, 5))]
                net = sum((rate * units for _, rate, units in fees), Decimal(0))
                # The package counts in cents and drops the fraction of a cent of the VAT.
                tax = Decimal(int(net * 100) * vat // 100) / 100
                tex = "\n".join([
                    r"\documentclass[a4paper]{letter}",
                    r"\usepackage[T1]{fontenc}",
                    r"\usepackage{lmodern}",
                    r"\usepackage[" + language + "]{babel}",
                    r"\usepackage" + ("[comma]" if rng.random() < 0.5 else "") + "{invoice}",
                    r"\address{" + latex_escape(vendor) + r"\\ " + latex_escape(rng.choice(STREETS)) + r"\\ "
                    + zip_code + " " + latex_escape(city) + "}",
                    r"\signature{" + latex_escape(vendor) + "}",
                    r"\date{" + pattern.format(d=issued.day, m=months[issued.month - 1], y=issued.year) + "}",
                    r"\begin{document}",
                    r"\begin{letter}{" + latex_escape(buyer) + r"\\ " + latex_escape(rng.choice(STREETS)) + r"\\ "
                    + buyer_zip + " " + latex_escape(buyer_city) + "}",
                    r"\opening{" + opening + " " + latex_escape(number) + "}",
                    r"\begin{invoice}{" + symbol + "}{" + str(vat) + "}",
                    r"\ProjectTitle{" + rng.choice(projects) + "}",
                    *[r"\Fee{" + latex_escape(item) + "}{" + f"{rate:.2f}" + "}{" + str(units) + "}"
                      for item, rate, units in fees],
                    r"\end{invoice}",
                    r"\closing{" + closings[language] + "}",
                    r"\end{letter}",
                    r"\end{document}",
                ])
                name = f"invoice-package-{language}-{n:02d}"
                typeset(tex, name, work, out_dir)
                entries.append(manifest_entry(name + ".pdf", f"letter + invoice ({language})", {
                    "invoice_number": number, "issue_date": issued.isoformat(), "currency": currency,
                    "vendor_name": vendor, "buyer_name": buyer,
                    "net_amount": money(net), "tax_amount": money(tax), "total_amount": money(net + tax),
                    "line_items": [{"description": item, "quantity": units, "unit_price": money(rate),
                                    "amount": money(rate * units)} for item, rate, units in fees]}))
    return entries


def isodoc_batch(out_dir, count, seed):
    """Invoices by the isodoc class (2021, LPPL; Debian's texlive-latex-extra), in each of the
    twelve languages it speaks, set up as its manual's invoice example: the seller's name large
    over a rule with the address under it, the recipient in the envelope window, a reference
    line ("Your reference", "Our reference", "Date") whose "our reference" is the invoice
    number, the class's title ("invoice", "Rechnung", "rekening", ...), a two-column table of
    descriptions and amounts titled "Amount (currency)", a subtotal, the VAT and the total the
    caller writes as \\itotal lines, and the payment data with the term in days and the
    reference again. Without a currency the class prints the euro sign of the marvosym font.
    Amounts are written as the language's locale writes them (Python's babel), with or without
    groups; the class prints the date (given as yyyymmdd) in its language."""
    from babel.numbers import format_decimal

    rng = random.Random(f"{seed}-isodoc")
    euro = [(None, "EUR"), ("EUR", "EUR")]
    # language: (currencies as (the currency key, or None for the class's euro sign; ISO code),
    # locale of the amounts, VAT rates, the subtotal's label, the tax's label or None for the class's)
    languages = {
        "en-GB": ([(r"\pounds", "GBP"), ("GBP", "GBP")], "en_GB", [20, 0], "Subtotal", None),
        "en-US": ([(r"\$", "USD"), ("USD", "USD")], "en_US", [0, 8], "Subtotal", "Sales tax"),
        "de-DE": (euro, "de_DE", [19, 7], "Zwischensumme", None),
        "fr-FR": (euro, "fr_FR", [20, 10], "Sous-total", None),
        "it-IT": (euro, "it_IT", [22, 10], "Subtotale", None),
        "es-ES": (euro, "es_ES", [21, 10], "Subtotal", None),
        "ca-ES": (euro, "ca_ES", [21, 10], "Subtotal", None),
        "nl-NL": (euro, "nl_NL", [21, 9], "Subtotaal", None),
        "nl-BE": (euro, "nl_BE", [21, 6], "Subtotaal", None),
        "nb-NO": ([("kr", "NOK"), ("NOK", "NOK")], "nb_NO", [25, 15], "Delsum", None),
        "sv-SE": ([("kr", "SEK"), ("SEK", "SEK")], "sv_SE", [25, 12], "Delsumma", None),
        "sr-RS": ([("RSD", "RSD"), ("din.", "RSD")], "sr_Latn_RS", [20, 10], "Međuzbir", None),
    }
    people = ["Jana Nováková", "Tom Baker", "Ana Lima", "Pieter de Vries", "Marco Rossi", "Ingrid Berg"]
    subjects = ["Website redesign", "Annual support", "Office move", "Network upgrade", "Q3 consulting"]
    entries = []
    with tempfile.TemporaryDirectory() as work:
        for language, (currencies, locale, rates, subtotal_label, tax_label) in languages.items():
            for n in range(max(1, count // 2)):
                vendor, buyer, who = rng.choice(VENDORS), rng.choice(BUYERS), rng.choice(people)
                (city, zip_code), (buyer_city, buyer_zip) = rng.choice(CITIES), rng.choice(CITIES)
                street = latex_escape(rng.choice(STREETS))
                number, issued, term = invoice_number(rng), some_date(rng), rng.choice([14, 30])
                (symbol, currency), vat = rng.choice(currencies), rng.choice(rates)
                grouped = rng.random() < 0.5
                lines = [(rng.choice(ITEMS), Decimal(rng.randint(1000, 500000)) / 100) for _ in range(rng.randint(1, 6))]
                net = sum((price for _, price in lines), Decimal(0))
                tax = Decimal(money(net * vat / 100)).quantize(Decimal("0.01"))

                def amount(value):
                    text = format_decimal(value, format="#,##0.00" if grouped else "0.00", locale=locale)
                    # Non-breaking spaces in the groups are LaTeX's tie and thin space.
                    return text.replace("\xa0", "~").replace("\u202f", r"\,")

                setup = [
                    "language=" + language, "company={" + latex_escape(vendor) + "}", "who={" + who + "}",
                    "street={" + street + "}", "zip={" + zip_code + "}", "city={" + latex_escape(city) + "}",
                    "term=" + str(term),
                    "accountname={" + latex_escape(vendor) + "}", "vatno={" + str(rng.randint(10**8, 10**9 - 1)) + "B01}",
                    "footer", "footorder={website;phone;email}", "website={www.example.com}",
                    "phone={20\\,7946\\," + str(rng.randint(1000, 9999)) + "}", "email={billing@example.com}",
                ]
                if language == "en-US":
                    setup += ["routingno=" + str(rng.randint(10**8, 10**9 - 1)), "accountno=" + str(rng.randint(10**9, 10**10 - 1))]
                else:
                    # The manual asks for the IBAN in lower case, typeset in small capitals.
                    setup.append("iban={\\scshape " + language[-2:].lower() + str(rng.randint(10, 99)) + "bank0"
                                 + str(rng.randint(10**8, 10**9 - 1)) + "}")
                if symbol:
                    setup.append("currency={" + symbol + "}")
                if rng.random() < 0.5:
                    setup += ["return", "returnaddress={" + latex_escape(vendor) + r"\\" + street + r"\\" + zip_code + " "
                              + latex_escape(city) + "}"]
                options = ["to={" + latex_escape(buyer) + r"\\" + latex_escape(rng.choice(STREETS)) + r"\\" + buyer_zip
                           + " " + latex_escape(buyer_city) + "}",
                           "date=" + f"{issued:%Y%m%d}", "ourref={" + latex_escape(number) + "}"]
                if rng.random() < 0.5:
                    options.append("yourref={PO " + str(rng.randint(1000, 99999)) + "}")
                if rng.random() < 0.5:
                    options.append("subject={" + rng.choice(subjects) + "}")
                rows = [r"\iitem{" + latex_escape(item) + "}{" + amount(price) + "}" for item, price in lines]
                if vat:
                    rows += [r"\itotal[" + subtotal_label + "]{" + amount(net) + "}",
                             r"\iitem{" + (tax_label or r"\vattext{}") + " " + str(vat) + r"\,\%}{" + amount(tax) + "}"]
                rows.append(r"\itotal{" + amount(net + tax) + "}")
                tex = "\n".join([
                    r"\documentclass{isodoc}",
                    r"\usepackage[T1]{fontenc}",
                    r"\usepackage{lmodern}",
                    r"\setupdocument{" + ", ".join(setup) + "}",
                    r"\begin{document}",
                    r"\invoice[" + ", ".join(options) + "]{",
                    r"\itable{", *rows, "}",
                    r"\\[3ex]\paymentdata",
                    "}",
                    r"\end{document}",
                ])
                name = f"isodoc-{language}-{n:02d}"
                typeset(tex, name, work, out_dir)
                truth = {"invoice_number": number, "issue_date": issued.isoformat(), "currency": currency,
                         "vendor_name": vendor, "buyer_name": buyer, "total_amount": money(net + tax),
                         "line_items": [{"description": item, "amount": money(price)} for item, price in lines]}
                if vat:
                    truth["net_amount"], truth["tax_amount"] = money(net), money(tax)
                entries.append(manifest_entry(name + ".pdf", f"isodoc ({language})", truth))
    return entries


def factura_batch(out_dir, count, seed):
    """Venezuelan invoices by the factura class (2022, LPPL; Debian's texlive-latex-extra, with
    texlive-lang-spanish for its babel), as its basic example sets them: "FACTURA Nº 001742"
    and "Fecha de emisión" on one line, the customer's data as "Razón social:" and "R.I.F.:"
    over a dotted leader, a table of count, description, unit and line price in bolívares
    ("Precio U. (Bs.)", "Precio T. (Bs.)") with each price marked by its tax class, and the
    class's own sums: exempt items, the taxable base and the 16 % IVA ("BI G (16%)", "IVA G
    (16%)") and "TOTAL Bs. 2.126,32". The seller's name, address and R.I.F. are the
    letterhead the user sets with \\Membrete, as the manual's example background prints them:
    the name large and centred over a line of small print."""
    rng = random.Random(f"{seed}-factura")
    addresses = ["Av. Francisco de Miranda, Torre Europa, piso 4, Caracas", "Calle 72 con Av. 3E, Maracaibo, Zulia",
                 "Av. Bolívar Norte, C.C. Camoruco, Valencia, Carabobo", "Carrera 19 con Calle 31, Barquisimeto, Lara"]
    entries = []
    with tempfile.TemporaryDirectory() as work:
        for n in range(count):
            vendor, buyer = rng.choice(VENDORS), rng.choice(BUYERS)
            number, issued = rng.randint(1, 99999), some_date(rng)
            rif = lambda: f"J-{rng.randint(10, 49)}.{rng.randint(100, 999)}.{rng.randint(100, 999)}-{rng.randint(0, 9)}"
            lines = [(rng.randint(1, 12), rng.choice(ITEMS), Decimal(rng.randint(100, 900000)) / 100, rng.random() < 0.2)
                     for _ in range(rng.randint(1, 6))]
            totals = [(Decimal(money(units * price)), exempt) for units, _, price, exempt in lines]
            base = sum((t for t, exempt in totals if not exempt), Decimal(0))
            tax = Decimal(money(base * Decimal("0.16")))
            total = sum((t for t, _ in totals), Decimal(0)) + tax
            tex = "\n".join([
                r"\documentclass{factura}",
                r"\usepackage{lmodern}",
                r"\Num{" + str(number) + "}",
                r"\RazonSocial{" + latex_escape(buyer) + "}",
                r"\RIF{" + rif() + "}",
                r"\Direccion{" + latex_escape(rng.choice(addresses)) + ", Venezuela}",
                r"\Telefono{+58 (212) " + f"{rng.randint(100, 999)}.{rng.randint(10, 99)}.{rng.randint(10, 99)}" + "}",
                r"\Fecha{" + f"{issued:%d-%m-%Y}" + "}",
                r"\Membrete{{\centering\LARGE\bfseries " + latex_escape(vendor) + r"\par}"
                + r"{\centering\footnotesize " + latex_escape(rng.choice(addresses)) + ", Venezuela. RIF: " + rif()
                + r"\par}}",
                r"\begin{document}",
                r"\begin{factura}",
                *[(r"\ItemE{" if exempt else r"\Item{") + str(units) + "}{" + latex_escape(item) + "}{" + f"{price:.2f}" + "}"
                  for units, item, price, exempt in lines],
                r"\end{factura}",
                r"\end{document}",
            ])
            name = f"factura-{n:02d}"
            typeset(tex, name, work, out_dir)
            truth = {"invoice_number": f"{number:06d}", "issue_date": issued.isoformat(), "currency": "VES",
                     "vendor_name": vendor, "buyer_name": buyer, "total_amount": money(total),
                     "line_items": [{"description": item, "quantity": units, "unit_price": money(price),
                                     "amount": money(units * price)} for units, item, price, _ in lines]}
            if base:
                truth["tax_amount"] = money(tax)
            if all(not exempt for *_, exempt in lines):
                # With exempt items the page prints their sum and the taxable base apart, and
                # no net amount.
                truth["net_amount"] = money(base)
            entries.append(manifest_entry(name + ".pdf", "factura (es-VE)", truth))
    return entries


def facture_batch(out_dir, count, seed):
    """French invoices by the facture class (2017, CC BY-SA; Debian's texlive-lang-french), a
    XeLaTeX class, set up as its examples are: the seller's name large and grey in the left half
    of a framed letterhead with its address, e-mail and telephone in the right half, "Facture"
    large on the right, the customer under "Facturation" beside the delivery address under
    "Livraison" (or one block under "Livraison et Facturation"), then "Date :", "Facture n°",
    "Code client :" and "À payer avant :" (the date plus the days the user sets), the table of
    product, quantity, "Prix HT", "Remise" (a discount in euros per line; the `sansremise` option
    drops it), "Total HT", the VAT rate with its amount and "Prix TTC", and "Total HT", "Total
    TVA", "Total TTC" under it; the `sansTVA` option (a small business exempt from VAT) prints
    "Prix" and "Total" and "TVA non applicable, art. 293 B". The class computes every sum
    itself (each line's VAT unrounded, the totals rounded when printed); the ground truth does
    the same. The footer is the user's "Payable à l'ordre de …" line. Needs xelatex and the
    Linux Libertine O font of the examples (Debian: texlive-xetex, fonts-linuxlibertine)."""
    rng = random.Random(f"{seed}-facture")
    places = [("12 rue de la République", "69002 Lyon"), ("4 place du Marché", "44000 Nantes"),
              ("87 avenue Jean Jaurès", "31000 Toulouse"), ("3 boulevard Gambetta", "59000 Lille"),
              ("25 quai des Chartrons", "33000 Bordeaux"), ("9 rue Saint-Ferréol", "13001 Marseille")]
    rates = [Decimal("20"), Decimal("20"), Decimal("10"), Decimal("5.5"), Decimal("2.1")]
    entries = []
    with tempfile.TemporaryDirectory() as work:
        for n in range(count):
            vendor, buyer = rng.choice(VENDORS), rng.choice(BUYERS)
            without_vat, without_discount = rng.random() < 0.25, rng.random() < 0.5
            number = rng.choice([str(rng.randint(1, 999)), f"{rng.randint(2021, 2025)}-{rng.randint(1, 999):03d}",
                                 f"F{rng.randint(10000, 99999)}"])
            issued, days = some_date(rng), rng.choice([None, 15, 30, 30, 45, 60])
            default_rate = rng.choice(rates)
            lines = []
            for _ in range(rng.randint(1, 5)):
                units, price = rng.randint(1, 10), Decimal(rng.randint(500, 250000)) / 100
                discount = Decimal(0) if without_discount or rng.random() < 0.6 else Decimal(rng.randint(100, 2000)) / 100
                lines.append((rng.choice(ITEMS), units, price, min(discount, units * price),
                              rng.choice(rates) if rng.random() < 0.3 else None))
            (street, city), (buyer_street, buyer_city) = rng.sample(places, 2)
            billed_apart = rng.random() < 0.7
            options = [option for option, on in (("sansTVA", without_vat), ("sansremise", without_discount)) if on]
            number_text = lambda value: f"{value}".replace(".", ",")

            if without_discount:
                # Without the discount column the class reads the VAT rate from the fourth argument
                # (0 when left out) but prints the default rate: each line is given the default.
                lines = [(item, units, price, discount, default_rate) for item, units, price, discount, _ in lines]

            def line(item, units, price, discount, rate):
                arguments = "{" + latex_escape(item) + "}[" + str(units) + "]{" + number_text(price) + "}"
                if not without_discount:
                    arguments += "[" + number_text(discount) + "]"
                if rate is not None and not without_vat:
                    arguments += "[" + number_text(rate) + "]"
                return r"\ligne" + arguments

            tex = "\n".join([
                r"\documentclass[" + ",".join(options) + "]{facture}",
                r"\usepackage[top=2 cm, bottom=2 cm, left=1.5 cm, right=2.5 cm]{geometry}",
                r"\setmainfont[Mapping=tex-text]{Linux Libertine O}",
                r"\TVAdefaut{" + number_text(default_rate) + "}",
                r"\date{" + f"{issued:%d/%m/%Y}" + "}",
                *([r"\datelimite{" + str(days) + "}"] if days else []),
                *([r"\fact{" + latex_escape(buyer) + r"\\" + buyer_street + r"\\" + buyer_city + "}"] if billed_apart else []),
                r"\dest{" + (latex_escape(rng.choice([buyer, "Entrepôt " + buyer_city.split()[1], "Service réception"]))
                             if billed_apart else latex_escape(buyer)) + r"\\" + buyer_street + r"\\" + buyer_city + "}",
                # A name too long for its half of the letterhead wraps at a space, unhyphenated.
                r"\nomemet{\hyphenpenalty=10000 " + latex_escape(vendor) + r"\par}",
                r"\adresseemet{" + street + r"\\" + city + r"\\contact@" + re.sub(r"[^a-z]", "", vendor.lower())[:12]
                + r".fr\\Tel : 0" + " ".join(f"{rng.randint(10, 99)}" for _ in range(5))[1:] + "}",
                r"\codedest{" + buyer[:3].upper() + str(rng.randint(1, 99)) + "}",
                r"\numero{" + number + "}",
                r"\pied{Payable à l’ordre de " + latex_escape(vendor) + r" --- SIRET : "
                + " ".join(str(rng.randint(100, 999)) for _ in range(3)) + f" {rng.randint(10000, 99999)}" + "}",
                r"\begin{document}",
                r"\entete",
                r"\begin{facture}",
                *[line(*item) for item in lines],
                r"\end{facture}",
                r"\end{document}",
            ])
            name = f"facture-{n:02d}"
            typeset(tex, name, work, out_dir, engine="xelatex")
            net_lines = [units * price - discount for _, units, price, discount, _ in lines]
            net = sum(net_lines, Decimal(0))
            truth = {"invoice_number": number, "issue_date": issued.isoformat(), "currency": "EUR",
                     "vendor_name": vendor, "buyer_name": buyer,
                     "line_items": [{"description": item, "quantity": units, "unit_price": money(price),
                                     "amount": money(amount)}
                                    for (item, units, price, _, _), amount in zip(lines, net_lines)]}
            if days:
                truth["due_date"] = (issued + datetime.timedelta(days=days)).isoformat()
            if without_vat:
                truth["total_amount"] = money(net)
            else:
                tax = sum((amount * (rate if rate is not None else default_rate) / 100
                           for amount, (*_, rate) in zip(net_lines, lines)), Decimal(0))
                truth.update(net_amount=money(net), tax_amount=money(tax), total_amount=money(net + tax))
            entries.append(manifest_entry(name + ".pdf", "facture (fr-FR)", truth))
    return entries


def invoice_class_batch(out_dir, count, seed):
    """US commercial invoices (the customs form that goes with a parcel) by the invoice-class
    LaTeX class (2019, LPPL; Debian's texlive-latex-extra), set up as its documentation asks: the
    sender, the shipper's name and the place in an invoice.cfg, the goods in a CSV file that
    datatool reads. It prints a waybill number and no invoice number, "From:" and "To:"
    columns, the goods' value, packing, shipping and insurance costs and the "Total Invoice
    Value" in dollars, and the date in the signature box at the foot. With the datatool
    Debian ships, it prints a total of $1,000 or more wrongly, so the goods here stay under it."""
    import csv

    rng = random.Random(f"{seed}-invoice-class")
    goods_items = ["Printer toner cartridge", "Office chair", "Network switch 24-port", "Paper A4, 5 boxes",
                   "USB-C docking station", "Replacement drill bits (set of 12)"]
    countries = ["USA", "Taiwan", "Germany", "Mexico", "Czech Republic", "Brazil"]
    carriers = ["UPS", "FedEx", "DHL Express", "USPS Priority Mail International"]
    shippers = ["Dana Whitfield", "Marek Novak", "Priya Raman", "Tom Okafor"]
    entries = []
    with tempfile.TemporaryDirectory() as work:
        for n in range(count):
            vendor, buyer = rng.choice(VENDORS), rng.choice(BUYERS)
            (city, zip_code), (buyer_city, buyer_zip) = rng.choice(CITIES), rng.choice(CITIES)
            shipped = some_date(rng)
            lines = []
            while not lines or sum(units * price for _, _, units, price in lines) > 800:
                lines = [(rng.choice(goods_items), rng.choice(countries), rng.randint(1, 6), Decimal(rng.randint(100, 25000)) / 100)
                         for _ in range(rng.randint(1, 4))]
            costs = {"packingcost": Decimal(rng.choice([0, 500, 1250])) / 100,
                     "shippingcost": Decimal(rng.randint(1500, 9000)) / 100,
                     "insurancecost": Decimal(rng.choice([0, rng.randint(100, 2500)])) / 100}
            with open(os.path.join(work, "goods.csv"), "w", newline="") as goods:
                table = csv.writer(goods)
                table.writerow(["Description", "Country", "Quantity", "UnitValue", "Amount"])
                table.writerows([item, country, units, f"{price:.2f}", f"{units * price:.2f}"]
                                for item, country, units, price in lines)
            with open(os.path.join(work, "invoice.cfg"), "w") as config:
                config.write("\n".join([
                    r"\fromaddress{" + latex_escape(vendor) + r"\\" + latex_escape(rng.choice(STREETS)) + r"\\"
                    + latex_escape(city) + " " + zip_code + r"\\Tel. +1 512 555 0" + str(rng.randint(100, 199)) + "}",
                    r"\shipper{" + rng.choice(shippers) + "}",
                    r"\location{" + latex_escape(city) + "}", ""]))
            months = MONTHS["english"]
            tex = "\n".join([
                r"\documentclass{invoice-class}",
                r"\usepackage[T1]{fontenc}",
                r"\usepackage{lmodern}",
                r"\InputFile{goods.csv}",
                r"\waybill{1Z" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(16)) + "}",
                r"\shippingdate{" + f"{months[shipped.month - 1]} {shipped.day}, {shipped.year}" + "}",
                r"\toaddress{" + latex_escape(buyer) + r"\\" + latex_escape(rng.choice(STREETS)) + r"\\"
                + buyer_zip + " " + latex_escape(buyer_city) + "}",
                r"\destination{" + rng.choice(countries) + "}",
                r"\carrier{" + rng.choice(carriers) + "}",
                r"\packages{" + str(rng.randint(1, 4)) + "}",
                r"\weight{" + str(rng.randint(1, 40)) + "}{" + str(rng.randint(0, 15)) + "}",
                *["\\" + cost + "{" + f"{value:.2f}" + "}" for cost, value in costs.items()],
                r"\begin{document}",
                r"\printinvoice",
                r"\end{document}",
            ])
            name = f"invoice-class-{n:02d}"
            typeset(tex, name, work, out_dir)
            goods_value = sum((units * price for _, _, units, price in lines), Decimal(0))
            entries.append(manifest_entry(name + ".pdf", "invoice-class", {
                # A waybill number is the carrier's, not an invoice number.
                "invoice_number": None, "issue_date": shipped.isoformat(), "currency": "USD",
                "vendor_name": vendor, "buyer_name": buyer,
                "total_amount": money(goods_value + sum(costs.values())),
                "line_items": [{"description": item, "quantity": units, "unit_price": money(price),
                                "amount": money(units * price)} for item, _, units, price in lines]}))
    return entries


def django_invoicing_batch(out_dir, count, seed):
    """Invoices by django-invoicing 13.1.0 (Pragmatic Mates; its HTML formatter, Bootstrap 4
    panels printed by Chromium, as its own PDF export sends them to a print service; Bootstrap's
    print styles make the page A3) in
    English, Czech, Polish, Hungarian and Romanian, the languages it is translated into. Its
    templates and translations render through Django; the invoice they read is a plain object
    with the model's fields and sums (items' subtotals, their VAT, total, amount to pay), not a
    database row. Amounts are Django's floatformat in the language's number format ("1234.50",
    "633,07") followed by the currency's code; dates d.m.Y; the number is the package's default, year/sequence."""
    loader = django_templates()
    from django.utils import translation

    css = open(os.environ["BOOTSTRAP_CSS"]).read()
    rng = random.Random(f"{seed}-django-invoicing")
    places = [("Vinohradská 112", "12000", "Praha", "Czechia"), ("ul. Marszałkowska 84", "00-514", "Warszawa", "Poland"),
              ("Andrássy út 60", "1062", "Budapest", "Hungary"), ("Strada Lipscani 21", "030031", "București", "Romania"),
              ("Harbour Road 17", "LS1 4AP", "Leeds", "United Kingdom")]
    currencies = {"cs": "CZK", "pl": "PLN", "hu": "HUF", "ro": "RON", "en": "EUR"}

    class Rows(list):
        def exists(self):
            return bool(self)

        def all(self):
            return self

    class Item:
        get_absolute_url = None
        discount = 0

        def __init__(self, title, quantity, unit_price, tax_rate):
            self.title, self.quantity, self.unit_price, self.tax_rate = title, quantity, unit_price, tax_rate
            self.subtotal = Decimal(money(unit_price * quantity))
            self.vat = Decimal(money(self.subtotal * tax_rate / 100))
            self.total = self.subtotal + self.vat

        def get_unit_display(self):
            return translation.gettext("pcs.")

    class Invoice:
        class TYPE:
            ADVANCE = "ADVANCE"
        credit = already_paid = 0
        has_discount = is_reverse_charge = False
        subtitle = note = delivery_method = constant_symbol = specific_symbol = reference = None
        issuer_phone = supplier_additional_info = customer_additional_info = shipping = None
        bank_street = bank_zip = bank_city = bank_country = None

        def __init__(self, **fields):
            self.__dict__.update(fields)
            self.subtotal = sum(item.subtotal for item in self.item_set)
            self.vat = sum(item.vat for item in self.item_set)
            self.total = self.to_pay = self.subtotal + self.vat
            self.payment_term = (self.date_due - self.date_issue).days

        def __str__(self):
            return self.number

        def get_type_display(self):
            return translation.gettext("Invoice")

        def get_payment_method_display(self):
            return translation.gettext("bank transfer")

        def get_supplier_country_display(self):
            return self.supplier_country

        def get_customer_country_display(self):
            return self.customer_country

    entries = []
    with tempfile.TemporaryDirectory() as html_dir:
        for n in range(count):
            language = ["en", "cs", "pl", "hu", "ro"][n % 5]
            vendor, buyer = rng.choice(VENDORS), rng.choice(BUYERS)
            (street, zip_code, city, country), (buyer_street, buyer_zip, buyer_city, buyer_country) = rng.sample(places, 2)
            issued = some_date(rng)
            due = issued + datetime.timedelta(days=rng.choice([14, 30]))
            rate = rng.choice([0, 10, 20, 21, 23, 27])
            items = Rows(Item(rng.choice(ITEMS), rng.randint(1, 9), Decimal(rng.randint(100, 90000)) / 100, rate)
                         for _ in range(rng.randint(1, 5)))
            invoice = Invoice(
                language=language, number=f"{issued.year}/{rng.randint(1, 999)}", item_set=items, currency=currencies[language],
                supplier_name=vendor, supplier_street=street, supplier_zip=zip_code, supplier_city=city, supplier_country=country,
                supplier_registration_id=str(rng.randint(10**7, 10**8 - 1)), supplier_tax_id=str(rng.randint(10**9, 10**10 - 1)),
                supplier_vat_id=f"CZ{rng.randint(10**7, 10**8 - 1)}",
                customer_name=buyer, customer_street=buyer_street, customer_zip=buyer_zip, customer_city=buyer_city,
                customer_country=buyer_country, customer_registration_id=str(rng.randint(10**7, 10**8 - 1)),
                customer_tax_id="", customer_vat_id="",
                bank_name="Example Bank", bank_iban=f"CZ65080000{rng.randint(10**13, 10**14 - 1)}", bank_swift_bic="GIBACZPX",
                issuer_name="Jana Nováková", issuer_email="billing@example.com",
                date_issue=issued, date_tax_point=issued, date_due=due, payment_method="BANK_TRANSFER",
                variable_symbol=str(rng.randint(10**5, 10**9)))
            html = loader.get_template("invoicing/formatters/bootstrap.html").render({"invoice": invoice})
            html = re.sub(r"<link rel=\"stylesheet\"[^>]*>", lambda _: f"<style>{css}</style>", html)
            file = f"django-invoicing-{n:02d}.pdf"
            print_html(html, os.path.join(html_dir, f"{n}.html"), os.path.join(out_dir, file))
            entries.append(manifest_entry(file, f"django-invoicing ({language})", {
                "invoice_number": invoice.number, "issue_date": issued.isoformat(), "due_date": due.isoformat(),
                "currency": invoice.currency, "vendor_name": vendor, "vendor_vat_id": invoice.supplier_vat_id,
                "buyer_name": buyer, "net_amount": float(invoice.subtotal), "tax_amount": float(invoice.vat),
                "total_amount": float(invoice.total),
                "line_items": [{"description": item.title, "quantity": item.quantity,
                                "unit_price": float(item.unit_price), "amount": float(item.total)}
                               for item in items]}))
    return entries


def package_dir(name):
    """Where an installed package lives, without importing it."""
    import importlib.util

    return importlib.util.find_spec(name).submodule_search_locations[0]


def django_templates():
    """Django, configured once, for the templates and translations of django-invoicing and
    django-oscar-invoices with their template tag libraries: django-invoicing's own, and
    Oscar's `currency` filter as Oscar writes it (babel's format_currency in the active
    language's locale), as Oscar itself is not installed. Returns Django's template loader."""
    import django
    from django.conf import settings

    if not settings.configured:
        from babel.numbers import format_currency
        from django import template
        from django.utils import translation

        currency_filters = types.ModuleType("oscar_currency_filters")
        currency_filters.register = template.Library()
        currency_filters.register.filter("currency", lambda value, currency: format_currency(
            value, currency, locale=translation.to_locale(translation.get_language() or "en")))
        sys.modules[currency_filters.__name__] = currency_filters
        packages = [package_dir("invoicing"), package_dir("oscar_invoices")]
        settings.configure(
            USE_I18N=True, LANGUAGE_CODE="en", LOCALE_PATHS=[os.path.join(p, "locale") for p in packages],
            TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates",
                        "DIRS": [os.path.join(p, "templates") for p in packages],
                        "OPTIONS": {"libraries": {"invoicing": "invoicing.templatetags.invoicing",
                                                  "currency_filters": currency_filters.__name__}}}])
        django.setup()
    from django.template import loader

    return loader


def print_html(html, source, pdf):
    """Prints an HTML page with Chromium (CHROMIUM, default /usr/bin/chromium), from a file."""
    with open(source, "w") as page:
        page.write(html)
    subprocess.run([os.environ.get("CHROMIUM", "/usr/bin/chromium"), "--headless", "--no-sandbox", "--disable-gpu",
                    "--no-pdf-header-footer", f"--print-to-pdf={pdf}", f"file://{source}"], check=True, capture_output=True)


def oscar_invoices_batch(out_dir, count, seed):
    """Invoices by django-oscar-invoices 0.2 (BSD; the invoice document it saves for an Oscar
    shop's order, an HTML page its users print, here printed by Chromium) in English and
    Dutch, its two languages. The template reads an order, the shop's legal entity and its
    address; these are plain objects with the fields it prints. The shop's name heads the
    page in large type, the legal entity's name beside it; the invoice number is the
    package's default (the year's last two digits and the order's id), printed beside the
    order's own number; amounts through Oscar's currency filter; the line totals are before
    tax, the tax and total are the order's."""
    loader = django_templates()
    from django.utils import translation

    rng = random.Random(f"{seed}-oscar-invoices")
    people = ["Anna de Vries", "Jan Jansen", "Emily Carter", "Lars Bakker", "Sophie Martin", "Tom Hughes"]
    places = [("Keizersgracht 123", "Amsterdam", "1015 CJ", "Netherlands"), ("12 King Street", "London", "SW1A 1AA", "United Kingdom"),
              ("Coolsingel 40", "Rotterdam", "3011 AD", "Netherlands"), ("Parkway 300", "Austin", "78701", "United States")]

    def address(name, place):
        return types.SimpleNamespace(active_address_fields=[name, *place])

    class Line:
        def __init__(self, description, quantity, unit_price):
            self.description, self.quantity, self.unit_price_excl_tax = description, quantity, unit_price
            self.line_price_excl_tax = Decimal(money(unit_price * quantity))

    entries = []
    with tempfile.TemporaryDirectory() as html_dir:
        for n in range(count):
            language = ["en", "nl"][n % 2]
            vendor = rng.choice(VENDORS)
            shop = vendor.rsplit(" ", 1)[0] if vendor.split()[-1].rstrip(".") in {"LLC", "Ltd", "Inc", "GmbH", "SA", "Ltda", "Co", "s.r.o"} else vendor
            buyer = rng.choice(people)
            placed = some_date(rng)
            currency = rng.choice(["EUR", "EUR", "GBP", "USD"])
            lines = [Line(rng.choice(ITEMS), rng.randint(1, 5), Decimal(rng.randint(100, 90000)) / 100) for _ in range(rng.randint(1, 5))]
            shipping = Decimal(rng.choice([0, 495, 695, 1250])) / 100
            net = sum(line.line_price_excl_tax for line in lines) + shipping
            tax = Decimal(money(net * rng.choice([21, 20, 9, 0]) / 100))
            order_id = rng.randint(1, 99999)
            order = types.SimpleNamespace(
                number=str(100000 + order_id), date_placed=placed, currency=currency,
                lines=types.SimpleNamespace(all=lambda lines=lines: lines), basket_discounts=[], has_shipping_discounts=False,
                shipping_address=address(buyer, rng.choice(places)), billing_address=address(buyer, rng.choice(places)),
                shipping_excl_tax=shipping, total_tax=tax, total_incl_tax=net + tax)
            legal_entity = types.SimpleNamespace(shop_name=shop, business_name=vendor, vat_number=f"NL{rng.randint(10**8, 10**9 - 1)}B01", logo=None)
            shop_address = types.SimpleNamespace(summary=", ".join(rng.choice(places)),
                                                 phone_number="+31 20 555 0100", fax_number="", email="shop@example.com",
                                                 web_site="www.example.com")
            number = f"{placed.year % 100}{order_id:06d}"
            with translation.override(language):
                html = loader.get_template("oscar_invoices/invoice.html").render({
                    "invoice": types.SimpleNamespace(number=number), "order": order, "legal_entity": legal_entity,
                    "legal_entity_address": shop_address})
            file = f"oscar-invoices-{n:02d}.pdf"
            print_html(html, os.path.join(html_dir, f"{n}.html"), os.path.join(out_dir, file))
            entries.append(manifest_entry(file, f"django-oscar-invoices ({language})", {
                "invoice_number": number, "issue_date": placed.isoformat(), "currency": currency,
                "vendor_name": vendor, "vendor_vat_id": legal_entity.vat_number, "buyer_name": buyer,
                "tax_amount": float(tax), "total_amount": float(net + tax),
                "line_items": [{"description": line.description, "quantity": line.quantity,
                                "unit_price": float(line.unit_price_excl_tax),
                                "amount": float(line.line_price_excl_tax)} for line in lines]}))
    return entries


def django_invoice_batch(out_dir, count, seed):
    """Invoices by django-invoice 0.3.2 (Simon Luijk, BSD; ReportLab), drawn by its own draw_pdf
    from plain objects with the fields of its models. Its layout is a module the user names in
    the INV_MODULE setting, with the package's default module as the pattern: a logo and
    "Invoice" over a thick rule, the seller's name, address, telephone, e-mail, website and
    registration number in a column on the right (the default prints "COMPANY NAME LTD" and
    placeholders, which a user replaces with their own) and its bank details in the footer.
    The package itself prints the customer's address block, "Invoice ID:" (its friendly id, five
    letters and digits), "Invoice Date:" (03 Aug 2014), "Client:" (the user's login name), and
    a table of quantity (a decimal of two places: 1.50 hours), description, "Amount" (the unit
    price) and "Total", with "Total:" under it. Amounts are "£ 12.50  GBP" (the currency's symbol
    and code), or the settings' "€ 12.50 EUR" where an invoice has no currency. No tax."""
    from django.conf import settings
    from reportlab.lib.units import cm

    django_templates()  # one configuration of Django for the three Django packages
    rng = random.Random(f"{seed}-django-invoice")
    current = {}

    def draw_header(canvas):
        """The default header, with a drawn logo (a coloured bar) in place of the user's image."""
        canvas.setStrokeColorRGB(0.9, 0.5, 0.2)
        canvas.setFillColorRGB(0.2, 0.2, 0.2)
        canvas.setFont("Helvetica", 16)
        canvas.drawString(18 * cm, -1 * cm, "Invoice")
        canvas.setFillColorRGB(0.15, 0.35, 0.6)
        canvas.rect(1 * cm, -1 * cm, 120, 16, stroke=0, fill=1)
        canvas.setLineWidth(4)
        canvas.line(0, -1.25 * cm, 21.7 * cm, -1.25 * cm)

    def draw_lines(canvas, lines, x, y, size=None):
        if size:
            canvas.setFont("Helvetica", size)
        text = canvas.beginText(x, y)
        for line in lines:
            text.textLine(line)
        canvas.drawText(text)

    # The user's layout module, named by INV_MODULE before the package reads it.
    layout = types.ModuleType("shop_invoice_layout")
    layout.draw_header = draw_header
    layout.draw_address = lambda canvas: draw_lines(canvas, current["seller"], 13 * cm, -2.5 * cm, 9)
    layout.draw_footer = lambda canvas: draw_lines(canvas, current["footer"], 1 * cm, -27 * cm)
    sys.modules[layout.__name__] = layout
    settings.INV_MODULE, settings.SITE_NAME = layout.__name__, "Shop"
    from invoice.pdf import draw_pdf

    places = [("12 King Street", "", "Leeds", "West Yorkshire", "LS1 4AP", "United Kingdom"),
              ("Unit 4, Riverside Park", "Wharf Road", "Bristol", "", "BS1 6PQ", "United Kingdom"),
              ("88 Baggot Street Lower", "", "Dublin 2", "", "D02 XK28", "Ireland"),
              ("Parkway 300", "Suite 210", "Austin", "Texas", "78701", "United States")]
    currencies = [("GBP", "£"), ("GBP", "£"), ("EUR", "€"), ("USD", "$"), (None, None)]
    logins = ["jsmith", "accounts", "purchasing", "m.brown", "ops-team"]

    class Currency:
        """The package's Currency model: its code is what it prints as text."""

        def __init__(self, code, symbol):
            self.code, self.pre_symbol, self.post_symbol = code, symbol, ""

        def __str__(self):
            return self.code

    entries = []
    for n in range(count):
        vendor, buyer = rng.choice(helvetica_printable(VENDORS)), rng.choice(helvetica_printable(BUYERS))
        street, street2, town, county, postcode, country = rng.choice(places)
        code, symbol = rng.choice(currencies)
        domain = re.sub(r"[^a-z]", "", vendor.lower())[:14] + ".example"
        current["seller"] = [vendor, *[part for part in (street, street2, town, county, postcode, country) if part], "", "",
                             f"Phone: +44 (0) {rng.randint(100, 999)} 555 0{rng.randint(100, 999)}",
                             f"Email: accounts@{domain}", f"Website: www.{domain}", f"Reg No: {rng.randint(10**7, 10**8 - 1)}"]
        current["footer"] = [f"Bank Details: {street}, {town}, {postcode}",
                             f"Sort Code: {rng.randint(10, 99)}-{rng.randint(10, 99)}-{rng.randint(10, 99)} "
                             f"Account No: {rng.randint(10**7, 10**8 - 1)} (Quote invoice number).",
                             f"Please pay via bank transfer or cheque. All payments should be made in {code or 'EUR'}.",
                             f"Make cheques payable to {vendor}."]
        buyer_place = rng.choice([place for place in places if place[0] != street])
        items = []
        for _ in range(rng.randint(1, 6)):
            quantity = Decimal(rng.choice([1, 1, 2, 3, 5, 10])) if rng.random() < 0.7 else Decimal(rng.randint(2, 16)) / 2
            unit_price = Decimal(rng.randint(250, 150000)) / 100
            items.append(types.SimpleNamespace(description=rng.choice(ITEMS), unit_price=unit_price, quantity=quantity.quantize(Decimal("0.01")),
                                               total=lambda q=quantity, u=unit_price: Decimal(str(u * q)).quantize(Decimal("0.01"))))
        issued = some_date(rng)
        number = "".join(rng.choice("3456789ABCDEFGHJKLMNPQRSTVWXY") for _ in range(5))
        address = types.SimpleNamespace(contact_name=buyer, address_one=buyer_place[0], address_two=buyer_place[1],
                                        town=buyer_place[2], county=buyer_place[3], postcode=buyer_place[4],
                                        country=types.SimpleNamespace(name=buyer_place[5]))
        currency = Currency(code, symbol) if code else None
        total = sum((item.total() for item in items), Decimal(0))
        document = types.SimpleNamespace(address=address, invoice_id=number, invoice_date=issued,
                                         user=types.SimpleNamespace(username=rng.choice(logins)),
                                         items=types.SimpleNamespace(all=lambda items=items: items), currency=currency,
                                         total=lambda total=total: total)
        file = f"django-invoice-{n:02d}.pdf"
        with open(os.path.join(out_dir, file), "wb") as pdf:
            draw_pdf(pdf, document)
        entries.append(manifest_entry(file, "django-invoice", {
            "invoice_number": number, "issue_date": issued.isoformat(), "currency": code or "EUR",
            "vendor_name": vendor, "buyer_name": buyer, "total_amount": money(total),
            "line_items": [{"description": item.description, "quantity": float(item.quantity),
                            "unit_price": money(item.unit_price), "amount": money(item.total())} for item in items]}))
    return entries


def dinbrief_batch(out_dir, count, seed):
    """Runs in a process of its own, with Django configured for dinbrief's translations alone.

    German and English invoice letters by dinbrief 0.5.2 (Michael P. Jung,
    BSD-2-Clause, MIT or Apache-2.0; ReportLab), laid out by its own BriefTemplate for a DIN
    window envelope (DIN 5008 and DIN 676) as its example does: the sender in one small line
    ("Name · Street · Town") over the recipient in the window, no letterhead (the package draws
    none), an information block on the right with the seller's name set large over titled
    lines (telephone, customer number, at random the invoice number), the date set right above
    the subject ("Rechnung 2024-0815"), the item table (position, description, a period or date
    column when an item has one, "Einzelpreis" with the unit, "Anzahl", "Gesamtpreis"; group
    titles on a grey band; a discount as a row of its own under its item), the sums ("Summe
    (netto)", one "+19% USt" row per rate, "Summe (brutto)"; a business exempt from VAT prints
    only "Summe (netto)") and at random the package's bank transfer form (account holder, IBAN,
    BIC, amount, reference, with or without its SEPA QR code). Numbers are Django's formats of
    the language ("1234,50 €"); the sums are the package's own, printed as it rounds them."""
    import django
    from django.conf import settings

    settings.configure(USE_I18N=True, LANGUAGE_CODE="de", LOCALE_PATHS=[os.path.join(package_dir("dinbrief"), "locale")])
    django.setup()
    from django.utils import translation
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    from dinbrief.document import Document
    from dinbrief.invoice import BankTransferForm, Invoice, Item, ItemTable, TotalTable
    from dinbrief.optional_django import number_format
    from dinbrief.styles import styles
    from dinbrief.template import BriefTemplate

    rng = random.Random(f"{seed}-dinbrief")
    places = [("Finkengasse 1", "63633 Birstein"), ("Lärchenweg 22", "63512 Hainburg"),
              ("Hauptstraße 118", "10827 Berlin"), ("Am Sandtorkai 5", "20457 Hamburg"),
              ("Leopoldstraße 31", "80802 München"), ("Bahnhofstrasse 12", "8001 Zürich")]
    words = {
        "de": {"invoice": ["Rechnung", "Rechnung Nr.", "Rechnungsnummer"], "customer": "Kundennummer",
               "number": "Rechnungsnummer", "phone": "Telefon", "titles": ["Material", "Dienstleistungen"],
               "units": ["Std.", "Stk.", "Tag", "Monat", ""], "greeting": "Sehr geehrte Damen und Herren,",
               "message": "wir erlauben uns, Ihnen folgende Leistungen in Rechnung zu stellen:",
               "due": "Bitte überweisen Sie den Betrag bis zum {} auf unser Konto."},
        "en": {"invoice": ["Invoice", "Invoice No.", "Invoice number"], "customer": "Customer number",
               "number": "Invoice number", "phone": "Telephone", "titles": ["Materials", "Services"],
               "units": ["h", "pc", "day", "month", ""], "greeting": "Dear Sir or Madam,",
               "message": "we hereby invoice you for the following:",
               "due": "Please transfer the amount to our account by {}."},
    }
    months = {"de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
                     "Oktober", "November", "Dezember"],
              "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                     "October", "November", "December"]}

    def long_date(day, language):
        month = months[language][day.month - 1]
        return f"{day.day}. {month} {day.year}" if language == "de" else f"{day.day} {month} {day.year}"

    def short_date(day, language):
        return rng.choice([f"{day:%d.%m.%Y}", f"{day.day}.{day.month}.{day.year}"]) if language == "de" else f"{day:%d/%m/%Y}"

    entries = []
    for n in range(count):
        language = "de" if n % 2 == 0 else "en"
        text = words[language]
        vendor, buyer = rng.choice(helvetica_printable(VENDORS)), rng.choice(helvetica_printable(BUYERS))
        (street, town), (buyer_street, buyer_town) = rng.sample(places, 2)
        symbol, code, rates = rng.choice([("€", "EUR", ["0.19", "0.07"]), ("EUR", "EUR", ["0.19", "0.07"]),
                                          ("CHF", "CHF", ["0.081", "0.026"]), ("£", "GBP", ["0.2", "0.05"])])
        exempt = rng.random() < 0.15
        number = rng.choice([f"{rng.randint(2021, 2025)}-{rng.randint(1, 9999):04d}", f"RE{rng.randint(10000, 99999)}",
                             f"{rng.randint(100, 999)}/{rng.randint(21, 25)}"])
        issued = some_date(rng)
        with_period, with_date = rng.random() < 0.25, rng.random() < 0.25
        # A discount row's empty cell in the period column fails under ReportLab 5 when that
        # column is hidden (no item has a period or date), so only items beside one get one.
        with_period_or_date = with_period or with_date
        items, truth_items = [], []
        if rng.random() < 0.3:
            items.append(Item(1, text["titles"][0], type="title"))
        for _ in range(rng.randint(1, 6)):
            quantity = rng.choice([1, 1, 2, 3, 5, 10]) if rng.random() < 0.7 else Decimal(rng.randint(2, 16)) / 2
            price = Decimal(rng.randint(250, 150000)) / 100
            start = some_date(rng)
            item = Item(len(items) + 1, rng.choice(ITEMS), price=price, quantity=quantity, unit=rng.choice(text["units"]),
                        discount=Decimal(rng.choice(["0.05", "0.1", "0.25"])) if with_period_or_date and rng.random() < 0.3 else Decimal(0),
                        vat_rate=Decimal(0) if exempt else Decimal(rng.choice(rates)),
                        period=f"{start:%d.%m.%Y} - {start + datetime.timedelta(days=30):%d.%m.%Y}" if with_period else "",
                        date=start if with_date else None)
            items.append(item)
            truth_items.append({"description": item.text, "quantity": float(quantity), "unit_price": money(price),
                                "amount": money(item.subtotal)})
        invoice = Invoice(items=items, currency=symbol)
        template = BriefTemplate()
        subject = f"{rng.choice(text['invoice'])} {number}"
        infobox = []
        if rng.random() < 0.7:
            infobox = [Paragraph(vendor, styles["InfoboxH1"]), Paragraph(f"{street}<br/>{town}", styles["InfoboxText"]),
                       Paragraph(text["phone"], styles["InfoboxTitle"]),
                       Paragraph(f"+49 {rng.randint(30, 899)} {rng.randint(100000, 999999)}", styles["InfoboxText"]),
                       Paragraph(text["customer"], styles["InfoboxTitle"]),
                       Paragraph(str(rng.randint(10000, 99999)), styles["InfoboxText"])]
            if rng.random() < 0.5:
                infobox += [Paragraph(text["number"], styles["InfoboxTitle"]), Paragraph(number, styles["InfoboxText"])]
        due = issued + datetime.timedelta(days=rng.choice([14, 30]))
        with translation.override(language):
            gross, net = float(number_format(invoice.gross, 2).replace(",", ".")), float(number_format(invoice.net, 2).replace(",", "."))
            taxes = [float(number_format(vat.amount, 2).replace(",", ".")) for vat in invoice.vat_items]
            content = [Paragraph(subject, styles["Subject"])]
            if rng.random() < 0.5:
                content += [Paragraph(text["greeting"], styles["Greeting"]), Paragraph(text["message"], styles["Message"])]
            content += [Spacer(template.CONTENT_WIDTH, 2 * mm), ItemTable(template, invoice), TotalTable(template, invoice)]
            truth = {"invoice_number": number, "issue_date": issued.isoformat(), "currency": code, "vendor_name": vendor,
                     "buyer_name": buyer, "total_amount": gross, "net_amount": net, "line_items": truth_items}
            if len(taxes) == 1:
                truth["tax_amount"] = taxes[0]
            if rng.random() < 0.4:
                content.append(Paragraph(text["due"].format(short_date(due, language)), styles["Text"]))
                truth["due_date"] = due.isoformat()
            if rng.random() < 0.5:
                content += [Spacer(template.CONTENT_WIDTH, 10 * mm),
                            BankTransferForm(account_holder=vendor, iban=f"DE{rng.randint(10, 99)} {rng.randint(1000, 9999)} "
                                             f"{rng.randint(1000, 9999)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)} {rng.randint(10, 99)}",
                                             bic=rng.choice(["COBADEFFXXX", "DEUTDEDBFRA", "GENODEF1S12"]), reference=number,
                                             amount=invoice.gross, currency=code, currency_label=symbol, show_qrcode=rng.random() < 0.5)]
            document = Document(sender=[vendor, street, town], recipient=[buyer, buyer_street, buyer_town],
                                date=rng.choice([long_date(issued, language), short_date(issued, language),
                                                 f"{town.split(' ', 1)[1]}, {long_date(issued, language)}"]),
                                infobox=infobox, content=content)
            file = f"dinbrief-{language}-{n:02d}.pdf"
            template.render(document, os.path.join(out_dir, file))
        entries.append(manifest_entry(file, f"dinbrief ({language})", truth))
    return entries


def erechnung_batch(out_dir, count, seed):
    """German and US-English e-invoices by erechnung 0.3.0 (MIT; ReportLab, with the EN 16931
    XML embedded by factur-x into a PDF/A-3, as its `zugferd_file` writes them), in its own DIN
    5008 layout: the sender in one line ("Name – Street 1 – Town") over the customer's address
    (a company "z. Hd." its contact, or a person), an information block on the right
    ("Telefon:", "E-Mail:", "Datum:", "Rechnungsnr.:", "Leistungsdatum:" or the service period,
    "Fälligkeitsdatum:"), "Rechnung Nr. …" (or "Kleinunternehmerrechnung", "Dauerrechnung"), a
    salutation and cover text, the table "Pos. | Bezeichnung | Anzahl | Einzelpreis EUR | Steuer
    | Gesamtpreis EUR" (each line's net after its own discount), the sums ("Zwischensumme
    (Netto):", at random "Gesamtrabatt:", "Gesamtbetrag (Netto):", one row per VAT rate and
    their total, "Gesamtbetrag (Brutto):", "Zahlbetrag:"), notes (payment terms, early-payment
    discount, the § 19 UStG note of a small business) and a footer of the seller's name, address,
    contacts, tax number and bank account. Always euros. The sums are the package's own."""
    from erechnung import Customer, CustomerType, Discount, Invoice, InvoiceType, Language, LineItem, Seller, Skonto
    from erechnung.calculation import calculate, due_date

    import logging

    logging.getLogger("erechnung").setLevel(logging.ERROR)  # its notes on defaults it applied, one per invoice
    rng = random.Random(f"{seed}-erechnung")
    places = [("Finkengasse", "1", "63633", "Birstein"), ("Lärchenweg", "22", "63512", "Hainburg"),
              ("Hauptstraße", "118", "10827", "Berlin"), ("Am Sandtorkai", "5", "20457", "Hamburg"),
              ("Leopoldstraße", "31", "80802", "München"), ("Königsallee", "60", "40212", "Düsseldorf")]
    people = [("Max", "Mustermann", "m"), ("Erika", "Musterfrau", "f"), ("Jonas", "Becker", "m"), ("Lea", "Hoffmann", "f")]
    entries = []
    for n in range(count):
        language = Language.DE if n % 2 == 0 else Language.EN
        vendor, buyer = rng.choice(VENDORS), rng.choice(BUYERS)
        (street, house, postcode, town), (buyer_street, buyer_house, buyer_postcode, buyer_town) = rng.sample(places, 2)
        domain = re.sub(r"[^a-z]", "", vendor.lower())[:14] + ".example"
        seller = Seller(vendor, street, house, postcode, town, iban="DE02120300000000202051", bic="BYLADEM1001",
                        phone=f"+49 {rng.randint(30, 899)} {rng.randint(100000, 999999)}", email=f"rechnung@{domain}",
                        **({"tax_number": f"{rng.randint(10, 99)}/{rng.randint(100, 999)}/{rng.randint(10000, 99999)}"}
                           if rng.random() < 0.5 else {"vat_id": f"DE{rng.randint(10**8, 10**9 - 1)}"}))
        first, last, gender = rng.choice(people)
        if rng.random() < 0.7:
            customer = Customer(company=buyer, first_name=first if rng.random() < 0.6 else "", last_name=last,
                                customer_type=CustomerType.B2B)
        else:
            # With a gender the address reads "Herrn"/"Frau" over the name and the salutation uses it.
            customer = Customer(first_name=first, last_name=last, gender=gender if rng.random() < 0.5 else None)
            buyer = f"{first} {last}"
        customer.street, customer.house_number, customer.postal_code, customer.city = buyer_street, buyer_house, buyer_postcode, buyer_town
        if rng.random() < 0.5:
            customer.customer_number = f"K-{rng.randint(1000, 99999)}"
        items = []
        for _ in range(rng.randint(1, 6)):
            quantity = Decimal(rng.choice([1, 1, 2, 3, 5, 10])) if rng.random() < 0.7 else Decimal(rng.randint(2, 16)) / 2
            items.append(LineItem(rng.choice(ITEMS), quantity, Decimal(rng.randint(250, 150000)) / 100,
                                  tax_rate=Decimal(rng.choice(["19", "19", "7"]))))
        discounts = [Discount("line", Decimal(rng.choice([5, 10, 15])), line_no=rng.randint(1, len(items)))] if rng.random() < 0.2 else []
        if rng.random() < 0.15:
            discounts.append(Discount("invoice", Decimal(rng.choice([2, 3, 5])), tax_rate=Decimal("19"), reason="Treuerabatt"))
        issued = some_date(rng)
        number = rng.choice([f"{issued.year}-{rng.randint(1, 9999):04d}", f"RE-{rng.randint(10000, 99999)}",
                             f"{rng.randint(1, 999):04d}"])
        invoice = Invoice(seller=seller, customer=customer, line_items=items, invoice_number=number, issue_date=issued,
                          language=language, kleinunternehmer=rng.random() < 0.15, discounts=discounts,
                          invoice_type=InvoiceType.RECURRING if rng.random() < 0.1 else InvoiceType.STANDARD,
                          due_date=issued + datetime.timedelta(days=rng.choice([14, 30])) if rng.random() < 0.5 else None,
                          skonto=Skonto(days=rng.choice([7, 10]), percent=Decimal(rng.choice(["2", "3"]))) if rng.random() < 0.3 else None)
        if invoice.invoice_type is InvoiceType.RECURRING:
            invoice.service_from, invoice.service_to = issued.replace(day=1), issued.replace(day=28)
        else:
            invoice.service_date = issued - datetime.timedelta(days=rng.randint(0, 10))
        # Half are the plain PDF the package also writes, with no XML to read: in each language
        # every other invoice.
        with_xml = n % 4 in (0, 3)
        file = f"erechnung-{language.value}-{'zugferd' if with_xml else 'pdf'}-{n:02d}.pdf"
        if with_xml:
            invoice.zugferd_file(os.path.join(out_dir, file))
        else:
            with open(os.path.join(out_dir, file), "wb") as pdf:
                pdf.write(invoice.pdf_bytes())
        totals = calculate(invoice)
        truth = {"invoice_number": number, "issue_date": issued.isoformat(), "due_date": due_date(invoice).isoformat(),
                 "currency": "EUR", "vendor_name": vendor, "buyer_name": buyer, "total_amount": float(totals.gross),
                 "net_amount": float(totals.net),
                 "line_items": [{"description": line.item.description, "quantity": float(line.item.quantity),
                                 "unit_price": money(line.item.unit_price), "amount": float(line.net)} for line in totals.lines]}
        if not invoice.kleinunternehmer:
            truth["tax_amount"] = float(totals.vat_total)
        entries.append(manifest_entry(file, f"erechnung ({language.value}, {'ZUGFeRD' if with_xml else 'PDF alone'})", truth))
    return entries


def latex_escape(text):
    return "".join({"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_"}.get(c, c) for c in text)


def arca_factura_batch(out_dir, count, seed):
    """Argentine electronic invoices by arca-factura-pdf 0.1.0 (MIT; fpdf2, with the Inter,
    Source Serif 4 or DejaVu fonts it ships, or Helvetica, after its five style presets), in
    the layout of ARCA (AFIP): the issuer's brand large over "Razón Social:", "Domicilio
    Comercial:", "Condición frente al IVA:", "Ingresos Brutos:" and "Inicio de Actividades:",
    the invoice's letter (A, B or C) boxed in the middle, "FACTURA" with "Punto de Venta: 0003
    Comp. Nro: 00000123" (the invoice's number is the two, "0003-00000123"), "Fecha de
    Emisión:" and the issuer's CUIT on the right, at random the issuer's own reference after
    "Factura proforma:", the receptor under "DATOS DEL RECEPTOR" (a company or "Consumidor
    Final"), a billed period with "Fecha de Vto. para el pago:" for services, the items
    ("Código | Producto / Servicio | Cantidad | U. medida | Precio Unit. | % Bonif. | Subtotal",
    and on A and B "Alíc. IVA" and "Subtotal c/IVA"), the sums ("Importe Neto Gravado:", "IVA
    21%:", "IVA 10,5%:", "Importe Total:"; a C invoice discriminates no VAT), the CAE and its
    QR code. Amounts in pesos as "$1.000,00". Its package imports an API-boundary schema
    written for pydantic 2, which the renderer does not use and invoicepy's pydantic 1 cannot
    load: the renderer is imported without it."""
    sys.modules.setdefault("factura_pdf.schema", types.SimpleNamespace(PdfBrandingModel=None))
    from factura_pdf.generator import PRESETS, PdfBranding, branding_from_dict, generate_invoice_pdf

    rng = random.Random(f"{seed}-arca")
    issuers = [("Tecno Andina S.A.", "Tecno Andina"), ("Panificadora del Plata S.R.L.", "Panificadora del Plata"),
               ("Servicios Patagónicos S.A.", "Servicios Patagónicos"), ("Estudio Rivas y Asociados", "Estudio Rivas"),
               ("Logística Río Bravo S.R.L.", "Río Bravo Logística"), ("Lumen Systems S.A.", "Lumen Systems")]
    places = ["Av. Corrientes 1234, CABA", "San Martín 455, Rosario, Santa Fe", "Bv. Oroño 1020, Rosario",
              "Av. Colón 3100, Córdoba", "Mitre 77, San Carlos de Bariloche, Río Negro"]
    customers = ["Distribuidora El Faro S.R.L.", "Comercial del Sur S.A.", "Tecno Insumos S.A.", "María López",
                 "Juan Pérez", "Consumidor Final"]
    things = [("Consultoría técnica", "Relevamiento y diagnóstico"), ("Desarrollo de software", "Sprint quincenal"),
              ("Resma A4 75g", "Caja x10 resmas"), ("Servicio de logística", ""), ("Harina 000", "Bolsa 25 kg"),
              ("Honorarios profesionales", "Asesoramiento mensual"), ("Alquiler de sala", "Jornada completa")]
    entries = []
    for n in range(count):
        (legal, brand), place = rng.choice(issuers), rng.choice(places)
        kind = rng.choice([1, 6, 6, 11])
        service = rng.choice([1, 2, 3])
        items, net = [], Decimal(0)
        for _ in range(rng.randint(1, 8)):
            name, description = rng.choice(things)
            quantity, rate = Decimal(rng.choice([1, 1, 2, 3, 5, 10])), Decimal(rng.randint(50000, 6000000)) / 100
            items.append({"name": name, "description": description, "quantity": float(quantity), "rate": float(rate),
                          "item_total": float(quantity * rate)})
            net += quantity * rate
        if kind == 11:
            rates = []
        elif kind == 1 and len(items) >= 2 and rng.random() < 0.5:
            base21 = sum((Decimal(str(i["item_total"])) for i in items[:len(items) // 2]), Decimal(0))
            rates = [(5, base21, Decimal("0.21")), (4, net - base21, Decimal("0.105"))]
        else:
            rates = [(5, net, Decimal("0.21"))]
        shares = [{"id": code, "base_imp": float(base), "importe": money(base * rate)} for code, base, rate in rates]
        vat = sum((Decimal(str(share["importe"])) for share in shares), Decimal(0))
        total = net + vat
        customer = rng.choice(customers if kind != 1 else customers[:3])
        cuit = "30" + "".join(str(rng.randint(0, 9)) for _ in range(9)) if customer != "Consumidor Final" else ""
        issued = some_date(rng)
        due = issued + datetime.timedelta(days=rng.choice([10, 15, 30]))
        point, number = rng.choice([1, 1, 3, 12]), rng.randint(1, 99999)
        detail = {"invoice_number": f"INV-{rng.randint(1000, 999999):06d}", "date": issued.isoformat(), "due_date": due.isoformat(),
                  "customer_name": customer, "total": float(total), "tax_total": float(vat), "notes": "",
                  "line_items": items, "custom_fields": []}
        arca_data = {"tipo_cbte": kind, "punto_venta": point, "fecha": issued.isoformat(), "fecha_vto": due.isoformat(),
                     "cuit_receptor": cuit, "importe_neto": float(net), "importe_iva": float(vat), "importe_total": float(total),
                     "concepto": service, "alicuotas": shares}
        result = {"cae": rng.randint(10**13, 10**14 - 1), "cae_vto": f"{issued + datetime.timedelta(days=10):%Y%m%d}",
                  "nro_comprobante": number}
        branding = branding_from_dict({"brand_name": brand, "emisor_nombre": brand, "emisor_razon_social": legal,
                                       "emisor_domicilio": place, "emisor_iibb": f"{rng.randint(900, 999)}-{rng.randint(100000, 999999)}-{rng.randint(0, 9)}",
                                       "emisor_inicio_act": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1995, 2020)}",
                                       "style": {"preset": rng.choice(sorted(PRESETS))},
                                       "options": {"show_proforma": rng.random() < 0.5}}, base=PdfBranding())
        file = f"arca-factura-{n:02d}.pdf"
        with open(os.path.join(out_dir, file), "wb") as pdf:
            pdf.write(generate_invoice_pdf(detail, arca_data, result, cuit_emisor="20" + "".join(str(rng.randint(0, 9)) for _ in range(9)),
                                           branding=branding))
        truth = {"invoice_number": f"{point:04d}-{number:08d}", "issue_date": issued.isoformat(), "currency": "ARS",
                 "vendor_name": legal, "buyer_name": customer, "total_amount": money(total),
                 "line_items": [{"description": f"{i['name']} - {i['description']}" if i["description"] else i["name"],
                                 "quantity": i["quantity"], "unit_price": money(i["rate"]), "amount": money(i["item_total"])}
                                for i in items]}
        if kind != 11:  # a C invoice prints its total alone
            truth["net_amount"] = money(net)
        if len(shares) == 1:  # two rates print two taxes and no sum of them
            truth["tax_amount"] = money(vat)
        if service in (2, 3):
            truth["due_date"] = due.isoformat()
        entries.append(manifest_entry(file, f"arca-factura-pdf ({'ABC'[[1, 6, 11].index(kind)]})", truth))
    return entries


def facturization_batch(out_dir, count, seed):
    """Invoices by facturization 0.1.1 (MIT), its command line run on a YAML file per invoice
    as its README shows: its own LaTeX template typeset by pdflatex, "Invoice" large at the
    top right over "Invoice number:", "Date of issue:" ("March 5, 2024") and "Due date:",
    "From" and "To" side by side, each an address whose first line is the party's name, then
    "VAT ID:", "Corp. reg. no.:", "e-mail:" and "Phone:" rows; the table "Pos. | Description |
    Qty | Unit price | Net | VAT rate | VAT | Amount" (the amount with its VAT), an item's
    details in small print under it, "Total excl. VAT:", "VAT:" and "Total incl. VAT:" with the
    currency the user writes after each sum, the payment details and a closing note. Numbers
    with a decimal dot or comma (the file's `separator`), babel's hyphenation for English,
    Swedish or German. The sums are the package's own (each line's VAT rounded)."""
    import yaml

    rng = random.Random(f"{seed}-facturization")
    places = [["Storgatan 12", "111 22 Stockholm", "Sweden"], ["Via Roma 5", "09124 Cagliari", "Italy"],
              ["Harbour Road 17", "Leeds LS1 4AP", "United Kingdom"], ["Parkway 300", "Austin, TX 78701", "USA"],
              ["Kungsgatan 4", "411 19 Göteborg", "Sweden"]]
    details = ["Remote work, 40 hours", "Travel expenses included", "Licence key sent by e-mail",
               "On site, two visits", "Per the agreement of 12 March"]
    entries = []
    with tempfile.TemporaryDirectory() as work:
        for n in range(count):
            vendor, buyer = rng.sample(VENDORS + BUYERS, 2) if rng.random() < 0.2 else (rng.choice(VENDORS), rng.choice(BUYERS))
            vendor_place, buyer_place = rng.sample(places, 2)
            currency = rng.choice(["EUR", "SEK", "USD", "GBP", "CHF"])
            issued = some_date(rng)
            due = issued + datetime.timedelta(days=rng.choice([10, 14, 30])) if rng.random() < 0.7 else None
            number = rng.choice([f"{issued.year}-{rng.randint(1, 999):03d}", f"INV{rng.randint(1000, 9999)}",
                                 str(rng.randint(100, 9999))])
            services, truth_items, net_sum, vat_sum = [], [], Decimal(0), Decimal(0)
            for _ in range(rng.randint(1, 6)):
                quantity = Decimal(rng.choice([1, 1, 2, 3, 8, 40])) if rng.random() < 0.7 else Decimal(rng.randint(2, 16)) / 2
                unit_price = Decimal(rng.randint(1000, 200000)) / 100
                rate = Decimal(rng.choice([25, 22, 20, 12, 6, 0]))
                service = {"description": rng.choice(ITEMS), "quantity": float(quantity), "unit_price": float(unit_price),
                           "vat": int(rate)}
                if rng.random() < 0.3:
                    service["details"] = rng.sample(details, rng.randint(1, 2))
                if rate == 0 and rng.random() < 0.5:
                    service["reverse_charge"] = True
                services.append(service)
                net = (quantity * unit_price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                vat = (net * rate / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                net_sum, vat_sum = net_sum + net, vat_sum + vat
                truth_items.append({"description": service["description"], "quantity": float(quantity),
                                    "unit_price": float(unit_price), "amount": float(net + vat)})

            def party(name, place):
                fields = {"address": [name, *place]}
                if rng.random() < 0.7:
                    fields["vat_identification_number"] = f"{rng.choice(['SE', 'IT', 'GB'])}{rng.randint(10**9, 10**10 - 1)}01"
                if rng.random() < 0.4:
                    fields["company_registration_number"] = f"{rng.randint(100000, 999999)}-{rng.randint(1000, 9999)}"
                if rng.random() < 0.6:
                    fields["email"] = "billing@" + re.sub(r"[^a-z]", "", name.lower())[:14] + ".example"
                return fields

            data = {"separator": rng.choice(["dot", "comma"]), "lang": rng.choice(["english", "swedish", "ngerman"]),
                    "invoice_number": number, "issue_date": issued, "currency": currency,
                    "from": party(vendor, vendor_place), "to": party(buyer, buyer_place), "service": services,
                    "payment": {"Bank": "Nordbanken", "IBAN": f"SE{rng.randint(10, 99)} 5000 0000 0{rng.randint(100, 999)} "
                                f"{rng.randint(1000, 9999)} {rng.randint(1000, 9999)}", "BIC": "NDEASESS"},
                    "closingnote": "Thank you for your business."}
            if due:
                data["due_date"] = due
            name = f"facturization-{n:02d}"
            with open(os.path.join(work, name + ".yml"), "w") as spec:
                yaml.safe_dump(data, spec, allow_unicode=True)
            subprocess.run([sys.executable, "-m", "facturization", os.path.join(work, name + ".yml"), "--output-dir", work],
                           check=True, capture_output=True)
            os.replace(os.path.join(work, name + ".pdf"), os.path.join(out_dir, name + ".pdf"))
            truth = {"invoice_number": number, "issue_date": issued.isoformat(), "currency": currency, "vendor_name": vendor,
                     "buyer_name": buyer, "total_amount": money(net_sum + vat_sum), "net_amount": money(net_sum),
                     "tax_amount": money(vat_sum), "line_items": truth_items}
            if due:
                truth["due_date"] = due.isoformat()
            entries.append(manifest_entry(name + ".pdf", "facturization", truth))
    return entries


def batch_in_own_process(args, *flags):
    """The invoices of a batch this script makes in a process of its own (see main)."""
    return json.loads(subprocess.run([sys.executable, __file__, args.out_dir, "--count", str(args.count), "--seed", args.seed,
                                      *flags], check=True, capture_output=True, text=True).stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--count", type=int, default=8)
    parser.add_argument("--seed", default="1")
    parser.add_argument("--invoicegenerator-language", help=argparse.SUPPRESS)
    parser.add_argument("--dinbrief", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    if args.invoicegenerator_language:
        json.dump(invoicegenerator_batch(args.out_dir, args.invoicegenerator_language, args.count, args.seed),
                  sys.stdout)
        return
    if args.dinbrief:
        json.dump(dinbrief_batch(args.out_dir, args.count, args.seed), sys.stdout)
        return
    entries = []
    for language in LANGUAGES:
        entries += batch_in_own_process(args, "--invoicegenerator-language", language)
    entries += pyinvoice_batch(args.out_dir, args.count, args.seed)
    entries += invoicepy_batch(args.out_dir, args.count, args.seed)
    entries += latex_batch(args.out_dir, args.count, args.seed)
    entries += simpleinvoice_batch(args.out_dir, args.count, args.seed)
    entries += invoice_class_batch(args.out_dir, args.count, args.seed)
    entries += invoice_package_batch(args.out_dir, args.count, args.seed)
    entries += isodoc_batch(args.out_dir, args.count, args.seed)
    entries += factura_batch(args.out_dir, args.count, args.seed)
    entries += facture_batch(args.out_dir, args.count, args.seed)
    entries += invoicer_batch(args.out_dir, args.count, args.seed)
    entries += facturapdf_batch(args.out_dir, args.count, args.seed)
    entries += pyinvoicer_batch(args.out_dir, args.count, args.seed)
    entries += django_invoicing_batch(args.out_dir, args.count, args.seed)
    entries += oscar_invoices_batch(args.out_dir, args.count, args.seed)
    entries += django_invoice_batch(args.out_dir, args.count, args.seed)
    entries += batch_in_own_process(args, "--dinbrief")
    entries += erechnung_batch(args.out_dir, args.count, args.seed)
    entries += arca_factura_batch(args.out_dir, args.count, args.seed)
    entries += facturization_batch(args.out_dir, args.count, args.seed)
    with open(os.path.join(args.out_dir, "manifest.json"), "w") as manifest:
        json.dump(entries, manifest, indent=1, ensure_ascii=False)
    print(f"{len(entries)} invoices in {args.out_dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
