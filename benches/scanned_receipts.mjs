// Till receipts typeset by receiptline (npm; the OFSC ReceiptLine receipt markdown, laid out
// like its own example receipt), rendered to an image by Chromium and made to look scanned:
// turned a little, blurred, speckled (or printed in dots and scanned small) and saved as a
// JPEG, then wrapped in a PDF with no text layer, so docex must read them with OCR. The data
// they are made from, drawn from a seeded random generator, is their ground truth; entries go
// to OUT_DIR/manifest.json.
//
// Usage: node scanned_receipts.mjs OUT_DIR COUNT SEED NODE_MODULES_PREFIX
// Env:   CHROMIUM  the Chromium executable (default: /usr/bin/chromium)
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { int, money, pick, rng } from "./seeded.mjs";
const [outDir, countArg = "8", seedArg = "1", prefix = "."] = process.argv.slice(2);
const require = createRequire(path.resolve(prefix, "package.json"));
const receiptline = require("receiptline");
const { chromium } = require("playwright-core");
const count = Number(countArg);
fs.mkdirSync(outDir, { recursive: true });

const pad = (n) => String(n).padStart(2, "0");

const SHOPS = [
  { name: "SUNRISE MINI MARKET SDN BHD", street: "NO. 12, JALAN PUTRA 3/1", city: "47100 PUCHONG, SELANGOR", currency: "MYR", sign: "RM" },
  { name: "KEDAI RUNCIT AH CHONG", street: "LOT 7, JALAN BESAR", city: "35900 TANJUNG MALIM, PERAK", currency: "MYR", sign: "RM" },
  { name: "Corner Deli & Grocery", street: "214 Elm Street", city: "Springfield, IL 62704", currency: "USD", sign: "$" },
  { name: "Harbor Hardware Co.", street: "88 Water Street", city: "Portland, ME 04101", currency: "USD", sign: "$" },
  { name: "Bäckerei Sonnenschein", street: "Lindenstraße 14", city: "10969 Berlin", currency: "EUR", sign: "EUR" },
  { name: "Café du Marché", street: "3 rue des Halles", city: "69001 Lyon", currency: "EUR", sign: "EUR" },
  { name: "The Green Grocer Ltd", street: "45 High Street", city: "Oxford OX1 4AP", currency: "GBP", sign: "GBP" },
];
const ITEMS = ["BREAD WHITE", "MILK 1L", "EGGS 10PCS", "COFFEE 250G", "APPLES 1KG", "RICE 5KG", "SOAP BAR", "BATTERY AA 4PK",
  "WATER 1.5L", "TEA BOX", "SUGAR 1KG", "NOODLES", "TISSUE PACK", "SCREWS M4", "PAINT BRUSH"];
// How a date is printed, by currency: day first outside the United States, as receipts there are.
const DATE_STYLES = {
  MYR: [(d) => `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`, (d) => `${pad(d.getUTCDate())}-${pad(d.getUTCMonth() + 1)}-${d.getUTCFullYear()}`],
  USD: [(d) => `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()}`,
        (d) => `${["Jan.", "Feb.", "Mar.", "Apr.", "May", "Jun.", "Jul.", "Aug.", "Sep.", "Oct.", "Nov.", "Dec."][d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`],
  EUR: [(d) => `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()}`, (d) => `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`],
  GBP: [(d) => `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`, (d) => d.toISOString().slice(0, 10)],
};
// Scan quality: degrees turned at most, blur in pixels, speckle strength, JPEG quality, pixels per receipt
// pixel as drawn; "dotted" prints every stroke as dots (a dot-matrix or worn thermal print: ink only on
// a grid of `dots` pixels, with a pixel's gap between dots) and is then scanned at `shrink` of that size.
const QUALITIES = [
  { name: "clean", turn: 0, blur: 0, speckle: 0, jpeg: 0.92, scale: 2 },
  { name: "light", turn: 1, blur: 0.4, speckle: 12, jpeg: 0.8, scale: 2 },
  { name: "heavy", turn: 2.5, blur: 0.9, speckle: 36, jpeg: 0.5, scale: 1.3 },
  { name: "dotted", turn: 0.5, blur: 0, speckle: 8, jpeg: 0.7, scale: 3, dots: 3, shrink: 0.45 },
];

const manifest = path.join(outDir, "manifest.json");
const entries = fs.existsSync(manifest) ? JSON.parse(fs.readFileSync(manifest, "utf8")) : [];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium" });
const page = await browser.newPage();
for (const quality of QUALITIES) {
  const r = rng(`${seedArg}-receiptline-${quality.name}`);
  for (let n = 0; n < count; n++) {
    const shop = pick(r, SHOPS);
    const date = new Date(Date.UTC(2018, 0, 1) + int(r, 0, 6 * 365) * 86400000);
    const lines = Array.from({ length: int(r, 1, 7) }, () => {
      const quantity = int(r, 1, 3), price = int(r, 50, 4000) / 100;
      return { name: pick(r, ITEMS), quantity, amount: money(quantity * price) };
    });
    const subtotal = money(lines.reduce((s, l) => s + l.amount, 0));
    const rate = pick(r, [0, 6, 8, 20]), tax = money(subtotal * rate / 100), total = money(subtotal + tax);
    const cash = Math.ceil(total / 10) * 10;
    const doc = [
      `^^${shop.name}`, shop.street, shop.city, `Tel ${int(r, 100, 999)}-${int(r, 1000, 9999)}`,
      "-------------------------------------",
      `${pick(r, DATE_STYLES[shop.currency])(date)} ${pad(int(r, 8, 21))}:${pad(int(r, 0, 59))}`,
      "{border:line}", "^RECEIPT", "{border:space}", "{width:*,2,10}",
      ...lines.map((l) => `${l.name} | ${l.quantity}| ${l.amount.toFixed(2)}`),
      "-------------------------------------", "{width:*,20}",
      ...(rate ? [`SUBTOTAL | ${subtotal.toFixed(2)}`, `TAX ${rate}% | ${tax.toFixed(2)}`] : []),
      `^TOTAL ${shop.sign} | ^${total.toFixed(2)}`, `CASH | ${cash.toFixed(2)}`, `CHANGE | ${(cash - total).toFixed(2)}`,
      "{width:*}", "THANK YOU, PLEASE COME AGAIN",
    ].join("\n");
    const svg = receiptline.transform(doc, { cpl: 42, encoding: "multilingual", command: "svg" });
    const turn = (r() * 2 - 1) * quality.turn;
    // The "scan": the SVG drawn turned and blurred on a canvas, speckled, saved as a JPEG.
    const { jpeg, aspect } = await page.evaluate(async ({ svg, turn, quality, seed }) => {
      const image = new Image();
      image.src = `data:image/svg+xml;base64,${btoa(unescape(encodeURIComponent(svg)))}`;
      await image.decode();
      const [w, h] = [image.width * quality.scale, image.height * quality.scale];
      const canvas = document.createElement("canvas");
      canvas.width = Math.ceil(w + 80); canvas.height = Math.ceil(h + 80);
      const ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.translate(canvas.width / 2, canvas.height / 2); ctx.rotate(turn * Math.PI / 180);
      ctx.filter = quality.blur ? `blur(${quality.blur}px)` : "none";
      ctx.drawImage(image, -w / 2, -h / 2, w, h);
      ctx.setTransform(1, 0, 0, 1, 0, 0); ctx.filter = "none";
      let scan = canvas, scanned = ctx;
      if (quality.dots) {
        const print = ctx.getImageData(0, 0, canvas.width, canvas.height);
        for (let y = 0; y < canvas.height; y++) {
          for (let x = 0; x < canvas.width; x++) {
            if (x % quality.dots < quality.dots - 1 && y % quality.dots < quality.dots - 1) continue;
            print.data.fill(255, (y * canvas.width + x) * 4, (y * canvas.width + x) * 4 + 3);
          }
        }
        ctx.putImageData(print, 0, 0);
        scan = document.createElement("canvas");
        scan.width = Math.round(canvas.width * quality.shrink); scan.height = Math.round(canvas.height * quality.shrink);
        scanned = scan.getContext("2d");
        scanned.drawImage(canvas, 0, 0, scan.width, scan.height);
      }
      const pixels = scanned.getImageData(0, 0, scan.width, scan.height);
      let s = seed;
      for (let i = 0; i < pixels.data.length; i += 4) {
        s = (s * 1103515245 + 12345) >>> 0;
        const noise = ((s >>> 8) / 16777216 - 0.5) * 2 * quality.speckle;
        for (let c = 0; c < 3; c++) pixels.data[i + c] = Math.max(0, Math.min(255, pixels.data[i + c] + noise));
      }
      scanned.putImageData(pixels, 0, 0);
      return { jpeg: scan.toDataURL("image/jpeg", quality.jpeg), aspect: scan.height / scan.width };
    }, { svg, turn, quality, seed: int(r, 1, 2 ** 30) });
    const file = `receiptline-${quality.name}-${pad(n)}.pdf`;
    await page.setContent(`<style>@page{margin:0}body{margin:0}img{width:80mm;display:block}</style><img src="${jpeg}">`);
    await page.pdf({ path: path.join(outDir, file), width: "80mm", height: `${Math.ceil(80 * aspect) + 1}mm`, pageRanges: "1" });
    entries.push({ file, doc_type: "receipt", split: "third_party", source: `receiptline (${quality.name} scan)`, ground_truth: {
      company: shop.name, address: `${shop.street}, ${shop.city}`, date: date.toISOString().slice(0, 10), total, currency: shop.currency } });
  }
}
await browser.close();
fs.writeFileSync(manifest, JSON.stringify(entries, null, 1));
console.error(`${count * QUALITIES.length} receipts in ${outDir}`);
