// Finding an evidence quote in a page's text items, whatever their spacing.
import assert from "node:assert/strict";
import { test } from "node:test";
import { findQuote } from "../../src/evidence.ts";

test("a quote inside one item is found at its characters", () => {
  assert.deepEqual(findQuote(["Invoice number:", "Total due $4.11 USD"], "$4.11"), [{ item: 1, start: 10, end: 15 }]);
});

test("a quote split over items with other spacing is found in each", () => {
  const items = ["Total", " ", "$", "4.11"];
  assert.deepEqual(findQuote(items, "Total $4.11"), [
    { item: 0, start: 0, end: 5 },
    { item: 2, start: 0, end: 1 },
    { item: 3, start: 0, end: 4 },
  ]);
});

test("case and compatibility forms do not matter", () => {
  assert.deepEqual(findQuote(["INVOICE Nº 42"], "invoice no 42"), [{ item: 0, start: 0, end: 13 }]);
  assert.deepEqual(findQuote(["ＩＮＶＯＩＣＥ 42"], "invoice 42"), [{ item: 0, start: 0, end: 10 }]);
});

test("a quote that is not there, or empty, finds nothing", () => {
  assert.equal(findQuote(["Total $4.11"], "$5.00"), null);
  assert.equal(findQuote(["Total"], "   "), null);
});
