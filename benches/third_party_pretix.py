"""Invoices by pretix, the ticket shop, with their ground truth.

pretix (AGPL-3.0 with additional terms; the PyPI release named in third_party_invoices.sh)
renders the invoices of its orders with its own ReportLab renderers, each used here: the
European-style letter it gives new events ("modern1": the customer's address in the window,
the seller's beside it) and the classic one: the seller's
address under "Invoice from", the customer's under "Invoice to", the event, its date and the
order code beside them, the invoice number and date, the positions grouped by product with
their count, tax rate, net and gross amounts (and a line of the single price under each), the
invoice total and a table of the taxes included. This script sets up pretix on SQLite in a
temporary folder, creates an organiser, an event, its products, an order with a customer's
invoice address and the order's invoice through pretix's own services (the event's settings
giving the seller's address, VAT id and the invoice's language), then lets the renderer print
it. The seller, customer, products and amounts come from seeded random data; the invoice's
number, date and sums are pretix's, read back from the invoice it made: that is the ground
truth. Entries are added to OUT_DIR/manifest.json.

Usage: python third_party_pretix.py OUT_DIR [--count N] [--seed S]   (in pretix's own venv)
"""

import argparse
import datetime
import json
import logging
import os
import random
import sys
import tempfile
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
from third_party_invoices import BUYERS, ITEMS, VENDORS, manifest_entry, money, some_date  # noqa: E402

# (language, the seller's street, postcode, city and country, the currency, a VAT rate).
SELLERS = [
    ("en", "12 King Street", "LS1 4AP", "Leeds", "GB", "GBP", "20.00"),
    ("de", "Hauptstraße 5", "10115", "Berlin", "DE", "EUR", "19.00"),
    ("fr", "12 rue de la République", "69002", "Lyon", "FR", "EUR", "20.00"),
    ("nl", "Keizersgracht 123", "1015 CJ", "Amsterdam", "NL", "EUR", "21.00"),
    ("es", "Calle Mayor 10", "28013", "Madrid", "ES", "EUR", "21.00"),
    ("it", "Via Roma 22", "00184", "Roma", "IT", "EUR", "22.00"),
    ("cs", "Vinohradská 112", "12000", "Praha", "CZ", "CZK", "21.00"),
    ("pl", "ul. Marszałkowska 84", "00-514", "Warszawa", "PL", "PLN", "23.00"),
    ("sv", "Drottninggatan 33", "111 51", "Stockholm", "SE", "SEK", "25.00"),
    ("da", "Vesterbrogade 4", "1620", "København", "DK", "DKK", "25.00"),
]
CUSTOMERS = [("Main Street 5", "60200", "Brno", "CZ"), ("Harbour Road 17", "LS1 4AP", "Leeds", "GB"),
             ("Rua das Flores 42", "01310-100", "São Paulo", "BR"), ("Parkway 300", "78701", "Austin", "US")]
PEOPLE = ["Jan Novák", "Emily Carter", "Lars Bakker", "Sophie Martin", "Tom Hughes"]
EVENTS = ["Data Summit", "Open Source Days", "Cloud Expo", "Design Week", "Logistics Forum"]


def pretix(data_dir):
    """pretix, configured on SQLite in `data_dir`, its database migrated."""
    with open(os.path.join(data_dir, "pretix.cfg"), "w") as config:
        config.write(f"[pretix]\ndatadir={data_dir}\nurl=http://localhost\n[database]\nbackend=sqlite3\n")
    os.environ["PRETIX_CONFIG_FILE"] = os.path.join(data_dir, "pretix.cfg")
    os.environ["DJANGO_SETTINGS_MODULE"] = "pretix.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # pretix logs a warning for each order made without its payment transactions.
    logging.disable(logging.WARNING)


def pretix_batch(out_dir, count, seed, renderer):
    """COUNT invoices printed by pretix's renderer RENDERER ("classic", or "modern1", the
    European-style letter pretix gives new events)."""
    from django.utils import timezone
    from django_scopes import scopes_disabled
    from pretix.base.i18n import language as in_language
    from pretix.base.models import Event, InvoiceAddress, Item, Order, OrderPosition, Organizer, TaxRule
    from pretix.base.services.invoices import generate_invoice

    rng = random.Random(f"{seed}-pretix" if renderer == "classic" else f"{seed}-pretix-{renderer}")
    entries = []
    with scopes_disabled():
        for n in range(count):
            language, street, postcode, city, country, currency, rate = rng.choice(SELLERS)
            vendor, buyer = rng.choice(VENDORS), rng.choice(BUYERS)
            organizer = Organizer.objects.create(name=vendor, slug=f"{renderer}{seed}{n}")
            event = Event.objects.create(
                organizer=organizer, name=f"{rng.choice(EVENTS)} {rng.randint(2021, 2026)}", slug=f"ev{n}",
                currency=currency, date_from=timezone.now() + datetime.timedelta(days=rng.randint(10, 200)))
            settings = event.settings
            settings.invoice_renderer = renderer
            settings.locales, settings.locale, settings.invoice_language = [language], language, language
            settings.invoice_address_from_name, settings.invoice_address_from = vendor, street
            settings.invoice_address_from_zipcode, settings.invoice_address_from_city = postcode, city
            settings.invoice_address_from_country = country
            settings.invoice_address_from_vat_id = f"{country}{rng.randint(10**7, 10**9)}"
            settings.invoice_numbers_prefix = rng.choice(["", f"{event.slug.upper()}-", "RE-", f"{rng.randint(2021, 2026)}-"])
            tax_rule = TaxRule.objects.create(event=event, name="VAT", rate=Decimal(rate))
            placed = timezone.now()
            order = Order.objects.create(
                event=event, code="".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ3456789") for _ in range(5)),
                email="buyer@example.com", status=Order.STATUS_PAID, datetime=placed, locale=language,
                expires=placed + datetime.timedelta(days=14), total=Decimal(0),
                sales_channel=organizer.sales_channels.get(identifier="web"))
            total = Decimal(0)
            for product in rng.sample(ITEMS, rng.randint(1, 4)):
                gross = Decimal(rng.randint(1000, 90000)) / 100
                item = Item.objects.create(event=event, name=product, default_price=gross, tax_rule=tax_rule)
                for _ in range(rng.choice([1, 1, 1, 2, 3])):
                    tax = tax_rule.tax(gross, base_price_is="gross")
                    OrderPosition.objects.create(order=order, item=item, price=gross, tax_rate=tax.rate,
                                                 tax_value=tax.tax, tax_rule=tax_rule)
                    total += gross
            order.total = total
            order.save()
            customer_street, customer_postcode, customer_city, customer_country = rng.choice(CUSTOMERS)
            InvoiceAddress.objects.create(
                order=order, company=buyer, name_parts={"_legacy": rng.choice(PEOPLE)}, is_business=True,
                street=customer_street, zipcode=customer_postcode, city=customer_city, country=customer_country)
            invoice = generate_invoice(order, trigger_pdf=False)
            invoice.date = some_date(rng)
            invoice.save()
            # As pretix's own invoice_pdf_task prints it: in the invoice's language and the
            # event's region, by the event's renderer.
            with in_language(invoice.locale, settings.region):
                _, _, pdf = event.invoice_renderer.generate(invoice)
            name = f"pretix-{language}-{n:02d}.pdf" if renderer == "classic" else f"pretix-{renderer}-{language}-{n:02d}.pdf"
            with open(os.path.join(out_dir, name), "wb") as out:
                out.write(pdf)
            lines = list(invoice.lines.all())
            net = sum((line.net_value for line in lines), Decimal(0))
            tax = sum((line.tax_value for line in lines), Decimal(0))
            entries.append(manifest_entry(name, f"pretix ({language}, {event.invoice_renderer.identifier})", {
                "invoice_number": invoice.full_invoice_no, "issue_date": invoice.date.isoformat(), "currency": currency,
                "vendor_name": vendor, "vendor_vat_id": settings.invoice_address_from_vat_id, "buyer_name": buyer,
                "net_amount": money(net), "tax_amount": money(tax), "total_amount": money(net + tax)}))
    return entries


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--count", type=int, default=8)
    parser.add_argument("--seed", default="1")
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory() as data_dir:
        pretix(data_dir)
        entries = [entry for renderer in ("classic", "modern1")
                   for entry in pretix_batch(args.out_dir, args.count, args.seed, renderer)]
    manifest = os.path.join(args.out_dir, "manifest.json")
    existing = json.load(open(manifest)) if os.path.exists(manifest) else []
    with open(manifest, "w") as out:
        json.dump(existing + entries, out, indent=1, ensure_ascii=False)
    print(f"{len(entries)} pretix invoices in {args.out_dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
