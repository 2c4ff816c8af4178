// Calling the CISIP API from TypeScript with a client generated from its OpenAPI document:
// types by openapi-typescript (cisip-api.ts), requests by openapi-fetch.
//
//   npx openapi-typescript openapi/openapi.json -o examples/typescript/cisip-api.ts
//   npx tsc -p examples/typescript && node examples/typescript/dist/example.js
//
// Against `make run` (the demo data) it needs no settings; CISIP_API_URL, CISIP_EMAIL and
// CISIP_PASSWORD point it elsewhere. It prints what it found as one JSON object.
import { createHash } from "node:crypto";
import createClient from "openapi-fetch";
import type { components, paths } from "./cisip-api.js";

type Problem = components["schemas"]["Problem"];

const baseUrl = process.env.CISIP_API_URL ?? "http://127.0.0.1:5000";
const email = process.env.CISIP_EMAIL ?? "song.qi@cisip.example";
const password = process.env.CISIP_PASSWORD ?? "cisip-demo-member";

/** Stop with the problem details the API answered (RFC 9457, with a stable `code`). */
function fail(step: string, problem: Problem | undefined): never {
  throw new Error(`${step}: ${problem?.status} ${problem?.code}: ${problem?.detail}`);
}

// Public reads need no login.
const api = createClient<paths>({ baseUrl });

// 1. List news, filtered by tag, newest first.
const list = await api.GET("/api/v1/news", {
  params: { query: { tag: "forum", per_page: 5, sort: "-published_at" } },
});
if (!list.data) fail("list news", list.error);
const first = list.data.items[0];
if (!first) throw new Error("no news tagged 'forum'");

// 2. One news item by its slug, in English.
const detail = await api.GET("/api/v1/news/{ref}", {
  params: { path: { ref: first.slug }, query: { lang: "en" } },
});
if (!detail.data) fail("get news", detail.error);
const report = detail.data.reports.find((summary) => summary.access === "members");
if (!report) throw new Error("the news item links no members-only report");

// 3. Log in: a Bearer token pair (browser apps on the API's site may ask for cookies).
const login = await api.POST("/api/v1/auth/login", { body: { email, password } });
if (!login.data) fail("login", login.error);
if (login.data.token_type !== "Bearer") throw new Error("expected Bearer tokens");
let tokens = login.data;
const member = () =>
  createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${tokens.access_token}` } });

// 4. Who am I?
const me = await member().GET("/api/v1/auth/me");
if (!me.data) fail("get me", me.error);

// 5. Refresh: the refresh token is spent and a new pair comes back.
const refresh = await api.POST("/api/v1/auth/refresh", {
  headers: { Authorization: `Bearer ${tokens.refresh_token}` },
});
if (!refresh.data) fail("refresh", refresh.error);
if (refresh.data.token_type !== "Bearer") throw new Error("expected Bearer tokens");
tokens = refresh.data;
const meAgain = await member().GET("/api/v1/auth/me");
if (!meAgain.data) fail("get me after refresh", meAgain.error);

// 6. A 422 and a 404, read as problem details.
const invalid = await api.GET("/api/v1/news", { params: { query: { per_page: 1000 } } });
if (!invalid.error) throw new Error("per_page=1000 was accepted");
const missing = await api.GET("/api/v1/news/{ref}", {
  params: { path: { ref: "no-such-news-item" } },
});
if (!missing.error) throw new Error("an unknown slug was found");

// 7. A members-only report through a signed link: the link needs the login, following it
// does not (a browser or download manager can have it).
const link = await member().POST("/api/v1/reports/{ref}/download-link", {
  params: { path: { ref: report.slug } },
});
if (!link.data) fail("download link", link.error);
const download = await fetch(link.data.url);
if (!download.ok) throw new Error(`download: ${download.status}`);
const bytes = Buffer.from(await download.arrayBuffer());
const details = await api.GET("/api/v1/reports/{ref}", { params: { path: { ref: report.slug } } });
if (!details.data) fail("get report", details.error);

console.log(JSON.stringify({
  news: { total: list.data.pagination.total, slugs: list.data.items.map((item) => item.slug) },
  detail: { slug: detail.data.slug, title: detail.data.title, language: detail.data.language },
  me: { email: me.data.email, full_name: me.data.full_name },
  refreshed: meAgain.data.id === me.data.id,
  validation_error: {
    status: invalid.response.status,
    code: invalid.error.code,
    fields: Object.keys(invalid.error.errors?.query ?? {}),
  },
  not_found: { status: missing.response.status, code: missing.error.code },
  download: {
    report: report.slug,
    bytes: bytes.length,
    content_type: download.headers.get("Content-Type"),
    sha256_matches: createHash("sha256").update(bytes).digest("hex") === details.data.file?.sha256,
  },
}));
