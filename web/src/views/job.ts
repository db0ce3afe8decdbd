/**
 * A job's page: its status (live), the workflow graph with each state's status, and for a
 * finished job the extracted fields beside the PDF page each came from, with the evidence
 * marked, the confidence shown and the value editable; downloads of the result JSON and
 * the report; a re-drive button when the job failed.
 */

import type { PDFDocumentProxy } from "pdfjs-dist";
import type { JobDetail, ResultResponse } from "../api.ts";
import { ApiError } from "../api.ts";
import type { Context } from "../context.ts";
import { describeError } from "../context.ts";
import { el, replaceChildren } from "../dom.ts";
import type { FieldRow } from "../fields.ts";
import { EditError, correction, fieldRows, formatConfidence, formatValue, parseEdit } from "../fields.ts";
import { drawWorkflow } from "../graph.ts";
import type { JobEvent } from "../live.ts";
import { stateStatuses, workflowGraph } from "../workflow.ts";
import type { AslDefinition } from "../workflow.ts";
import definition from "../../../statemachine/docex.asl.json";
import { formatTime, statusBadge } from "./jobs.ts";

const graph = workflowGraph(definition as AslDefinition);

/** pdf.js is loaded with the first job page, not with the jobs list. */
const pdfView = () => import("../pdf-view.ts");

export interface JobPage {
  element: HTMLElement;
  dispose(): void;
}

export function jobPage(context: Context, jobId: string): JobPage {
  const title = el("h2", { id: "job-title", tabindex: -1 }, "Job");
  const summary = el("div", { class: "job-summary", "aria-live": "polite" });
  const actions = el("div", { class: "job-actions" });
  const graphBox = el("div", { class: "graph-box" });
  const resultBox = el("section", { class: "result", "aria-label": "Result" });
  let pdf: Promise<PDFDocumentProxy | null> | null = null;
  let lastStatus: string | null = null;
  /** A correction's report is being rendered again: the next event of the job brings it. */
  let reportPending = false;
  let lastResponse: ResultResponse | null = null;
  /** The field whose evidence is shown, kept when the result is shown again. */
  let selected: string | null = null;
  /** The object URL of the result JSON download, released when replaced. */
  let jsonUrl: string | null = null;

  const showDetail = (detail: JobDetail) => {
    const { job } = detail;
    title.textContent = job.document;
    replaceChildren(
      summary,
      el(
        "dl",
        {},
        ...(
          [
            ["Status", statusBadge(job.status)],
            ["Confidence", formatConfidence(job.confidence)],
            ["Spec", job.spec],
            ["Template", job.template],
            ["Updated", el("time", { datetime: job.updated_at }, formatTime(job.updated_at))],
          ] as const
        ).map(([term, value]) => el("div", {}, el("dt", {}, term), el("dd", term === "Status" ? { id: "job-status" } : {}, value))),
      ),
      job.error
        ? el("p", { class: "job-error", role: "alert" }, el("strong", {}, job.error.name), ": ", job.error.message)
        : null,
    );
    replaceChildren(actions);
    if (job.status === "FAILED") {
      const button = el("button", { type: "button", class: "redrive" }, "Re-drive");
      button.addEventListener("click", async () => {
        button.disabled = true;
        try {
          await context.api.redrive(job.job_id);
          context.announce(`${job.document}: re-drive accepted`);
        } catch (error) {
          button.disabled = false;
          context.announce(`Re-drive failed: ${describeError(error)}`);
        }
      });
      actions.append(button);
    }
    replaceChildren(graphBox, drawWorkflow(graph, stateStatuses(graph, detail)));
    if ((job.status === "SUCCEEDED" || job.status === "NEEDS_REVIEW") && lastStatus !== job.status) void loadResult();
    if (job.status !== "SUCCEEDED" && job.status !== "NEEDS_REVIEW") {
      replaceChildren(resultBox, el("p", {}, job.status === "FAILED" ? "The job failed: no result." : "The result appears here when the job finishes."));
    }
    lastStatus = job.status;
  };

  const loadDetail = async () => {
    try {
      showDetail(await context.api.job(jobId));
    } catch (error) {
      replaceChildren(summary, el("p", { role: "alert" }, `The job could not be loaded: ${describeError(error)}`));
    }
  };

  const sourcePdf = (response: ResultResponse): Promise<PDFDocumentProxy | null> => {
    const file = context.uploads.get(jobId);
    if (file) return Promise.all([pdfView(), file.arrayBuffer()]).then(([view, bytes]) => view.openPdf(bytes));
    const source = response.document;
    if (source) return pdfView().then((view) => view.openPdf(source.url));
    return Promise.resolve(null);
  };

  const loadResult = async () => {
    let response: ResultResponse;
    try {
      response = await context.api.result(jobId);
    } catch (error) {
      if (error instanceof ApiError && error.errorName === "Api.ResultNotReady") return;
      replaceChildren(resultBox, el("p", { role: "alert" }, `The result could not be loaded: ${describeError(error)}`));
      return;
    }
    pdf ??= sourcePdf(response).catch(() => null);
    reportPending = false;
    showResult(response);
  };

  const showResult = (response: ResultResponse) => {
    lastResponse = response;
    const { result } = response;
    const rows = fieldRows(result);
    const pageView = el("div", { class: "page-view", "aria-live": "polite" });
    const pageCaption = el("p", { class: "page-caption" });
    const fieldsBody = el("tbody");
    if (jsonUrl) URL.revokeObjectURL(jsonUrl);
    jsonUrl = URL.createObjectURL(new Blob([JSON.stringify(result, null, 2)], { type: "application/json" }));
    const baseName = result.document.replace(/\.pdf$/i, "");
    const downloads = el(
      "div",
      { class: "downloads" },
      el("a", { href: jsonUrl, download: `${baseName}.json`, class: "button", id: "download-json" }, "Download JSON"),
      response.report
        ? el("a", { href: response.report.url, download: `${baseName}-report.pdf`, class: "button", id: "download-report" }, "Download report")
        : el("span", { class: "report-state" }, reportPending ? "The report is being rendered again…" : "No report was rendered."),
    );

    const showEvidence = async (row: FieldRow) => {
      selected = row.pointer;
      for (const other of fieldsBody.querySelectorAll("tr[aria-current]")) other.removeAttribute("aria-current");
      fieldsBody.querySelector(`tr[data-pointer="${CSS.escape(row.pointer)}"]`)?.setAttribute("aria-current", "true");
      const document = await pdf;
      if (!document) {
        replaceChildren(pageView, el("p", { class: "no-source" },
          "The source PDF is shown in the tab it was uploaded from; the API offers no download of it."));
        return;
      }
      const page = row.evidence?.page ?? 1;
      pageCaption.textContent = row.evidence
        ? `Page ${page}: evidence of ${row.label}, “${row.evidence.text}”`
        : `Page ${page}: no evidence recorded for ${row.label}`;
      const width = Math.max(280, Math.min(pageView.clientWidth || 600, 900));
      const { renderPage } = await pdfView();
      const rendered = await renderPage(document, page, pageView, width,
        row.evidence ? { quote: row.evidence.text, bbox: row.evidence.bbox } : null);
      if (row.evidence && !rendered.quoteFound) pageCaption.append(" (the quote is not in the page's text; its box is marked)");
    };

    const editRow = (row: FieldRow, cell: HTMLElement, editButton: HTMLButtonElement) => {
      const input = el("input", { type: "text", value: row.value === null || row.value === undefined ? "" : String(row.value), "aria-label": `New value of ${row.label}` });
      const error = el("span", { class: "edit-error", role: "alert" });
      const save = el("button", { type: "submit" }, "Save");
      const cancel = el("button", { type: "button" }, "Cancel");
      const form = el("form", { class: "edit-form" }, input, save, cancel, error);
      const original = Array.from(cell.childNodes);
      const close = () => {
        cell.replaceChildren(...original);
        editButton.focus();
      };
      cancel.addEventListener("click", close);
      form.addEventListener("keydown", (event) => {
        if (event.key === "Escape") close();
      });
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        let value: unknown;
        try {
          value = parseEdit(row.value, input.value);
        } catch (e) {
          error.textContent = e instanceof EditError ? e.message : String(e);
          return;
        }
        save.disabled = true;
        try {
          const corrected = await context.api.correctFields(jobId, correction(row, value));
          reportPending = corrected.report.state === "pending";
          context.announce(`${row.label} saved${reportPending ? "; the report is being rendered again" : ""}`);
          showResult({ ...(lastResponse ?? {}), result: corrected.result, report: corrected.report.download });
        } catch (e) {
          save.disabled = false;
          error.textContent = describeError(e);
        }
      });
      cell.replaceChildren(form);
      input.focus();
      input.select();
    };

    for (const row of rows) {
      const valueCell = el("td", { class: "field-value" }, el("span", { class: "value" }, formatValue(row.value)));
      const showButton = el("button", { type: "button", class: "show-evidence", "aria-label": `Show ${row.label} on the page` }, "Show");
      const editButton = el("button", { type: "button", class: "edit", "aria-label": `Edit ${row.label}` }, "Edit");
      showButton.addEventListener("click", () => void showEvidence(row));
      editButton.addEventListener("click", () => editRow(row, valueCell, editButton));
      const confidence = row.evidence?.confidence;
      fieldsBody.append(
        el(
          "tr",
          { "data-pointer": row.pointer },
          el("th", { scope: "row" }, row.label),
          valueCell,
          el("td", { class: `confidence ${typeof confidence === "number" && confidence < 0.6 ? "low" : ""}` }, formatConfidence(confidence)),
          el("td", { class: "evidence-text" }, row.evidence ? `p. ${row.evidence.page ?? "?"}: “${row.evidence.text}”` : "—"),
          el("td", { class: "row-actions" }, showButton, editButton),
        ),
      );
    }

    replaceChildren(
      resultBox,
      el("h3", {}, "Result"),
      downloads,
      result.review_reasons && result.review_reasons.length > 0
        ? el("div", { class: "review-reasons" }, el("h4", {}, "Why it needs review"), el("ul", {}, ...result.review_reasons.map((r) => el("li", {}, r))))
        : null,
      el(
        "div",
        { class: "review" },
        el(
          "div",
          { class: "table-scroll fields-box" },
          el("table", { class: "fields" },
            el("caption", {}, `Extracted fields (overall confidence ${formatConfidence(result.confidence)})`),
            el("thead", {}, el("tr", {},
              el("th", { scope: "col" }, "Field"), el("th", { scope: "col" }, "Value"), el("th", { scope: "col" }, "Confidence"),
              el("th", { scope: "col" }, "Evidence"), el("th", { scope: "col" }, el("span", { class: "visually-hidden" }, "Actions")))),
            fieldsBody),
        ),
        el("figure", { class: "page-figure" }, pageView, el("figcaption", {}, pageCaption)),
      ),
    );
    const first = rows.find((row) => row.pointer === selected) ?? rows.find((row) => row.evidence) ?? rows[0];
    if (first) void showEvidence(first);
  };

  const unsubscribe = context.live.subscribe((event: JobEvent) => {
    if (event.job_id !== jobId) return;
    context.announce(`${title.textContent}: ${event.status.replace("_", " ")}`);
    void loadDetail();
    if (reportPending) void loadResult();
  });

  void loadDetail().then(() => title.focus());

  const element = el(
    "article",
    { class: "job-page", "aria-labelledby": "job-title" },
    el("p", {}, el("a", { href: "#/" }, "← All jobs")),
    title,
    summary,
    actions,
    el("section", { class: "panel", "aria-labelledby": "graph-title" }, el("h3", { id: "graph-title" }, "Workflow"), graphBox),
    resultBox,
  );
  return { element, dispose: unsubscribe };
}
