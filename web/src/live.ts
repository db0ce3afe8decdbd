/**
 * Live job status: one WebSocket to `config.websocket`, each message a JSON `JobEvent`
 * (`{job_id, owner, status, error, confidence, at}`). Reconnects with a growing delay when
 * the socket drops, fetching a fresh token each time. The app never polls for status.
 */

import type { ErrorReport, JobStatus } from "./api.ts";
import { JOB_STATUSES } from "./api.ts";

export interface JobEvent {
  job_id: string;
  owner: string;
  status: JobStatus;
  error: ErrorReport | null;
  confidence: number | null;
  at: string;
}

/** A message as a JobEvent, or `null` when it is not one. */
export function parseJobEvent(data: unknown): JobEvent | null {
  if (typeof data !== "string") return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const event = value as Record<string, unknown>;
  if (typeof event.job_id !== "string" || !JOB_STATUSES.includes(event.status as JobStatus)) return null;
  const error = event.error as ErrorReport | null | undefined;
  return {
    job_id: event.job_id,
    owner: typeof event.owner === "string" ? event.owner : "",
    status: event.status as JobStatus,
    error: error && typeof error.name === "string" ? { name: error.name, message: String(error.message ?? "") } : null,
    confidence: typeof event.confidence === "number" ? event.confidence : null,
    at: typeof event.at === "string" ? event.at : new Date().toISOString(),
  };
}

/** The delay before reconnect attempt `attempt` (0-based): 0.5 s doubling up to 15 s. */
export function reconnectDelay(attempt: number): number {
  return Math.min(15_000, 500 * 2 ** Math.min(attempt, 5));
}

export type ConnectionState = "connecting" | "open" | "closed";

export class LiveStatus {
  private readonly listeners = new Set<(event: JobEvent) => void>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private socket: WebSocket | null = null;
  private attempt = 0;
  private stopped = false;

  constructor(private readonly url: () => Promise<string>) {}

  subscribe(listener: (event: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onState(listener: (state: ConnectionState) => void): void {
    this.stateListeners.add(listener);
  }

  private setState(state: ConnectionState): void {
    for (const listener of this.stateListeners) listener(state);
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.setState("connecting");
    const socket = new WebSocket(await this.url());
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.setState("open");
    };
    socket.onmessage = (message) => {
      const event = parseJobEvent(message.data);
      if (event) for (const listener of this.listeners) listener(event);
    };
    socket.onclose = () => {
      this.setState("closed");
      if (this.stopped) return;
      setTimeout(() => void this.start(), reconnectDelay(this.attempt++));
    };
  }

  stop(): void {
    this.stopped = true;
    this.socket?.close();
  }
}
