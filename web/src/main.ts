/**
 * The app's start: reads `/config.json`, signs the user in when the deployment asks for it
 * (Cognito hosted UI, code + PKCE), opens the live status feed, and shows the page the URL
 * names: `#/` (upload and jobs) or `#/jobs/{id}` (one job).
 */

import "./styles.css";
import { Api } from "./api.ts";
import { Session } from "./auth.ts";
import { loadConfig, websocketUrl } from "./config.ts";
import type { Context } from "./context.ts";
import { describeError } from "./context.ts";
import { el, replaceChildren } from "./dom.ts";
import { LiveStatus } from "./live.ts";
import { jobPage } from "./views/job.ts";
import { jobsTable } from "./views/jobs.ts";
import type { JobsTable } from "./views/jobs.ts";
import { uploadPanel } from "./views/upload.ts";

const main = document.getElementById("main") as HTMLElement;
const announcer = document.getElementById("announcer") as HTMLElement;
const connection = document.getElementById("connection") as HTMLElement;
const account = document.getElementById("account") as HTMLElement;

function announce(message: string): void {
  // A fresh text node each time, so the same message is announced twice when it recurs.
  announcer.replaceChildren(message);
}

async function start(): Promise<void> {
  const config = await loadConfig();
  let token: () => Promise<string | null> = async () => null;
  if (config.auth) {
    const session = new Session(config.auth, sessionStorage);
    const here = new URL(location.href);
    if (await session.complete(here)) {
      history.replaceState(null, "", `${here.pathname}${here.hash}`);
    }
    if (!(await session.idToken())) {
      location.assign(await session.begin());
      return;
    }
    token = () => session.idToken();
    const signOut = el("button", { type: "button" }, "Sign out");
    signOut.addEventListener("click", () => location.assign(session.signOut()));
    account.replaceChildren(signOut);
  }

  const api = new Api(new URL(config.api, location.href).toString().replace(/\/$/, ""), token);
  const live = new LiveStatus(async () => websocketUrl(config.websocket, location.href, await token()));
  live.onState((state) => {
    connection.textContent = state === "open" ? "live" : state === "connecting" ? "connecting…" : "reconnecting…";
    connection.dataset.state = state;
  });
  void live.start();

  let table: JobsTable | null = null;
  const context: Context = {
    api,
    live,
    announce,
    uploads: new Map(),
    jobCreated: (job) => table?.add(job),
  };

  let dispose: () => void = () => undefined;
  const route = () => {
    dispose();
    table = null;
    const match = /^#\/jobs\/([^/]+)$/.exec(location.hash);
    if (match?.[1]) {
      const page = jobPage(context, decodeURIComponent(match[1]));
      replaceChildren(main, page.element);
      dispose = page.dispose;
      document.title = "Job · docex";
    } else {
      const jobs = jobsTable(context);
      table = jobs;
      replaceChildren(main, el("div", { class: "home" }, uploadPanel(context), jobs.element));
      dispose = jobs.dispose;
      document.title = "docex";
    }
  };
  window.addEventListener("hashchange", route);
  route();
}

start().catch((error) => {
  replaceChildren(main, el("p", { role: "alert", class: "fatal" }, `docex could not start: ${describeError(error)}`));
});
