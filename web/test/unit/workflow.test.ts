// The graph drawn from the real workflow definition, and each state's status for a job.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import type { JobDetail, JobStatus } from "../../src/api.ts";
import { parseJobEvent, reconnectDelay } from "../../src/live.ts";
import type { AslDefinition } from "../../src/workflow.ts";
import { stateStatuses, workflowGraph } from "../../src/workflow.ts";

const definition = JSON.parse(
  readFileSync(new URL("../../../../statemachine/docex.asl.json", import.meta.url), "utf8"),
) as AslDefinition;
const graph = workflowGraph(definition);

function detail(status: JobStatus, earlier: JobStatus[] = []): JobDetail {
  const at = "2026-11-28T20:00:00Z";
  const job = { job_id: "j", owner: "o", document: "d.pdf", spec: "invoice", template: "generic", status, error: null, confidence: null, created_at: at, updated_at: at };
  return { job, history: [...earlier, status].map((s) => ({ job_id: "j", status: s, error: null, confidence: null, at })) };
}

test("the success and failure paths follow the definition", () => {
  assert.deepEqual(graph.successPath, ["PrepareDocument", "ExtractChunks", "MergeAndValidate", "StoreResult", "RenderReport", "CompleteJob"]);
  assert.deepEqual(graph.failurePath, ["RecordFailure", "SendToDeadLetterQueue", "JobFailed", "ResumeJob"]);
  assert.equal(graph.nodes.length, Object.keys(definition.States).length);
  assert.ok(graph.edges.some((e) => e.from === "StoreResult" && e.to === "RecordFailure" && e.kind === "catch"));
  assert.ok(graph.edges.some((e) => e.from === "ResumeJob" && e.to === "StoreResult" && e.kind === "choice"));
  assert.equal(graph.nodes.find((n) => n.name === "ExtractChunks")?.type, "Map");
});

test("a succeeded job went along the success path only", () => {
  const statuses = stateStatuses(graph, detail("SUCCEEDED", ["QUEUED", "RUNNING"]));
  assert.equal(statuses.get("CompleteJob"), "succeeded");
  assert.equal(statuses.get("RecordFailure"), "not-run");
});

test("a failed job ends in JobFailed after the dead-letter queue", () => {
  const statuses = stateStatuses(graph, detail("FAILED", ["QUEUED", "RUNNING"]));
  assert.equal(statuses.get("RecordFailure"), "succeeded");
  assert.equal(statuses.get("SendToDeadLetterQueue"), "succeeded");
  assert.equal(statuses.get("JobFailed"), "failed");
  assert.equal(statuses.get("ResumeJob"), "not-run");
  assert.equal(statuses.get("PrepareDocument"), "unknown");
});

test("a re-driven job went through the failure path and resumed", () => {
  const statuses = stateStatuses(graph, detail("SUCCEEDED", ["RUNNING", "FAILED", "RUNNING"]));
  assert.equal(statuses.get("JobFailed"), "succeeded");
  assert.equal(statuses.get("ResumeJob"), "succeeded");
  assert.equal(statuses.get("CompleteJob"), "succeeded");
  const running = stateStatuses(graph, detail("RUNNING"));
  assert.equal(running.get("StoreResult"), "in-progress");
  assert.equal(stateStatuses(graph, detail("QUEUED")).get("PrepareDocument"), "pending");
});

test("states the API reports win over what the status implies", () => {
  const reported = { ...detail("RUNNING"), states: [{ name: "PrepareDocument", status: "SUCCEEDED" }, { name: "ExtractChunks", status: "RUNNING" }] };
  const statuses = stateStatuses(graph, reported);
  assert.equal(statuses.get("PrepareDocument"), "succeeded");
  assert.equal(statuses.get("ExtractChunks"), "running");
  assert.equal(statuses.get("CompleteJob"), "pending", "still ahead while the job runs");
  const failed = {
    ...detail("FAILED", ["RUNNING"]),
    states: [{ name: "PrepareDocument", status: "CAUGHT" }, { name: "RecordFailure", status: "SUCCEEDED" }, { name: "JobFailed", status: "FAILED" }],
  };
  const ended = stateStatuses(graph, failed);
  assert.equal(ended.get("PrepareDocument"), "failed");
  assert.equal(ended.get("JobFailed"), "failed");
  assert.equal(ended.get("ExtractChunks"), "not-run", "skipped once the job has ended");
  const completing = { ...detail("SUCCEEDED", ["RUNNING"]), states: [{ name: "CompleteJob", status: "RUNNING" }] };
  assert.equal(stateStatuses(graph, completing).get("CompleteJob"), "succeeded", "the job said it is done");
});

test("socket messages that are not job events are ignored", () => {
  assert.equal(parseJobEvent("not json"), null);
  assert.equal(parseJobEvent(JSON.stringify({ job_id: "j", status: "DONE" })), null);
  const event = parseJobEvent(JSON.stringify({ job_id: "j", owner: "o", status: "FAILED", error: { name: "Docex.Storage", message: "m" }, confidence: null, at: "t" }));
  assert.deepEqual(event, { job_id: "j", owner: "o", status: "FAILED", error: { name: "Docex.Storage", message: "m" }, confidence: null, at: "t" });
  assert.deepEqual([0, 1, 5, 9].map(reconnectDelay), [500, 1000, 15000, 15000]);
});
