/**
 * The upload panel: a spec (and optional template) picker and a drop zone that also opens a
 * file chooser. Each PDF becomes a job (`POST /jobs`) and is sent to the job's signed upload
 * URL with its own progress bar; the upload starts the workflow.
 */

import { sendSigned } from "../api.ts";
import type { Context } from "../context.ts";
import { describeError } from "../context.ts";
import { el } from "../dom.ts";

/** Uploads at once; the rest wait their turn. */
const PARALLEL_UPLOADS = 3;

function isPdf(file: File): boolean {
  return file.type === "application/pdf" || file.name.toLowerCase().endsWith(".pdf");
}

export function uploadPanel(context: Context): HTMLElement {
  const specSelect = el("select", { id: "spec", name: "spec", required: true });
  const templateSelect = el("select", { id: "template", name: "template" }, el("option", { value: "" }, "the spec's own"));
  const fileInput = el("input", {
    id: "files",
    type: "file",
    accept: "application/pdf,.pdf",
    multiple: true,
    tabindex: -1,
    class: "visually-hidden",
  });
  const progressList = el("ul", { class: "uploads", "aria-label": "Uploads" });
  const dropZone = el(
    "label",
    { for: "files", class: "drop-zone", tabindex: 0, "aria-describedby": "drop-help" },
    el("strong", {}, "Drop PDFs here"),
    el("span", { id: "drop-help" }, " or press Enter to choose files"),
  );

  void Promise.all([context.api.specs(), context.api.templates()])
    .then(([specs, templates]) => {
      specSelect.replaceChildren(...specs.map((name) => el("option", { value: name }, name)));
      if (specs.includes("invoice")) specSelect.value = "invoice";
      templateSelect.append(...templates.map((name) => el("option", { value: name }, name)));
    })
    .catch((error) => context.announce(`Specs could not be loaded: ${describeError(error)}`));

  const queue: (() => Promise<void>)[] = [];
  let active = 0;
  const pump = () => {
    while (active < PARALLEL_UPLOADS && queue.length > 0) {
      const task = queue.shift() as () => Promise<void>;
      active++;
      void task().finally(() => {
        active--;
        pump();
      });
    }
  };

  const addFiles = (files: Iterable<File>) => {
    for (const file of files) {
      const progress = el("progress", { max: 1, value: 0, "aria-label": `Upload of ${file.name}` });
      const state = el("span", { class: "upload-state" }, "waiting");
      const item = el("li", { class: "upload", "data-file": file.name }, el("span", { class: "upload-name" }, file.name), progress, state);
      progressList.append(item);
      if (!isPdf(file)) {
        state.textContent = "not a PDF, skipped";
        item.classList.add("upload-failed");
        continue;
      }
      const spec = specSelect.value;
      const template = templateSelect.value || undefined;
      queue.push(async () => {
        try {
          state.textContent = "creating job";
          const { job, upload } = await context.api.createJob(file.name, spec, template);
          context.uploads.set(job.job_id, file);
          context.jobCreated(job);
          state.textContent = "uploading";
          await sendSigned(upload, file, (share) => {
            progress.value = share;
            state.textContent = `uploading ${Math.round(share * 100)} %`;
          });
          state.textContent = "uploaded";
          item.classList.add("upload-done");
          context.announce(`${file.name} uploaded`);
        } catch (error) {
          state.textContent = `failed: ${describeError(error)}`;
          item.classList.add("upload-failed");
          context.announce(`Upload of ${file.name} failed`);
        }
      });
    }
    pump();
  };

  fileInput.addEventListener("change", () => {
    addFiles(Array.from(fileInput.files ?? []));
    fileInput.value = "";
  });
  dropZone.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      fileInput.click();
    }
  });
  dropZone.addEventListener("dragover", (event) => {
    event.preventDefault();
    dropZone.classList.add("dragging");
  });
  dropZone.addEventListener("dragleave", () => dropZone.classList.remove("dragging"));
  dropZone.addEventListener("drop", (event) => {
    event.preventDefault();
    dropZone.classList.remove("dragging");
    addFiles(Array.from(event.dataTransfer?.files ?? []));
  });

  return el(
    "section",
    { class: "panel upload-panel", "aria-labelledby": "upload-title" },
    el("h2", { id: "upload-title" }, "New jobs"),
    el(
      "div",
      { class: "pickers" },
      el("label", { for: "spec" }, "Spec"),
      specSelect,
      el("label", { for: "template" }, "Report template"),
      templateSelect,
    ),
    fileInput,
    dropZone,
    progressList,
  );
}
