// The reviewer's rows: every scalar of the data with its evidence, labels, and typed edits.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { JobResult } from "../../src/api.ts";
import { EditError, correction, fieldLabel, fieldRows, formatConfidence, parseEdit, valueAt } from "../../src/fields.ts";

const result: JobResult = {
  job_id: "j1",
  document: "a.pdf",
  spec: "invoice",
  status: "SUCCEEDED",
  data: { invoice_number: "42", total_amount: 4.11, "a/b": true, line_items: [{ amount: 1.5 }, { amount: 2.61 }] },
  fields: {
    "/total_amount": { confidence: 0.9, page: 1, text: "$4.11" },
    "/line_items/1/amount": { confidence: 0.7, page: 2, text: "2.61" },
  },
  confidence: 0.8,
};

test("every scalar becomes a row with its evidence", () => {
  const rows = fieldRows(result);
  assert.deepEqual(
    rows.map((r) => [r.pointer, r.value, r.evidence?.text ?? null]),
    [
      ["/invoice_number", "42", null],
      ["/total_amount", 4.11, "$4.11"],
      ["/a~1b", true, null],
      ["/line_items/0/amount", 1.5, null],
      ["/line_items/1/amount", 2.61, "2.61"],
    ],
  );
  for (const row of rows) assert.deepEqual(valueAt(result.data, row.pointer), row.value);
});

test("labels read like the field's path", () => {
  assert.equal(fieldLabel("/line_items/1/unit_price"), "line items › 2 › unit price");
  assert.equal(fieldLabel("/a~1b"), "a/b");
});

test("an edit keeps the field's type", () => {
  assert.equal(parseEdit(4.11, " 5,25 "), 5.25);
  assert.equal(parseEdit(4.11, "1 234.5"), 1234.5);
  assert.equal(parseEdit(true, "no"), false);
  assert.equal(parseEdit("42", "<img src=x onerror=alert(1)>"), "<img src=x onerror=alert(1)>");
  assert.equal(parseEdit("42", "  "), null);
  assert.throws(() => parseEdit(4.11, "four"), EditError);
  assert.throws(() => parseEdit(false, "maybe"), EditError);
});

test("confidence reads as a percentage", () => {
  assert.equal(formatConfidence(0.856), "86 %");
  assert.equal(formatConfidence(null), "—");
});

test("a correction tests the value seen, then replaces or removes it", () => {
  const row = fieldRows(result).find((r) => r.pointer === "/total_amount");
  assert.ok(row);
  assert.deepEqual(correction(row, 5.25), [
    { op: "test", path: "/total_amount", value: 4.11 },
    { op: "replace", path: "/total_amount", value: 5.25 },
  ]);
  assert.deepEqual(correction(row, null), [
    { op: "test", path: "/total_amount", value: 4.11 },
    { op: "remove", path: "/total_amount" },
  ]);
});
