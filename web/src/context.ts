/**
 * What every view shares: the API client, the live status feed, the announcer for screen
 * readers, and the PDFs uploaded from this tab (kept so a job page can show the source
 * document without downloading it again).
 */

import type { Api, Job } from "./api.ts";
import type { LiveStatus } from "./live.ts";

export interface Context {
  api: Api;
  live: LiveStatus;
  /** Says `message` through the page's polite live region. */
  announce(message: string): void;
  /** The files uploaded from this tab, by job id. */
  uploads: Map<string, File>;
  /** Called when this tab created a job, before its upload starts. */
  jobCreated(job: Job): void;
}

/** A short description of an error for the page. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const name = (error as { errorName?: string }).errorName ?? error.name;
    return `${name}: ${error.message}`;
  }
  return String(error);
}
