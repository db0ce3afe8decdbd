// The app in real headless Chromium (Debian's, driven by playwright-core) against a real
// `docex serve`: three PDFs dropped on the page reach SUCCEEDED live over the WebSocket, a
// job's field is checked with its evidence marked on the PDF page, an edit changes the
// report, document text is shown as text, and a failed job is re-driven. Screenshots of the
// main pages go to web/test-results/.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { REPO_DIR, WEB_DIR, startServer } from "./server.ts";
import type { Server } from "./server.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const RESULTS = join(WEB_DIR, "test-results");
const DOCUMENTS = join(REPO_DIR, "tests", "fixtures", "documents");
const INVOICES = ["invoice2data__AmazonWebServices.pdf", "invoice2data__QualityHosting.pdf", "invoice2data__coolblue1.pdf"];
/** The invoice number printed on the Amazon Web Services invoice. */
const AWS_INVOICE_NUMBER = "42183017";
const XSS = `<img src=x onerror="window.__xss=1">`;
const LIVE_TIMEOUT = 120_000;

let browser: Browser;
let server: Server;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
/** Every request the page made to the API, as `METHOD path?query`. */
const apiRequests: string[] = [];
/** Every job event the page received over the WebSocket. */
const socketEvents: { job_id: string; status: string }[] = [];

async function newPage(url: string): Promise<Page> {
  const p = await context.newPage();
  p.on("pageerror", (error) => pageErrors.push(String(error)));
  p.on("request", (request) => {
    const u = new URL(request.url());
    if (u.pathname.startsWith("/api/")) apiRequests.push(`${request.method()} ${u.pathname}${u.search}`);
  });
  p.on("websocket", (socket) =>
    socket.on("framereceived", (frame) => {
      try {
        socketEvents.push(JSON.parse(String(frame.payload)));
      } catch {
        // not a job event
      }
    }),
  );
  await p.goto(url);
  return p;
}

function reportText(path: string): string {
  return execFileSync("pdftotext", ["-layout", path, "-"], { encoding: "utf8" });
}

async function downloadReport(p: Page, name: string): Promise<string> {
  const [download] = await Promise.all([p.waitForEvent("download"), p.click("#download-report")]);
  const path = join(RESULTS, name);
  await download.saveAs(path);
  assert.equal(readFileSync(path).subarray(0, 5).toString(), "%PDF-", "the report download is a PDF");
  return reportText(path);
}

function fieldRow(p: Page, pointer: string) {
  return p.locator(`table.fields tr[data-pointer="${pointer}"]`);
}

async function editField(p: Page, pointer: string, value: string): Promise<void> {
  const row = fieldRow(p, pointer);
  await row.locator("button.edit").click();
  const input = row.locator(".edit-form input");
  await input.fill(value);
  await input.press("Enter");
  await p.waitForFunction(
    ([ptr, v]) => document.querySelector(`table.fields tr[data-pointer="${ptr}"] .value`)?.textContent === v,
    [pointer, value],
    { timeout: 30_000 },
  );
}

before(async () => {
  mkdirSync(RESULTS, { recursive: true });
  server = await startServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
  page = await newPage(server.url);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("three dropped PDFs upload with progress and reach SUCCEEDED live", { timeout: LIVE_TIMEOUT + 30_000 }, async () => {
  await page.waitForSelector("#spec option[value=invoice]", { state: "attached" });
  assert.equal(await page.inputValue("#spec"), "invoice");
  const listRequestsBefore = apiRequests.filter((r) => r.startsWith("GET /api/jobs?")).length;
  const files = INVOICES.map((name) => ({ name, base64: readFileSync(join(DOCUMENTS, name)).toString("base64") }));
  const dataTransfer = await page.evaluateHandle((list) => {
    const transfer = new DataTransfer();
    for (const file of list) {
      const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], file.name, { type: "application/pdf" }));
    }
    return transfer;
  }, files);
  await page.dispatchEvent(".drop-zone", "drop", { dataTransfer });

  await page.waitForFunction((n) => document.querySelectorAll(".uploads li.upload-done").length === n, INVOICES.length, {
    timeout: 60_000,
  });
  for (const name of INVOICES) {
    const progress = page.locator(`.uploads li[data-file="${name}"] progress`);
    assert.equal(await progress.evaluate((e) => (e as HTMLProgressElement).value), 1, `${name} uploaded in full`);
  }
  await page.waitForFunction(
    (n) => document.querySelectorAll("table.jobs tbody tr [data-status=SUCCEEDED]").length === n,
    INVOICES.length,
    { timeout: LIVE_TIMEOUT },
  );
  const documents = await page.locator("table.jobs tbody th a").allTextContents();
  assert.deepEqual([...documents].sort(), [...INVOICES].sort());
  const succeeded = new Set(socketEvents.filter((e) => e.status === "SUCCEEDED").map((e) => e.job_id));
  assert.equal(succeeded.size, INVOICES.length, "each job's SUCCEEDED arrived over the WebSocket");
  assert.equal(
    apiRequests.filter((r) => r.startsWith("GET /api/jobs?")).length,
    listRequestsBefore,
    "the table did not ask for the job list again: it followed the socket",
  );
  assert.ok(!apiRequests.some((r) => /^GET \/api\/jobs\/[^/?]+$/.test(r)), "no job was fetched for its status");
  await page.screenshot({ path: join(RESULTS, "jobs.png"), fullPage: true });
});

test("a job page shows the workflow, a field with its evidence marked on the page", { timeout: 60_000 }, async () => {
  await page.click(`table.jobs a:text("${INVOICES[0]}")`);
  await page.waitForSelector("table.fields");
  assert.equal(await page.getAttribute('[data-state="CompleteJob"]', "data-status"), "succeeded");
  assert.equal(await page.getAttribute('[data-state="JobFailed"]', "data-status"), "not-run");
  const row = fieldRow(page, "/invoice_number");
  assert.equal(await row.locator(".value").textContent(), AWS_INVOICE_NUMBER);
  assert.match((await row.locator(".evidence-text").textContent()) ?? "", new RegExp(AWS_INVOICE_NUMBER));
  assert.match((await row.locator(".confidence").textContent()) ?? "", /^\d+ %$/);
  await row.locator("button.show-evidence").click();
  const mark = page.locator(".page-view .textLayer mark.evidence");
  await mark.first().waitFor({ timeout: 30_000 });
  const marked = (await mark.allTextContents()).join("");
  assert.ok(marked.replace(/\s/g, "").includes(AWS_INVOICE_NUMBER), `the marked text "${marked}" holds the invoice number`);
  assert.equal(await page.getAttribute("table.fields tr[aria-current]", "data-pointer"), "/invoice_number");
  await page.screenshot({ path: join(RESULTS, "job.png"), fullPage: true });
  // A tab that did not upload the document shows its page too (from the API's download URL).
  const fresh = await newPage(page.url());
  await fresh.waitForFunction(
    (number) => (document.querySelector(".page-view .textLayer")?.textContent ?? "").replace(/\s/g, "").includes(number),
    AWS_INVOICE_NUMBER,
    { timeout: 30_000 },
  );
  await fresh.close();
});

test("an edited value is saved and the report shows it", { timeout: 90_000 }, async () => {
  const before = await downloadReport(page, "report-before.pdf");
  assert.match(before, new RegExp(AWS_INVOICE_NUMBER));
  await editField(page, "/invoice_number", "INV-EDITED-77");
  const afterEdit = await downloadReport(page, "report-after.pdf");
  assert.match(afterEdit, /INV-EDITED-77/);
  assert.notEqual(afterEdit, before);
});

test("document text is shown as text, never run as HTML", { timeout: 60_000 }, async () => {
  await editField(page, "/vendor_name", XSS);
  assert.equal(await fieldRow(page, "/vendor_name").locator(".value").textContent(), XSS);
  assert.equal(await page.locator("table.fields img").count(), 0);
  assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
  await page.screenshot({ path: join(RESULTS, "job-edited.png"), fullPage: true });
});

test("a failed job is shown failed live and re-driven to SUCCEEDED", { timeout: LIVE_TIMEOUT + 60_000 }, async () => {
  // A server whose StoreResult fails once with an error the workflow does not retry.
  const faulty = await startServer({ DOCEX_FAULTS: "StoreResult=Docex.Injected:1" });
  try {
    const p = await newPage(faulty.url);
    await p.waitForSelector("#spec option[value=invoice]", { state: "attached" });
    // The file name is document text too: it must reach the table as text.
    await p.setInputFiles("#files", {
      name: `${XSS}.pdf`,
      mimeType: "application/pdf",
      buffer: readFileSync(join(DOCUMENTS, INVOICES[0] as string)),
    });
    await p.waitForSelector("table.jobs tbody [data-status=FAILED]", { timeout: LIVE_TIMEOUT });
    assert.equal(await p.locator("table.jobs tbody th a").textContent(), `${XSS}.pdf`);
    assert.equal(await p.locator("table.jobs img").count(), 0);
    await p.click("table.jobs tbody th a");
    await p.waitForSelector('[data-state="JobFailed"][data-status="failed"]');
    assert.match((await p.locator(".job-error").textContent()) ?? "", /Docex\.Injected/);
    // The state that failed is marked on the graph (its failure was caught).
    assert.equal(await p.getAttribute('[data-state="StoreResult"]', "data-status"), "failed");
    assert.equal(await p.getAttribute('[data-state="RenderReport"]', "data-status"), "not-run");
    await p.screenshot({ path: join(RESULTS, "job-failed.png"), fullPage: true });
    await p.click("button.redrive");
    await p.waitForSelector("#job-status [data-status=SUCCEEDED]", { timeout: LIVE_TIMEOUT });
    assert.equal(await p.getAttribute('[data-state="ResumeJob"]', "data-status"), "succeeded");
    assert.equal(await p.getAttribute('[data-state="CompleteJob"]', "data-status"), "succeeded");
    await p.waitForSelector("table.fields");
    // The re-driven job's page shows its document again, with the evidence text on it.
    await p.waitForFunction(
      (number) => (document.querySelector(".page-view .textLayer")?.textContent ?? "").replace(/\s/g, "").includes(number),
      AWS_INVOICE_NUMBER,
      { timeout: 30_000 },
    );
    await p.screenshot({ path: join(RESULTS, "job-redriven.png"), fullPage: true });
    await p.close();
  } finally {
    await faulty.stop();
  }
  assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
});

test("the pages raised no script errors", () => {
  assert.deepEqual(pageErrors, []);
});
