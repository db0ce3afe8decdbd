/**
 * The jobs table: the user's jobs a page at a time (`GET /jobs`), filtered by status, and
 * kept current by the live feed: a status change updates its row in place, a job this tab
 * has not listed yet is fetched once and added on top. Nothing here polls.
 */

import type { Job, JobStatus } from "../api.ts";
import { JOB_STATUSES } from "../api.ts";
import type { Context } from "../context.ts";
import { describeError } from "../context.ts";
import { el } from "../dom.ts";
import { formatConfidence } from "../fields.ts";
import type { JobEvent } from "../live.ts";

const PAGE_SIZE = 20;

export function statusBadge(status: JobStatus): HTMLElement {
  return el("span", { class: `status status-${status.toLowerCase()}`, "data-status": status }, status.replace("_", " "));
}

export function formatTime(at: string): string {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? at : date.toLocaleString();
}

export interface JobsTable {
  element: HTMLElement;
  /** Shows a job this tab just created. */
  add(job: Job): void;
  dispose(): void;
}

export function jobsTable(context: Context): JobsTable {
  const filter = el(
    "select",
    { id: "status-filter" },
    el("option", { value: "" }, "all"),
    ...JOB_STATUSES.map((status) => el("option", { value: status }, status.replace("_", " "))),
  );
  const body = el("tbody");
  const message = el("p", { class: "table-message" });
  const previous = el("button", { type: "button", disabled: true }, "Previous page");
  const next = el("button", { type: "button", disabled: true }, "Next page");
  const rows = new Map<string, { row: HTMLTableRowElement; job: Job }>();
  /** Page tokens of the pages before the shown one; the first page has `null`. */
  const tokens: (string | null)[] = [];
  let current: string | null = null;
  let nextToken: string | null = null;

  const status = (): JobStatus | undefined => (filter.value || undefined) as JobStatus | undefined;

  const render = (job: Job): HTMLTableRowElement => {
    const link = el("a", { href: `#/jobs/${encodeURIComponent(job.job_id)}` }, job.document);
    const error = job.error ? el("span", { class: "job-error" }, job.error.name) : null;
    return el(
      "tr",
      { "data-job": job.job_id },
      el("th", { scope: "row" }, link),
      el("td", {}, job.spec),
      el("td", {}, statusBadge(job.status), error ? " " : null, error),
      el("td", {}, formatConfidence(job.confidence)),
      el("td", {}, el("time", { datetime: job.updated_at }, formatTime(job.updated_at))),
    );
  };

  const show = (job: Job, where: "top" | "bottom") => {
    const row = render(job);
    const existing = rows.get(job.job_id);
    if (existing) existing.row.replaceWith(row);
    else if (where === "top") body.prepend(row);
    else body.append(row);
    rows.set(job.job_id, { row, job });
    message.textContent = "";
  };

  const load = async (token: string | null) => {
    message.textContent = "Loading…";
    try {
      const page = await context.api.listJobs({ status: status(), limit: PAGE_SIZE, pageToken: token });
      body.replaceChildren();
      rows.clear();
      for (const job of page.jobs) show(job, "bottom");
      current = token;
      nextToken = page.next_page_token;
      next.disabled = nextToken === null;
      previous.disabled = tokens.length === 0;
      message.textContent = page.jobs.length === 0 ? "No jobs yet." : "";
    } catch (error) {
      message.textContent = `Jobs could not be loaded: ${describeError(error)}`;
    }
  };

  filter.addEventListener("change", () => {
    tokens.length = 0;
    void load(null);
  });
  next.addEventListener("click", () => {
    tokens.push(current);
    void load(nextToken);
  });
  previous.addEventListener("click", () => void load(tokens.pop() ?? null));

  const onFirstPage = () => tokens.length === 0;
  const matches = (s: JobStatus) => !status() || status() === s;

  const unsubscribe = context.live.subscribe((event: JobEvent) => {
    const known = rows.get(event.job_id);
    if (known) {
      const job = { ...known.job, status: event.status, error: event.error, confidence: event.confidence, updated_at: event.at };
      if (matches(job.status)) show(job, "top");
      else {
        known.row.remove();
        rows.delete(event.job_id);
      }
    } else if (onFirstPage() && matches(event.status)) {
      void context.api.job(event.job_id).then(({ job }) => {
        if (!rows.has(job.job_id) && matches(job.status)) show(job, "top");
      }, () => undefined);
    }
  });

  void load(null);

  const element = el(
    "section",
    { class: "panel jobs-panel", "aria-labelledby": "jobs-title" },
    el("h2", { id: "jobs-title" }, "Jobs"),
    el("div", { class: "table-tools" }, el("label", { for: "status-filter" }, "Status"), filter),
    el(
      "div",
      { class: "table-scroll" },
      el(
        "table",
        { class: "jobs", "aria-describedby": "jobs-title" },
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            el("th", { scope: "col" }, "Document"),
            el("th", { scope: "col" }, "Spec"),
            el("th", { scope: "col" }, "Status"),
            el("th", { scope: "col" }, "Confidence"),
            el("th", { scope: "col" }, "Updated"),
          ),
        ),
        body,
      ),
    ),
    message,
    el("nav", { class: "pager", "aria-label": "Job pages" }, previous, next),
  );

  return {
    element,
    add: (job) => {
      if (onFirstPage() && matches(job.status)) show(job, "top");
    },
    dispose: unsubscribe,
  };
}
