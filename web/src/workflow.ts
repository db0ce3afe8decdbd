/**
 * The workflow as a graph, read from the ASL definition (`statemachine/docex.asl.json`),
 * and each state's status for one job. The success path (from `StartAt` along `Next`) is
 * the first row, the path its `Catch` leads to the second; edges are `Next`, `Catch` and
 * `Choice` transitions.
 *
 * The job detail's `states` say how each state the execution entered fared (its last run).
 * Without them (an older server), a state's status is what the job's status implies: a
 * running job is somewhere on the success path, a failed one went through the failure path,
 * a re-driven one went through it and resumed.
 */

import type { JobDetail } from "./api.ts";

export interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Catch?: { Next: string }[];
  Choices?: { Next: string }[];
  Default?: string;
  Comment?: string;
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
}

export interface GraphNode {
  name: string;
  type: string;
  comment: string;
  row: number;
  column: number;
}

export type EdgeKind = "next" | "catch" | "choice";

export interface GraphEdge {
  from: string;
  to: string;
  kind: EdgeKind;
}

export interface WorkflowGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** The states from `StartAt` along `Next`. */
  successPath: string[];
  /** The states from the first `Catch` target along `Next`. */
  failurePath: string[];
}

function chain(definition: AslDefinition, start: string | undefined, seen: Set<string>): string[] {
  const path: string[] = [];
  let name = start;
  while (name && definition.States[name] && !seen.has(name)) {
    seen.add(name);
    path.push(name);
    name = definition.States[name]?.Next;
  }
  return path;
}

/** The graph of a definition's top-level states. */
export function workflowGraph(definition: AslDefinition): WorkflowGraph {
  const seen = new Set<string>();
  const successPath = chain(definition, definition.StartAt, seen);
  const catchTarget = successPath.flatMap((name) => definition.States[name]?.Catch ?? []).map((c) => c.Next)[0];
  const failurePath = chain(definition, catchTarget, seen);
  const rest = Object.keys(definition.States).filter((name) => !seen.has(name));
  const rows = [successPath, failurePath, rest].filter((row) => row.length > 0);
  const nodes = rows.flatMap((row, r) =>
    row.map((name, column) => {
      const state = definition.States[name];
      return { name, type: state?.Type ?? "", comment: state?.Comment ?? "", row: r, column };
    }),
  );
  const edges: GraphEdge[] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Next) edges.push({ from: name, to: state.Next, kind: "next" });
    for (const target of new Set((state.Catch ?? []).map((c) => c.Next))) edges.push({ from: name, to: target, kind: "catch" });
    const choices = new Set([...(state.Choices ?? []).map((c) => c.Next), ...(state.Default ? [state.Default] : [])]);
    for (const target of choices) edges.push({ from: name, to: target, kind: "choice" });
  }
  return { nodes, edges, successPath, failurePath };
}

/**
 * - `pending`: not reached yet; `not-run`: the job ended without it;
 * - `in-progress`: the job is running and may be here (the API does not say which state);
 * - `unknown`: the job failed and this state may have run before the failure;
 * - `succeeded`, `failed`, `running`: known.
 */
export type StateStatus = "pending" | "in-progress" | "unknown" | "running" | "succeeded" | "failed" | "not-run";

const REPORTED: Record<string, StateStatus> = {
  SUCCEEDED: "succeeded",
  FAILED: "failed",
  RUNNING: "running",
  ENTERED: "running",
  CAUGHT: "failed",
};

/** Each state's status for one job. */
export function stateStatuses(graph: WorkflowGraph, detail: JobDetail): Map<string, StateStatus> {
  const statuses = new Map<string, StateStatus>(graph.nodes.map((n) => [n.name, "pending"]));
  if (detail.states && detail.states.length > 0) {
    // States not reached yet: still ahead while the job runs, skipped once it has ended.
    const running = detail.job.status === "QUEUED" || detail.job.status === "RUNNING";
    for (const node of graph.nodes) statuses.set(node.name, running ? "pending" : "not-run");
    // The job's final status is announced by the last state itself, before the execution
    // records it as left: once the job is done, a state still running has done its work.
    const done = detail.job.status === "SUCCEEDED" || detail.job.status === "NEEDS_REVIEW";
    for (const record of detail.states) {
      const reported = REPORTED[record.status.toUpperCase()] ?? "pending";
      if (statuses.has(record.name)) statuses.set(record.name, done && reported === "running" ? "succeeded" : reported);
    }
    return statuses;
  }
  const status = detail.job.status;
  const failedBefore = detail.history.some((update) => update.status === "FAILED") || status === "FAILED";
  const set = (names: string[], value: StateStatus) => names.forEach((name) => statuses.set(name, value));
  const failureSteps = graph.failurePath;
  // The failure path up to the state that ends a failed attempt (the one before the resume).
  const resumeIndex = failureSteps.findIndex((name) => graph.nodes.find((n) => n.name === name)?.type === "Choice");
  const failing = resumeIndex > 0 ? failureSteps.slice(0, resumeIndex) : failureSteps;
  const resuming = resumeIndex > 0 ? failureSteps.slice(resumeIndex) : [];
  switch (status) {
    case "QUEUED":
      break;
    case "RUNNING":
      set(graph.successPath, "in-progress");
      if (failedBefore) {
        set(failing, "succeeded");
        set(resuming, "succeeded");
      } else {
        set(failureSteps, "not-run");
      }
      break;
    case "SUCCEEDED":
    case "NEEDS_REVIEW":
      set(graph.successPath, "succeeded");
      set(failureSteps, failedBefore ? "succeeded" : "not-run");
      break;
    case "FAILED": {
      set(graph.successPath, "unknown");
      set(failing, "succeeded");
      const ending = failing[failing.length - 1];
      if (ending) statuses.set(ending, "failed");
      set(resuming, "not-run");
      break;
    }
  }
  return statuses;
}
