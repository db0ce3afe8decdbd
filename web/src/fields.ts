/**
 * The extracted fields of a result as rows a reviewer reads and edits: every scalar value of
 * `data` (nested objects and line items included) by its JSON pointer, with its evidence
 * from `fields`, a readable label, and a reviewer's input turned back into a value of the
 * field's type.
 */

import type { FieldEvidence, JobResult, PatchOperation } from "./api.ts";

export interface FieldRow {
  /** JSON pointer into `data`, e.g. `/line_items/0/amount`. */
  pointer: string;
  label: string;
  value: unknown;
  evidence: FieldEvidence | null;
}

function escapeSegment(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

function unescapeSegment(segment: string): string {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

export function pointerSegments(pointer: string): string[] {
  return pointer === "" ? [] : pointer.slice(1).split("/").map(unescapeSegment);
}

/** The value at a JSON pointer, or `undefined`. */
export function valueAt(data: unknown, pointer: string): unknown {
  let value = data;
  for (const segment of pointerSegments(pointer)) {
    if (Array.isArray(value)) value = value[Number(segment)];
    else if (typeof value === "object" && value !== null) value = (value as Record<string, unknown>)[segment];
    else return undefined;
  }
  return value;
}

/** `line_items › 2 › unit_price` for `/line_items/1/unit_price`. */
export function fieldLabel(pointer: string): string {
  return pointerSegments(pointer)
    .map((segment) => (/^\d+$/.test(segment) ? String(Number(segment) + 1) : segment.replace(/_/g, " ")))
    .join(" › ");
}

/** One row per scalar value of `result.data`, in the data's order. */
export function fieldRows(result: JobResult): FieldRow[] {
  const rows: FieldRow[] = [];
  const walk = (value: unknown, pointer: string) => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, `${pointer}/${index}`));
    } else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) walk(item, `${pointer}/${escapeSegment(key)}`);
    } else {
      rows.push({ pointer, label: fieldLabel(pointer), value, evidence: result.fields[pointer] ?? null });
    }
  };
  walk(result.data, "");
  return rows;
}

/** A value as the reviewer reads it. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** A confidence from 0 to 1 as a percentage. */
export function formatConfidence(confidence: number | null | undefined): string {
  return typeof confidence === "number" ? `${Math.round(confidence * 100)} %` : "—";
}

/** A reviewer's input cannot be a value of the field's type. */
export class EditError extends Error {
  override name = "EditError";
}

/**
 * The value a reviewer typed, of the same type as `original`: numbers stay numbers (a
 * decimal comma is read as a point), booleans are `true`/`false`, and an empty input clears
 * the field (`null`).
 */
export function parseEdit(original: unknown, input: string): unknown {
  const text = input.trim();
  if (text === "") return null;
  if (typeof original === "number") {
    const number = Number(text.replace(/\s/g, "").replace(/,(\d+)$/, ".$1"));
    if (!Number.isFinite(number)) throw new EditError(`"${text}" is not a number`);
    return number;
  }
  if (typeof original === "boolean") {
    if (/^(true|yes)$/i.test(text)) return true;
    if (/^(false|no)$/i.test(text)) return false;
    throw new EditError(`"${text}" is not true or false`);
  }
  return input;
}

/**
 * The JSON Patch that sets `row` to `value`: a `test` of the value the reviewer saw (so a
 * change made meanwhile is refused, not overwritten), then a `replace`, or a `remove` when
 * the value was cleared.
 */
export function correction(row: FieldRow, value: unknown): PatchOperation[] {
  const guard: PatchOperation = { op: "test", path: row.pointer, value: row.value };
  if (value === null) return [guard, { op: "remove", path: row.pointer }];
  return [guard, { op: "replace", path: row.pointer, value }];
}
