/**
 * The REST API client (`lambdas/api/openapi.yaml`): typed calls, the signed-in user's token
 * on every request, and errors as [`ApiError`] carrying the API's stable error name.
 */

export type JobStatus = "QUEUED" | "RUNNING" | "SUCCEEDED" | "NEEDS_REVIEW" | "FAILED";
export const JOB_STATUSES: JobStatus[] = ["QUEUED", "RUNNING", "SUCCEEDED", "NEEDS_REVIEW", "FAILED"];

export interface ErrorReport {
  name: string;
  message: string;
}

export interface Job {
  job_id: string;
  owner: string;
  document: string;
  spec: string;
  template: string;
  status: JobStatus;
  error: ErrorReport | null;
  confidence: number | null;
  created_at: string;
  updated_at: string;
}

export interface StatusUpdate {
  job_id: string;
  status: JobStatus;
  error: ErrorReport | null;
  confidence: number | null;
  at: string;
}

/** A state of the workflow as the API may report it (when it reports states at all). */
export interface StateRecord {
  name: string;
  status: string;
}

export interface JobDetail {
  job: Job;
  history: StatusUpdate[];
  states?: StateRecord[];
}

/** A request the browser makes exactly as given, before it expires. */
export interface SignedRequest {
  url: string;
  method: "GET" | "PUT";
  headers: Record<string, string>;
  expires_at: string;
}

export interface BBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface FieldEvidence {
  confidence: number;
  page: number | null;
  text: string;
  bbox?: BBox;
}

export interface JobResult {
  job_id: string;
  document: string;
  spec: string;
  status: JobStatus;
  data: Record<string, unknown>;
  fields: Record<string, FieldEvidence>;
  confidence: number;
  review_reasons?: string[];
  report?: string | null;
  error?: ErrorReport | null;
}

export interface ResultResponse {
  result: JobResult;
  report: SignedRequest | null;
  /** A download of the uploaded PDF, when the server offers one. */
  document?: SignedRequest | null;
}

export interface JobPage {
  jobs: Job[];
  next_page_token: string | null;
}

export interface CreatedJob {
  job: Job;
  upload: SignedRequest;
}

/** One operation of a correction: a JSON Patch (RFC 6902) operation on the result's `data`. */
export type PatchOperation =
  | { op: "test"; path: string; value: unknown }
  | { op: "replace"; path: string; value: unknown }
  | { op: "add"; path: string; value: unknown }
  | { op: "remove"; path: string };

/** The answer to a correction: the corrected job and result, and the report's state. */
export interface CorrectionResponse {
  job: Job;
  result: JobResult;
  report: { state: "ready" | "pending"; download: SignedRequest | null };
}

/** The API answered with an error (`{"error": {"name", "message"}}`) or not at all. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly errorName: string,
    message: string,
  ) {
    super(message);
  }
}

export type TokenSource = () => Promise<string | null>;

export class Api {
  constructor(
    private readonly base: string,
    private readonly token: TokenSource,
    private readonly fetcher: typeof fetch = fetch.bind(globalThis),
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    const token = await this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await this.fetcher(`${this.base}${path}`, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiError(0, "Api.Unreachable", `the API could not be reached: ${String(error)}`);
    }
    const payload = (await response.json().catch(() => null)) as unknown;
    if (!response.ok) {
      const error = (payload as { error?: { name?: unknown; message?: unknown } } | null)?.error;
      throw new ApiError(
        response.status,
        typeof error?.name === "string" ? error.name : `Http.${response.status}`,
        typeof error?.message === "string" ? error.message : `${method} ${path} answered ${response.status}`,
      );
    }
    return payload as T;
  }

  specs(): Promise<string[]> {
    return this.call<{ specs: string[] }>("GET", "/specs").then((r) => r.specs);
  }

  templates(): Promise<string[]> {
    return this.call<{ templates: string[] }>("GET", "/templates").then((r) => r.templates);
  }

  createJob(document: string, spec: string, template?: string): Promise<CreatedJob> {
    return this.call("POST", "/jobs", template ? { document, spec, template } : { document, spec });
  }

  listJobs(query: { status?: JobStatus | undefined; limit?: number; pageToken?: string | null }): Promise<JobPage> {
    const params = new URLSearchParams();
    if (query.status) params.set("status", query.status);
    if (query.limit) params.set("limit", String(query.limit));
    if (query.pageToken) params.set("page_token", query.pageToken);
    const search = params.toString();
    return this.call("GET", `/jobs${search ? `?${search}` : ""}`);
  }

  job(id: string): Promise<JobDetail> {
    return this.call("GET", `/jobs/${encodeURIComponent(id)}`);
  }

  result(id: string): Promise<ResultResponse> {
    return this.call("GET", `/jobs/${encodeURIComponent(id)}/result`);
  }

  redrive(id: string): Promise<{ job: Job; redriven_at: string }> {
    return this.call("POST", `/jobs/${encodeURIComponent(id)}/redrive`);
  }

  /** A reviewer's correction of a finished job's values. */
  correctFields(id: string, edits: PatchOperation[]): Promise<CorrectionResponse> {
    return this.call("PATCH", `/jobs/${encodeURIComponent(id)}/fields`, { edits });
  }
}

/**
 * Sends `body` as the signed request says (method, URL and exactly its headers), reporting
 * upload progress as a share from 0 to 1. XMLHttpRequest, since fetch reports no upload
 * progress.
 */
export function sendSigned(
  request: SignedRequest,
  body: Blob,
  onProgress: (share: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(request.method, request.url);
    for (const [name, value] of Object.entries(request.headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else {
        reject(new ApiError(xhr.status, "Api.UploadFailed", `the upload answered ${xhr.status}`));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, "Api.UploadFailed", "the upload could not be sent"));
    xhr.send(body);
  });
}
