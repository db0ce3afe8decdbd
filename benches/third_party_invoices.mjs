// Invoices laid out by five invoice generators from npm that docex has never been shaped to,
// microinvoice (PDFKit; the labels are the caller's, here those of its own README example),
// @h1dd3nsn1p3r/pdf-invoice (pdfmake; its own labels, amounts in the locale's format),
// jspdf-invoice-template (jsPDF; the caller's labels, its README example's),
// @rimiti/invoice-it (Pug HTML in English or French, printed by Chromium) and generate-invoice
// (a React template in Finnish or English, printed by Chromium), from seeded random
// data. Their entries, with the data as ground truth, are added to OUT_DIR/manifest.json (the
// one benches/third_party_invoices.py writes).
//
// Usage: node third_party_invoices.mjs OUT_DIR COUNT SEED NODE_MODULES_PREFIX
// Env:   CHROMIUM  the Chromium executable (default: /usr/bin/chromium)
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { int, money, pick, rng } from "./seeded.mjs";
const [outDir, countArg = "8", seedArg = "1", prefix = "."] = process.argv.slice(2);
const require = createRequire(path.resolve(prefix, "package.json"));
const count = Number(countArg);
fs.mkdirSync(outDir, { recursive: true });

const VENDORS = ["Brightwater Analytics LLC", "Northgate Office Supplies Ltd", "Lumen Systems Inc.", "Müller Werkzeuge GmbH", "Atlas Freight Services SA", "Pinecrest Dental Lab", "Horizonte Consultoria Ltda.", "Redwood Cloud Hosting Inc.", "Blue Harbor Catering Co."];
const BUYERS = ["Globex Corporation", "Initech Ltd", "Umbrella Health Partners", "Vandelay Industries", "Stark Components a.s."];
const ITEMS = ["Consulting hours", "Annual software licence", "Printer toner cartridge", "Office chair", "Cloud server (monthly)", "On-site installation", "Training day", "Network switch 24-port", "Maintenance contract", "Design revision"];
const STREETS = ["Main Street 5", "Harbour Road 17", "Parkway 300", "12 King Street", "Rua das Flores 42"];
const CITIES = ["London", "Austin", "Leeds", "Berlin", "Lisbon"];
const someDate = (r) => new Date(Date.UTC(2021, 0, 1) + int(r, 0, 5 * 365) * 86400000);
const iso = (d) => d.toISOString().slice(0, 10);
const dmy = (d) => `${String(d.getUTCDate()).padStart(2, "0")}/${String(d.getUTCMonth() + 1).padStart(2, "0")}/${d.getUTCFullYear()}`;
const manifest = path.join(outDir, "manifest.json");
const entries = fs.existsSync(manifest) ? JSON.parse(fs.readFileSync(manifest, "utf8")) : [];
const before = entries.length;

// microinvoice (PDFKit): the labels are the caller's; these are its own README example's.
const MicroInvoice = require("microinvoice");
{
  const r = rng(`${seedArg}-microinvoice`);
  for (let n = 0; n < count; n++) {
    const vendor = pick(r, VENDORS), buyer = pick(r, BUYERS), currency = pick(r, ["EUR", "USD", "GBP"]);
    const number = String(int(r, 1000, 99999)), issued = someDate(r), rate = pick(r, [0, 10, 20]);
    const lines = Array.from({ length: int(r, 1, 5) }, () => ({ description: pick(r, ITEMS), quantity: int(r, 1, 9), amount: int(r, 100, 90000) / 100 }));
    const net = money(lines.reduce((s, l) => s + l.amount, 0)), tax = money(net * rate / 100), total = money(net + tax);
    const file = `microinvoice-${String(n).padStart(2, "0")}.pdf`;
    await new MicroInvoice({ data: { invoice: {
      name: "Invoice",
      header: [{ label: "Invoice Number", value: number }, { label: "Status", value: "Paid" }, { label: "Date", value: dmy(issued) }],
      currency,
      customer: [{ label: "Bill To", value: [buyer, pick(r, STREETS), pick(r, CITIES)] }],
      seller: [{ label: "Bill From", value: [vendor, pick(r, STREETS), pick(r, CITIES)] }, { label: "Tax Identifier", value: String(int(r, 10 ** 8, 10 ** 9)) }],
      details: {
        header: [{ value: "Description" }, { value: "Quantity" }, { value: "Subtotal" }],
        parts: lines.map((l) => [{ value: l.description }, { value: l.quantity }, { value: l.amount.toFixed(2), price: true }]),
        total: [{ label: "Total without VAT", value: net.toFixed(2), price: true }, { label: "VAT Rate", value: `${rate}%` },
                { label: "VAT Paid", value: tax.toFixed(2), price: true }, { label: "Total paid with VAT", value: total.toFixed(2), price: true }],
      },
    } } }).generate(path.join(outDir, file));
    entries.push({ file, doc_type: "invoice", split: "third_party", source: "microinvoice", ground_truth: {
      invoice_number: number, issue_date: iso(issued), currency, vendor_name: vendor, buyer_name: buyer,
      net_amount: net, tax_amount: tax, total_amount: total,
      line_items: lines.map((l) => ({ description: l.description, quantity: l.quantity, amount: l.amount })) } });
  }
}

// @h1dd3nsn1p3r/pdf-invoice (pdfmake): its own labels, in the locale's number format.
const { PDFInvoice } = require("@h1dd3nsn1p3r/pdf-invoice");
{
  const r = rng(`${seedArg}-pdf-invoice`);
  for (let n = 0; n < count; n++) {
    const vendor = pick(r, VENDORS), buyer = pick(r, BUYERS);
    // Not fr-FR: its thousands separator (a narrow no-break space) comes out as "/".
    const [locale, currency] = pick(r, [["en-US", "USD"], ["en-GB", "GBP"], ["de-DE", "EUR"], ["es-ES", "EUR"]]);
    const number = int(r, 100, 99999), issued = someDate(r), due = new Date(issued.getTime() + pick(r, [14, 30]) * 86400000);
    const rate = pick(r, [0, 7, 19, 20]);
    const items = Array.from({ length: int(r, 1, 5) }, () => ({ name: pick(r, ITEMS), quantity: int(r, 1, 9), price: int(r, 100, 90000) / 100, discount: 0, tax: rate }));
    const file = `pdf-invoice-${String(n).padStart(2, "0")}.pdf`;
    await new PDFInvoice({
      company: { name: vendor, address: `${pick(r, STREETS)}, ${pick(r, CITIES)}`, phone: "Tel: +44 20 7946 0000", email: "Mail: billing@example.com" },
      customer: { name: buyer, address: `${pick(r, STREETS)}, ${pick(r, CITIES)}`, phone: "Tel: +1 555 0100", email: "Mail: ap@example.com" },
      invoice: { number, date: dmy(issued), dueDate: dmy(due), status: "Due", locale, currency, path: path.join(outDir, file) },
      items,
    }).create();
    // It prints each line's total with its tax, and a "Subtotal" of those: no amount before tax.
    const gross = (i) => money(i.quantity * i.price * (1 + i.tax / 100));
    const tax = money(items.reduce((s, i) => s + i.quantity * i.price * i.tax / 100, 0));
    entries.push({ file, doc_type: "invoice", split: "third_party", source: `pdf-invoice (${locale})`, ground_truth: {
      invoice_number: String(number), issue_date: iso(issued), due_date: iso(due), currency, vendor_name: vendor, buyer_name: buyer,
      tax_amount: tax, total_amount: money(items.reduce((s, i) => s + gross(i), 0)),
      line_items: items.map((i) => ({ description: i.name, quantity: i.quantity, unit_price: i.price, amount: gross(i) })) } });
  }
}
// jspdf-invoice-template (jsPDF, its Node.js build): every label is the caller's; these are
// its README example's ("Invoice #:", "Invoice Date:", "SubTotal:", the currency beside each total).
const jsPDFInvoiceTemplate = require("jspdf-invoice-template-nodejs").default;
{
  const r = rng(`${seedArg}-jspdf-invoice-template`);
  const hhmm = () => `${String(int(r, 8, 18)).padStart(2, "0")}:${String(int(r, 0, 59)).padStart(2, "0")}`;
  for (let n = 0; n < count; n++) {
    const vendor = pick(r, VENDORS), buyer = pick(r, BUYERS), currency = pick(r, ["EUR", "USD", "GBP"]);
    const number = int(r, 1, 9999), issued = someDate(r), paid = new Date(issued.getTime() + int(r, 0, 30) * 86400000);
    const rate = pick(r, [0, 10, 20]);
    const lines = Array.from({ length: int(r, 1, 6) }, () => {
      const quantity = int(r, 1, 9), price = int(r, 100, 90000) / 100;
      return { title: pick(r, ITEMS), quantity, price, amount: money(quantity * price) };
    });
    const net = money(lines.reduce((s, l) => s + l.amount, 0)), total = money(net * (1 + rate / 100));
    const grouped = (x) => x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    const file = `jspdf-invoice-template-${String(n).padStart(2, "0")}.pdf`;
    const { arrayBuffer } = jsPDFInvoiceTemplate({
      outputType: "arraybuffer", returnJsPDFDocObject: false, fileName: file, orientationLandscape: false, compress: true,
      business: { name: vendor, address: `${pick(r, STREETS)}, ${pick(r, CITIES)}`, phone: "(+44) 20 7946 0000", email: "billing@example.com", website: "www.example.com" },
      contact: { label: "Invoice issued for:", name: buyer, address: `${pick(r, STREETS)}, ${pick(r, CITIES)}`, phone: "(+1) 555 0100", email: "ap@example.com" },
      invoice: {
        label: "Invoice #: ", num: number,
        invDate: `Payment Date: ${dmy(paid)} ${hhmm()}`, invGenDate: `Invoice Date: ${dmy(issued)} ${hhmm()}`,
        headerBorder: false, tableBodyBorder: false,
        header: [{ title: "#", style: { width: 10 } }, { title: "Title", style: { width: 30 } }, { title: "Description", style: { width: 80 } },
                 { title: "Price" }, { title: "Quantity" }, { title: "Unit" }, { title: "Total" }],
        table: lines.map((l, i) => [i + 1, l.title, "", l.price, l.quantity, "pcs", l.amount]),
        additionalRows: [{ col1: "Total:", col2: grouped(total), col3: currency, style: { fontSize: 14 } },
                         { col1: "VAT:", col2: String(rate), col3: "%", style: { fontSize: 10 } },
                         { col1: "SubTotal:", col2: grouped(net), col3: currency, style: { fontSize: 10 } }],
        invDescLabel: "Invoice Note", invDesc: "Payment within 30 days. Thank you for your business.",
      },
      footer: { text: "The invoice is created on a computer and is valid without the signature and stamp." },
      pageEnable: true, pageLabel: "Page ",
    });
    fs.writeFileSync(path.join(outDir, file), Buffer.from(arrayBuffer));
    // The VAT row holds the rate, not an amount: no tax_amount in the ground truth.
    entries.push({ file, doc_type: "invoice", split: "third_party", source: "jspdf-invoice-template", ground_truth: {
      invoice_number: String(number), issue_date: iso(issued), currency, vendor_name: vendor, buyer_name: buyer,
      net_amount: net, total_amount: total,
      line_items: lines.map((l) => ({ description: l.title, quantity: l.quantity, unit_price: l.price, amount: l.amount })) } });
  }
}

// @rimiti/invoice-it (a Pug template, English and French): its HTML, printed to PDF by Chromium
// (its own PDF export needs PhantomJS). Amounts are in euros, as the template says.
const invoiceIt = require("@rimiti/invoice-it").default;
const { chromium } = require("playwright-core");
{
  const r = rng(`${seedArg}-invoice-it`);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium" });
  const page = await browser.newPage();
  for (let n = 0; n < count; n++) {
    const vendor = pick(r, VENDORS), buyer = pick(r, BUYERS), lang = pick(r, ["en", "fr"]), issued = someDate(r);
    const invoice = invoiceIt.create(
      { company_name: buyer, first_name: "Will", last_name: "Jameson", street_number: String(int(r, 1, 99)), street_name: pick(r, STREETS),
        zip_code: String(int(r, 10000, 99999)), city: pick(r, CITIES), country: "France", phone: "06 00 00 00 00", mail: "will.jameson@example.com" },
      { name: vendor, street_number: String(int(r, 1, 99)), street_name: pick(r, STREETS), zip_code: String(int(r, 10000, 99999)),
        city: pick(r, CITIES), country: "France", phone: "01 00 00 00 00", mail: "contact@example.com", website: "www.example.com" });
    invoice.lang = lang;
    invoice.id = int(r, 1, 99999);
    invoice.date = issued;
    invoice.logo = "data:image/gif;base64,R0lGODlhAQABAAAAACw=";
    const registration = `${vendor} - Registration: ${int(r, 10 ** 8, 10 ** 9)}`;
    invoice.footer = { en: registration, fr: registration };
    invoice.article = Array.from({ length: int(r, 1, 5) }, () => ({ description: pick(r, ITEMS), tax: pick(r, [5.5, 10, 20]), price: int(r, 100, 90000) / 100, qt: int(r, 1, 9) }));
    const file = `invoice-it-${String(n).padStart(2, "0")}.pdf`;
    await page.setContent(invoice.getInvoice().toHTML().html);
    await page.pdf({ path: path.join(outDir, file), format: "A4", printBackground: true });
    // The ground truth is what the template prints: its two-decimal amounts.
    const printed = (x) => Number(invoice.formatOutputNumber(x));
    entries.push({ file, doc_type: "invoice", split: "third_party", source: `invoice-it (${lang})`, ground_truth: {
      invoice_number: invoice.getReferenceFromPattern("invoice"), issue_date: iso(issued), currency: "EUR", vendor_name: vendor, buyer_name: buyer,
      net_amount: printed(invoice.total_exc_taxes), tax_amount: printed(invoice.total_taxes), total_amount: printed(invoice.total_inc_taxes),
      line_items: invoice.article.map((a) => ({ description: a.description, quantity: a.qt, unit_price: Number(a.price), amount: Number(a.total_product_without_taxes) })) } });
  }

  // generate-invoice (a React template, Finnish or English): its HTML, printed by Chromium (its
  // own PDF export needs PhantomJS). It lays the sender out on the left and the invoice's
  // particulars on the right, the recipient under them, one column of amounts, and it labels
  // the sum before tax "Brutto". Its "Viite"/"Invoice#" is a Finnish bank reference, the only
  // number it prints: the ground truth's invoice number.
  require("node-jsx").install();
  const { renderToStaticMarkup } = require("react-dom/server");
  const template = require("generate-invoice/lib/template.jsx");
  const PEOPLE = ["Aino Virtanen", "Jane Doe", "Mikko Korhonen", "John Smith", "Liisa Mäkinen"];
  const FINNISH_CITIES = [["00100", "Helsinki"], ["33100", "Tampere"], ["20100", "Turku"], ["90100", "Oulu"]];
  const r2 = rng(`${seedArg}-generate-invoice`);
  const businessId = () => `${int(r2, 1000000, 9999999)}-${int(r2, 0, 9)}`;
  for (let n = 0; n < count; n++) {
    const lang = pick(r2, ["fi", "en"]), vendor = pick(r2, VENDORS), buyer = pick(r2, BUYERS);
    const [currency, print] = lang === "fi" ? ["EUR", (v) => `${v} €`]
      : pick(r2, [["USD", (v) => `$${v}`], ["GBP", (v) => `£${v}`], ["EUR", (v) => `€${v}`]]);
    const issued = someDate(r2), days = pick(r2, [7, 14, 30]), due = new Date(issued.getTime() + days * 86400000);
    const party = (company) => {
      const [postalCode, city] = pick(r2, FINNISH_CITIES);
      return { name: pick(r2, PEOPLE), company, address: pick(r2, STREETS), postalCode, city, country: "Finland", phone: "+358 40 123 4567", companyId: businessId() };
    };
    const sender = { ...party(vendor), iban: "FI21 1234 5600 0007 85", bic: "NDEAFIHH" };
    const recipient = party(buyer);
    const invoice = {
      vat: lang === "fi" ? pick(r2, [0.24, 0.14, 0.1]) : pick(r2, [0.2, 0.1, 0]),
      // Local noon, so the template's local-time formatting prints the same day in any zone.
      date: new Date(issued.getUTCFullYear(), issued.getUTCMonth(), issued.getUTCDate(), 12).toString(),
      due: [days, "days"], reference: [int(r2, 1, 9999), int(r2, 1, 999)], currency: print,
      dateFormat: lang === "fi" ? "DD.MM.YYYY" : pick(r2, ["DD.MM.YYYY", "MMMM D, YYYY"]),
      products: Array.from({ length: int(r2, 1, 5) }, () => ({ name: pick(r2, ITEMS), price: int(r2, 100, 90000) / 100 })),
    };
    if (r2() < 0.5) Object.assign(invoice, { paymentTerm: `${days} days net`, warningTerm: "7 days", interest: "8" });
    const i18n = require(`generate-invoice/lib/languages/${lang}.js`);
    const html = renderToStaticMarkup(template({ sender, recipient, invoice, i18n }));
    const file = `generate-invoice-${String(n).padStart(2, "0")}.pdf`;
    // Loaded from a file, so its stylesheet (a file: URL) applies.
    const htmlFile = path.join(outDir, `${file}.html`);
    fs.writeFileSync(htmlFile, html);
    await page.goto(`file://${path.resolve(htmlFile)}`);
    await page.pdf({ path: path.join(outDir, file), format: "A4", printBackground: true });
    fs.rmSync(htmlFile);
    // The template has added each product's tax and printed the sums to two decimals.
    const sum = (f) => Number(invoice.products.reduce((a, p) => a + f(p), 0).toFixed(2));
    entries.push({ file, doc_type: "invoice", split: "third_party", source: `generate-invoice (${lang})`, ground_truth: {
      invoice_number: invoice.reference, issue_date: iso(issued), due_date: iso(due), currency, vendor_name: vendor, buyer_name: buyer,
      net_amount: sum((p) => p.price), tax_amount: sum((p) => p.tax), total_amount: sum((p) => p.price + p.tax),
      line_items: invoice.products.map((p) => ({ description: p.name, amount: p.price })) } });
  }
  await browser.close();
}

fs.writeFileSync(manifest, JSON.stringify(entries, null, 1));
console.error(`${entries.length - before} more invoices in ${outDir}`);
