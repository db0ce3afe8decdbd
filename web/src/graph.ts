/**
 * The workflow graph as SVG, like the Step Functions console's graph view: one box per
 * state (a Map drawn doubled), arrows for `Next`, dashed ones for `Catch`, dotted ones for a
 * `Choice`, each box coloured by its status and named for screen readers.
 */

import { svg } from "./dom.ts";
import type { StateStatus, WorkflowGraph } from "./workflow.ts";

const BOX_WIDTH = 172;
const BOX_HEIGHT = 44;
const GAP_X = 34;
const GAP_Y = 70;
const MARGIN = 16;

export const STATUS_TEXT: Record<StateStatus, string> = {
  pending: "not started",
  "in-progress": "running (the step is not reported)",
  unknown: "may have run before the failure",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  "not-run": "not run",
};

const IDLE = new Set<StateStatus>(["pending", "not-run"]);

interface Point {
  x: number;
  y: number;
}

export function drawWorkflow(graph: WorkflowGraph, statuses: Map<string, StateStatus>): SVGSVGElement {
  const columns = Math.max(...graph.nodes.map((n) => n.column + 1));
  const rows = Math.max(...graph.nodes.map((n) => n.row + 1));
  const width = MARGIN * 2 + columns * BOX_WIDTH + (columns - 1) * GAP_X;
  const height = MARGIN * 2 + rows * BOX_HEIGHT + (rows - 1) * GAP_Y;
  const origin = new Map<string, Point>(
    graph.nodes.map((n) => [
      n.name,
      { x: MARGIN + n.column * (BOX_WIDTH + GAP_X), y: MARGIN + n.row * (BOX_HEIGHT + GAP_Y) },
    ]),
  );
  const root = svg("svg", {
    class: "workflow-graph",
    viewBox: `0 0 ${width} ${height}`,
    role: "group",
    "aria-label": "Workflow",
  });
  root.append(
    svg(
      "defs",
      {},
      svg(
        "marker",
        { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
        svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrow-head" }),
      ),
    ),
  );
  for (const edge of graph.edges) {
    const from = origin.get(edge.from);
    const to = origin.get(edge.to);
    if (!from || !to) continue;
    // An edge out of or into a state this job did not reach is drawn faintly.
    const idle = [edge.from, edge.to].some((name) => IDLE.has(statuses.get(name) ?? "pending"));
    root.append(
      svg("path", { d: edgePath(from, to), class: `edge edge-${edge.kind}${idle ? " edge-idle" : ""}`, "marker-end": "url(#arrow)" }),
    );
  }
  for (const node of graph.nodes) {
    const at = origin.get(node.name) as Point;
    const status = statuses.get(node.name) ?? "pending";
    const label = `${node.name}: ${STATUS_TEXT[status]}`;
    const group = svg("g", {
      class: `state state-${status}`,
      "data-state": node.name,
      "data-status": status,
      role: "img",
      "aria-label": label,
      transform: `translate(${at.x} ${at.y})`,
    });
    group.append(svg("title", {}, node.comment ? `${label}. ${node.comment}` : label));
    if (node.type === "Map") {
      group.append(svg("rect", { x: 4, y: 4, width: BOX_WIDTH, height: BOX_HEIGHT, rx: 6, class: "state-shadow" }));
    }
    group.append(svg("rect", { width: BOX_WIDTH, height: BOX_HEIGHT, rx: node.type === "Choice" ? 20 : 6, class: "state-box" }));
    group.append(svg("text", { x: BOX_WIDTH / 2, y: 19, class: "state-name" }, node.name));
    group.append(svg("text", { x: BOX_WIDTH / 2, y: 35, class: "state-status" }, `${node.type} · ${shortStatus(status)}`));
    root.append(group);
  }
  return root;
}

function shortStatus(status: StateStatus): string {
  return status === "in-progress" ? "running?" : status === "unknown" ? "?" : STATUS_TEXT[status];
}

/** A path between two boxes: straight along a row, curved between rows. */
function edgePath(from: Point, to: Point): string {
  if (from.y === to.y) {
    const forward = to.x > from.x;
    if (forward) {
      const y = from.y + BOX_HEIGHT / 2;
      return `M ${from.x + BOX_WIDTH} ${y} L ${to.x} ${y}`;
    }
    const y = from.y;
    return `M ${from.x + BOX_WIDTH / 2} ${y} C ${from.x} ${y - 30}, ${to.x + BOX_WIDTH} ${y - 30}, ${to.x + BOX_WIDTH / 2} ${y}`;
  }
  const down = to.y > from.y;
  const x1 = from.x + BOX_WIDTH / 2;
  const y1 = down ? from.y + BOX_HEIGHT : from.y;
  const x2 = to.x + BOX_WIDTH / 2;
  const y2 = down ? to.y : to.y + BOX_HEIGHT;
  const bend = (y2 - y1) / 2;
  return `M ${x1} ${y1} C ${x1} ${y1 + bend}, ${x2} ${y2 - bend}, ${x2} ${y2}`;
}
