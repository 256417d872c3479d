// newstrace web UI: a hash-routed single page over the JSON API, no build step.
// Article data is untrusted: it only reaches the page through textContent. The two
// server-rendered fragments (evidence view, family graph) come from newstrace.report, which
// escapes everything, and are the only innerHTML assignments.
"use strict";

const view = document.getElementById("view");
const RELATION_ORDER = ["duplicate", "translation", "rewrite", "partial", "same_story"];

// ---- small DOM and API helpers ---------------------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

const lang = (code) => el("span", { class: "nt-lang", text: code || "?" });
const relBadge = (rel) => el("span", {
  class: "nt-rel nt-rel-" + (RELATION_ORDER.includes(rel) ? rel : "unrelated"),
  text: String(rel || "").replace("_", " "),
});
const pct = (x) => Math.round(100 * (Number(x) || 0)) + "%";
const num = (x) => (Number(x) || 0).toFixed(2);
const enc = encodeURIComponent;

const articleHref = (id) => "#/article/" + enc(id);
const pairHref = (a, b) => `#/pair/${enc(a)}/${enc(b)}`;

function articleLabel(art, id) {
  const a = art || {};
  const ident = id || a.id;
  return el("span", {}, el("a", { class: "nt-id", href: articleHref(ident), text: ident }), " ",
    lang(a.lang), a.title ? el("span", { class: "nt-muted", text: " " + a.title }) : null);
}

function token() { return sessionStorage.getItem("newstrace-token") || ""; }

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  if (token()) headers.Authorization = "Bearer " + token();
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    options = Object.assign({}, options, { body: JSON.stringify(options.json) });
  }
  const res = await fetch(path, Object.assign({}, options, { headers }));
  if (res.status === 401) {
    document.getElementById("token-form").hidden = false;
    throw new ApiError(401, "This server needs an API token: enter it at the top right.");
  }
  if (!res.ok) {
    let msg = res.status + " " + res.statusText;
    try {
      const body = await res.json();
      if (typeof body.detail === "string") msg = body.detail;
      else if (Array.isArray(body.detail)) {
        msg = body.detail.map((d) => (d.loc || []).join(".") + ": " + d.msg).join("; ");
      }
    } catch (_) { /* not JSON: keep the status line */ }
    throw new ApiError(res.status, msg);
  }
  const type = res.headers.get("content-type") || "";
  return type.includes("application/json") ? res.json() : res.text();
}

// replaceChildren(null) would print "null": every view goes through these two.
const present = (nodes) => nodes.flat(Infinity).filter((n) => n !== null && n !== undefined && n !== false);
function fill(node, ...nodes) { node.replaceChildren(...present(nodes)); return node; }
function show(...nodes) { fill(view, ...nodes); }
function errorBox(err) { return el("div", { class: "ui-error", role: "alert", text: String(err.message || err) }); }
function loading(what) { return el("p", { class: "nt-muted", text: "Loading " + what + "…" }); }
function fragment(htmlText, cls) {
  // Server-rendered and escaped by newstrace.report (see the note at the top).
  const box = el("div", { class: cls || "" });
  box.innerHTML = htmlText;
  shadeSpans(box);
  return box;
}

// Evidence spans: the colour's strength follows the span's confidence (its score, the
// probability the passage is shared). A white inset shadow with alpha 1 - strength pales
// the span's colour while its text stays as dark; 0.3 or less is palest, 1.0 full colour.
function shadeSpans(root) {
  for (const row of root.querySelectorAll("tr.nt-span")) {
    const score = parseFloat((row.querySelector("td.nt-score") || {}).textContent);
    if (!Number.isFinite(score)) continue;
    const strength = 0.25 + 0.75 * Math.min(1, Math.max(0, (score - 0.3) / 0.7));
    row.dataset.confidence = score.toFixed(2);
    for (const td of row.querySelectorAll("td.nt-hl")) td.style.setProperty("--nt-fade", (1 - strength).toFixed(3));
  }
}

// ---- uploads: files go to /api/upload (read by the server like the CLI reads files) -----
// Batches keep every request under the server's limits: at most FILES_PER_BATCH files or
// ARTICLES_PER_BATCH pasted articles, and about BYTES_PER_BATCH of file bytes (base64 adds
// a third; the server takes 16 MiB a request).

const FILES_PER_BATCH = 100;
const ARTICLES_PER_BATCH = 200;
const BYTES_PER_BATCH = 6 * 1024 * 1024;
const MAX_FILE_BYTES = 11 * 1024 * 1024;

function parseJsonArticles(text, where) {
  const trimmed = text.trim();
  if (!trimmed) return [];
  try {
    const data = JSON.parse(trimmed);
    return Array.isArray(data) ? data : (Array.isArray(data.articles) ? data.articles : [data]);
  } catch (_) {
    // JSON Lines: one object per line.
    return trimmed.split(/\r?\n/).filter((l) => l.trim()).map((line, i) => {
      try { return JSON.parse(line); } catch (e) { throw new Error(where + " line " + (i + 1) + ": " + e.message); }
    });
  }
}

function base64Of(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1] || "");
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

// Plans batches without reading the files yet: [{kind, items, count}], and problems.
function planBatches(files, articles) {
  const batches = [];
  const problems = [];
  let cur = null;
  for (const f of files) {
    if (f.size > MAX_FILE_BYTES) {
      problems.push({ where: f.name, message: `file too large to upload (${(f.size / 1e6).toFixed(1)} MB; limit ${MAX_FILE_BYTES / 1024 / 1024} MB)` });
      continue;
    }
    if (!cur || cur.items.length >= FILES_PER_BATCH || (cur.bytes + f.size > BYTES_PER_BATCH && cur.items.length)) {
      cur = { kind: "files", items: [], bytes: 0 };
      batches.push(cur);
    }
    cur.items.push(f);
    cur.bytes += f.size;
  }
  for (let i = 0; i < articles.length; i += ARTICLES_PER_BATCH) {
    batches.push({ kind: "articles", items: articles.slice(i, i + ARTICLES_PER_BATCH) });
  }
  return { batches, problems };
}

async function sendBatch(batch) {
  if (batch.kind === "articles") return api("/api/articles", { method: "POST", json: { articles: batch.items } });
  const files = [];
  for (const f of batch.items) files.push({ name: f.name, data: await base64Of(f) });
  return api("/api/upload", { method: "POST", json: { files } });
}

async function runBatches(batches, onProgress) {
  const result = { added: [], replaced: [], unchanged: [], problems: [] };
  const total = batches.reduce((n, b) => n + b.items.length, 0);
  let before = 0;
  for (const [i, batch] of batches.entries()) {
    const n = batch.items.length;
    try {
      let job = await sendBatch(batch);
      while (job.state === "queued" || job.state === "running") {
        onProgress((before + job.progress * n) / total,
          `batch ${i + 1}/${batches.length} · ${job.done}/${job.total} ` +
          (batch.kind === "files" && job.state === "queued" ? "files" : "articles") +
          (job.stage ? ` · ${job.stage} ${job.stage_done}/${job.stage_total}` : ""));
        await new Promise((r) => setTimeout(r, 400));
        job = await api("/api/jobs/" + enc(job.id));
      }
      if (job.state === "failed") throw new Error("indexing failed: " + job.error);
      for (const k of ["added", "replaced", "unchanged", "problems"]) result[k].push(...job.result[k]);
    } catch (e) {
      if (e.status === 401) throw e;
      result.problems.push({ where: `batch ${i + 1}/${batches.length} (${n} ${batch.kind})`, message: String(e.message || e) });
    }
    before += n;
  }
  return result;
}

// ---- views -----------------------------------------------------------------------------

async function viewAdd() {
  const files = el("input", { type: "file", id: "add-files", multiple: true,
    accept: ".txt,.html,.htm,.json,.jsonl" });
  const pasted = el("textarea", { id: "add-json", placeholder:
    '{"id": "a1", "text": "…", "title": "…", "lang": "en"}   — an object, a list, or JSON Lines' });
  const bar = el("progress", { id: "add-progress", max: 1, value: 0, hidden: true });
  const status = el("div", { id: "add-status", class: "ui-row" });
  const button = el("button", { type: "submit", id: "add-submit", text: "Add to index" });
  const form = el("form", { class: "nt-card", onsubmit: async (ev) => {
    ev.preventDefault();
    fill(status);
    let articles;
    try { articles = parseJsonArticles(pasted.value, "pasted JSON"); } catch (e) { fill(status, errorBox(e)); return; }
    const { batches, problems } = planBatches([...files.files], articles);
    if (!batches.length && !problems.length) { fill(status, errorBox("Choose files or paste JSON first.")); return; }
    button.disabled = true;
    bar.hidden = false; bar.value = 0;
    try {
      const r = await runBatches(batches, (p, text) => { bar.value = p; fill(status, el("span", { text })); });
      r.problems.unshift(...problems);
      bar.value = 1;
      fill(status, el("div", { id: "add-done", class: "ui-ok" },
        `Done: ${r.added.length} added, ${r.replaced.length} replaced, ${r.unchanged.length} unchanged`,
        r.problems.length ? `, ${r.problems.length} skipped` : "", ". ",
        el("a", { href: "#/stories", text: "Browse stories →" })),
      r.problems.length ? el("ul", { id: "add-problems" }, r.problems.map((p) => el("li", { class: "nt-small",
        text: `${p.where}${p.id ? " (" + p.id + ")" : ""}: ${p.message}` }))) : null);
      refreshStats();
    } catch (e) { fill(status, errorBox(e)); } finally { button.disabled = false; }
  } },
  el("h2", { text: "Add articles to the index" }),
  el("p", { class: "ui-hint", text: "Files are read as `newstrace index add` reads them: .txt (the file " +
    "name is the id; a short first line is the title), .html (title, date and url from the page), .json " +
    "or .jsonl (objects with id and text; optional title, lang, url, source, published). Large " +
    "selections are sent in batches. Articles with an id already in the index replace it." }),
  el("div", { class: "ui-row" }, el("label", {}, "Files ", files)),
  el("label", { class: "ui-hint", text: "…or paste JSON" }), pasted,
  el("div", { class: "ui-row" }, button, bar), status);
  show(form);
}

// The side of a pair that is the article we look from: 'a' or 'b'.
function mySide(p, meId) { return p.mine || (String(p.a) === String(meId) ? "a" : "b"); }

function kinTable(result, indexed) {
  const me = result.article;
  const self = indexed ? "this article" : "the pasted text";
  if (!result.kin.length) return el("p", { id: "kin-none", text: `No related article in the index for ${self}.` });
  const rows = result.kin.map((p) => {
    const evidence = el("td");
    if (p.evidence && p.evidence.length) {
      if (indexed) {
        evidence.append(el("a", { href: pairHref(p.a, p.b), text: "evidence" }));
      } else if (p.view_html) {
        const holder = el("div");
        evidence.append(el("button", { class: "ui-link", type: "button", text: "evidence",
          onclick: () => { fill(holder, fragment(p.view_html, "nt-card")); } }));
        return [el("tr", { class: "kin-row" }, cells(p), evidence),
          el("tr", {}, el("td", { colspan: 7 }, holder))];
      }
    }
    return [el("tr", { class: "kin-row" }, cells(p), evidence)];
  });
  function cells(p) {
    const cov = p.coverage || {};
    const mine = mySide(p, me.id);
    const theirs = mine === "a" ? "b" : "a";
    const who = (side) => (side === mine ? self : "it");
    const derived = p.direction === "a>b" ? "b" : p.direction === "b>a" ? "a" : null;
    return [el("td", {}, relBadge(p.relation)), el("td", {}, articleLabel(p.other_article, p.other)),
      el("td", { text: num(p.reuse_score) }), el("td", { text: num(p.story_score) }),
      el("td", { text: `${pct(cov[mine])} / ${pct(cov[theirs])}` }),
      el("td", { class: "kin-direction", text: derived ? `${who(derived)} derives from ${who(derived === "a" ? "b" : "a")}` : "" })];
  }
  return el("div", { class: "nt-card", id: "kin-result" },
    el("h3", {}, "Kin of ", indexed ? articleLabel(me, me.id) : el("span", { id: "kin-self", text: "the pasted text" })),
    el("p", { class: "ui-hint", text: `Each row is an indexed article related to ${self}. Coverage: ` +
      `the share of ${self} / of the other article inside aligned spans. "it" is the other article.` }),
    el("table", { class: "nt-table" }, el("thead", {}, el("tr", {},
      ["relation", "other article", "reuse", "story", `coverage ${indexed ? "this" : "pasted"} / other`, "direction", ""].map((h) => el("th", { text: h })))),
    el("tbody", {}, rows.flat())));
}

async function viewKin(id) {
  const out = el("div", { id: "kin-out" });
  const text = el("textarea", { id: "kin-text", placeholder: "Paste the article text (or HTML) here" });
  const title = el("input", { type: "text", id: "kin-title", placeholder: "title (optional)", size: 40 });
  const file = el("input", { type: "file", id: "kin-file", accept: ".txt,.html,.htm,.json" });
  const lookup = el("input", { type: "text", id: "kin-id", placeholder: "article id", value: id || "" });
  const run = async (fn) => {
    fill(out, loading("kin"));
    try { fill(out, await fn()); } catch (e) { fill(out, errorBox(e)); }
  };
  const pasteForm = el("form", { class: "nt-card", onsubmit: (ev) => {
    ev.preventDefault();
    run(async () => {
      let art;
      if (file.files.length) {
        const f = file.files[0];
        const body = await f.text();
        art = /\.json$/i.test(f.name) ? parseJsonArticles(body, f.name)[0] : { id: f.name.replace(/\.[^.]+$/, ""), text: body };
      } else {
        art = { id: "pasted", text: text.value };
        if (title.value.trim()) art.title = title.value.trim();
      }
      if (!art || !String(art.text || "").trim()) throw new Error("Paste a text or choose a file first.");
      const res = await api("/api/kin?render=true", { method: "POST", json: { article: art } });
      return kinTable(res, false);
    });
  } }, el("h2", { text: "Find the kin of an article" }),
  el("p", { class: "ui-hint", text: "The article is compared with the index; it is not added." }),
  el("div", { class: "ui-row" }, title, el("label", {}, "or a file ", file)), text,
  el("div", { class: "ui-row" }, el("button", { type: "submit", id: "kin-submit", text: "Find kin" })));
  const idForm = el("form", { class: "nt-card ui-row", onsubmit: (ev) => {
    ev.preventDefault();
    if (lookup.value.trim()) location.hash = "#/kin/" + enc(lookup.value.trim());
  } }, el("span", { text: "Kin of an indexed article:" }), lookup, el("button", { type: "submit", text: "Look up" }));
  show(pasteForm, idForm, out);
  if (id) run(async () => kinTable(await api("/api/kin/" + enc(id)), true));
}

// ---- lists: search, filters, pages -----------------------------------------------------

const PAGE = 50;
const FILTER_KEYS = ["q", "lang", "outlet", "date_from", "date_to"];

function listQuery(params) {
  const out = new URLSearchParams();
  for (const k of FILTER_KEYS) if (params.get(k)) out.set(k, params.get(k));
  out.set("limit", String(PAGE));
  out.set("offset", String(Math.max(0, parseInt(params.get("offset") || "0", 10) || 0)));
  return out.toString();
}

function hashWith(base, params, changes) {
  const next = new URLSearchParams(params);
  for (const [k, v] of Object.entries(changes)) { if (v) next.set(k, v); else next.delete(k); }
  const qs = next.toString();
  return base + (qs ? "?" + qs : "");
}

// Fetched with every list: articles added elsewhere (API, CLI) show up in the filters.
function facets() { return api("/api/facets").catch(() => ({ languages: [], outlets: [] })); }

async function filterBar(base, params) {
  const f = await facets();
  const q = el("input", { type: "search", id: "f-q", placeholder: "Search title, text or id", size: 32, value: params.get("q") || "" });
  const choose = (id, label, items, key, val) => el("select", { id, "aria-label": label },
    el("option", { value: "", text: label }),
    items.map((x) => el("option", { value: x[key], selected: params.get(val) === x[key], text: `${x[key]} (${x.articles})` })));
  const langSel = choose("f-lang", "any language", f.languages, "lang", "lang");
  const outletSel = choose("f-outlet", "any outlet", f.outlets, "outlet", "outlet");
  const from = el("input", { type: "date", id: "f-from", "aria-label": "published from", value: params.get("date_from") || "" });
  const to = el("input", { type: "date", id: "f-to", "aria-label": "published until", value: params.get("date_to") || "" });
  return el("form", { class: "nt-card ui-row ui-filters", id: "filters", onsubmit: (ev) => {
    ev.preventDefault();
    location.hash = hashWith(base, new URLSearchParams(), { q: q.value.trim(), lang: langSel.value,
      outlet: outletSel.value, date_from: from.value, date_to: to.value });
  } }, q, langSel, outletSel, el("label", { class: "nt-small" }, "from ", from), el("label", { class: "nt-small" }, "to ", to),
  el("button", { type: "submit", id: "f-apply", text: "Search" }),
  FILTER_KEYS.some((k) => params.get(k)) ? el("a", { href: base, id: "f-clear", class: "nt-small", text: "clear" }) : null);
}

function pager(base, params, total, shown) {
  const offset = Math.max(0, parseInt(params.get("offset") || "0", 10) || 0);
  if (!total) return null;
  const prev = offset > 0 ? el("a", { id: "page-prev", href: hashWith(base, params, { offset: String(Math.max(0, offset - PAGE)) }), text: "← previous" }) : null;
  const next = offset + shown < total ? el("a", { id: "page-next", href: hashWith(base, params, { offset: String(offset + PAGE) }), text: "next →" }) : null;
  return el("div", { class: "ui-row ui-pager" }, prev,
    el("span", { id: "page-info", class: "nt-muted nt-small", text: `${offset + 1}–${offset + shown} of ${total}` }), next);
}

// The list's filters as a query string for its export ("" when none is set).
function filterQuery(params) {
  const q = new URLSearchParams();
  for (const k of FILTER_KEYS) if (params.get(k)) q.set(k, params.get(k));
  return q.toString();
}

async function listView(base, params, what, load, render) {
  show(loading(what));
  const [bar, data] = await Promise.all([filterBar(base, params), load(listQuery(params))]);
  const items = data[what];
  const filtered = FILTER_KEYS.some((k) => params.get(k));
  if (!items.length && !filtered && !parseInt(params.get("offset") || "0", 10)) {
    show(el("p", {}, "The index is empty. ", el("a", { href: "#/add", text: "Add articles" }), " first."));
    return;
  }
  show(bar, el("h2", { text: `${what[0].toUpperCase() + what.slice(1)} (${data.total}${filtered ? " matching" : ""})` }),
    el("p", { class: "nt-small nt-muted ui-list-export" },
      filtered ? `Download the ${data.total} matching ${what} (every page): ` : `Download all ${what} in the index: `,
      downloadLink(what, "csv", filterQuery(params)), " · ", downloadLink(what, "jsonl", filterQuery(params))),
    items.length ? render(items) : el("p", { id: "list-none", text: `No ${what} match these filters.` }),
    pager(base, params, data.total, items.length));
}

function viewStories(params) {
  return listView("#/stories", params, "stories", (qs) => api("/api/stories?" + qs), (stories) =>
    el("ul", { class: "ui-list", id: "story-list" }, stories.map((s) => el("li", {},
      el("a", { class: "nt-card ui-story", href: "#/story/" + enc(s.id), "data-story": s.id },
        el("b", { text: "Story " + s.id }), " ",
        el("span", { class: "nt-muted nt-small", text: `${s.size} article${s.size === 1 ? "" : "s"} · ` }),
        s.languages.map((l) => [lang(l), " "]),
        s.newest ? el("span", { class: "nt-muted nt-small", text: " " + (s.oldest && s.oldest !== s.newest ? `${s.oldest} – ` : "") + s.newest }) : null,
        s.outlets && s.outlets.length ? el("span", { class: "nt-muted nt-small", text: " · " + s.outlets.slice(0, 4).join(", ") + (s.outlets.length > 4 ? " …" : "") }) : null,
        s.title ? el("div", { class: "nt-muted", text: s.title }) : null)))));
}

function viewFamilies(params) {
  return listView("#/families", params, "families", (qs) => api("/api/families?" + qs), (fams) =>
    el("ul", { class: "ui-list", id: "family-list" }, fams.map((f) =>
      el("li", {}, el("a", { class: "nt-card ui-story", href: "#/family/" + enc(f.id), "data-family": f.id },
        el("b", { text: "Family " + f.id }), " ",
        el("span", { class: "nt-muted nt-small", text: `${f.articles.length} articles` +
          (f.attributed_source ? ` · credits ${f.attributed_source}` : "") +
          (f.origin ? ` · origin ${f.origin}` : " · origin not in the collection") }),
        f.title ? el("div", { class: "nt-muted", text: f.title }) : null)))));
}

function viewArticles(params) {
  return listView("#/articles", params, "articles", (qs) => api("/api/articles?" + qs), (arts) =>
    el("table", { class: "nt-table", id: "article-list" }, el("thead", {}, el("tr", {},
      ["article", "outlet", "published", "story"].map((h) => el("th", { text: h })))),
    el("tbody", {}, arts.map((a) => el("tr", { "data-id": a.id },
      el("td", {}, articleLabel(a, a.id)), el("td", { text: a.outlet || "" }),
      el("td", { text: a.published || "" }),
      el("td", {}, a.story ? el("a", { href: "#/story/" + enc(a.story), text: a.story }) : null))))));
}

// ---- outlets: who reuses whose text, and downloads ---------------------------------------

const EXPORT_TABLES = ["sources", "pairs", "families", "stories", "articles"];

// A plain link downloads when the server has no token; with one, fetch with the bearer
// header and hand the browser a blob under the server's file name.
function downloadLink(table, fmt, filters) {
  const href = `/api/export/${table}?format=${fmt}` + (filters ? "&" + filters : "");
  return el("a", { href, download: `newstrace-${table}.${fmt}`, class: "ui-download", "data-export": `${table}.${fmt}`,
    text: fmt.toUpperCase(), onclick: async (ev) => {
      if (!token()) return;
      ev.preventDefault();
      const res = await fetch(href, { headers: { Authorization: "Bearer " + token() } });
      if (!res.ok) { alert(`Download failed: ${res.status} ${res.statusText}`); return; }
      const url = URL.createObjectURL(await res.blob());
      const a = el("a", { href: url, download: `newstrace-${table}.${fmt}` });
      document.body.append(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } });
}

function exportBox() {
  return el("div", { class: "nt-card", id: "exports" }, el("h3", { text: "Export" }),
    el("p", { class: "ui-hint", text: "Tables of the whole index, as `newstrace index export` writes them: CSV (flat, for spreadsheets) or JSONL (every record whole)." }),
    el("table", { class: "nt-table ui-exports" }, el("tbody", {}, EXPORT_TABLES.map((t) =>
      el("tr", {}, el("th", { text: t }), el("td", {}, downloadLink(t, "csv"), " · ", downloadLink(t, "jsonl")))))));
}

const outletLink = (name) => el("a", { href: "#/articles?outlet=" + enc(name), text: name });
function counts(items) {
  return present((items || []).map((d, i) => [i ? "; " : null, el("span", { class: "ui-count" },
    d.in_collection === false ? el("span", { title: "credited, not in the collection", text: d.outlet + " (outside)" }) : outletLink(d.outlet),
    " " + d.articles)]));
}

function licensedCell(r) {
  return el("td", { class: "ui-licensed" },
    r.licensed_from && r.licensed_from.length ? ["from ", counts(r.licensed_from)] : null,
    r.licensed_from && r.licensed_from.length && r.licensed_to && r.licensed_to.length ? " · " : null,
    r.licensed_to && r.licensed_to.length ? ["to ", counts(r.licensed_to)] : null);
}

function sourceRow(r, licensed) {
  const langs = Object.entries(r.languages || {}).map(([k, n]) => [lang(k), n > 1 ? ` ${n} ` : " "]);
  return el("tr", { "data-outlet": r.outlet },
    el("td", { class: "ui-rank", text: r.rank == null ? "–" : r.rank }),
    el("td", {}, outletLink(r.outlet), r.licence_role ? el("span", { class: "ui-role", text: " " + r.licence_role }) : null),
    el("td", { class: "ui-num", text: r.articles }), el("td", {}, langs),
    el("td", { class: "ui-num", title: `${r.derived} of ${r.articles} articles derive from another outlet's`, text: pct(r.derived_share) }),
    el("td", { class: "ui-reuses" }, counts(r.reuses)),
    el("td", { class: "ui-reused-by" }, counts(r.reused_by)),
    el("td", { class: "ui-num", text: r.median_lag_hours == null ? "" : `${num(r.median_lag_hours)} h` }),
    licensed ? licensedCell(r) : null);
}

// The licensed column shows only when the server has a licence file (`serve --licensed`).
function sourcesTable(rows, id) {
  const licensed = rows.some((r) => r.licence_role);
  const heads = ["#", "outlet", "articles", "languages", "derived share", "reuses text of", "reused by", "median lag"];
  return el("table", { class: "nt-table", id }, el("thead", {}, el("tr", {},
    heads.concat(licensed ? ["licensed"] : []).map((h) => el("th", { text: h })))),
  el("tbody", {}, rows.map((r) => sourceRow(r, licensed))));
}

async function viewSources(params) {
  show(loading("outlets"));
  const min = Math.max(1, parseInt(params.get("min_articles") || "3", 10) || 3);
  const s = await api("/api/sources?min_articles=" + min);
  if (!s.outlets.length && !s.unranked.length) {
    show(el("p", {}, "No article has a known outlet (a source or a url). ", el("a", { href: "#/add", text: "Add articles" }), " first."), exportBox());
    return;
  }
  const minInput = el("input", { type: "number", id: "min-articles", min: 1, value: min, style: "width:5em" });
  show(el("h2", { text: "Sources" }),
    el("p", { class: "ui-hint", text: "Outlets ranked by the share of their articles that derive from another outlet's article (copy, translation, rewrite or partial, on the derived side); ties by article count. Lag: hours after the origin, median." }),
    el("form", { class: "ui-row", onsubmit: (ev) => { ev.preventDefault(); location.hash = hashWith("#/sources", params, { min_articles: minInput.value }); } },
      el("label", { class: "nt-small" }, "rank outlets with at least ", minInput, " articles"), el("button", { type: "submit", text: "Apply" })),
    s.outlets.length ? sourcesTable(s.outlets, "source-list") : el("p", { id: "list-none", text: `No outlet has ${min} or more articles.` }),
    s.unranked.length ? el("details", { class: "nt-card" }, el("summary", { text: `${s.unranked.length} outlet(s) with fewer than ${min} articles` }),
      sourcesTable(s.unranked, "source-unranked")) : null,
    s.unknown_outlet_articles ? el("p", { class: "nt-muted nt-small", text: `${s.unknown_outlet_articles} article(s) with no known outlet (no source or url).` }) : null,
    exportBox());
}

// ---- one article, story, family, pair --------------------------------------------------

function kv(pairs) {
  return el("dl", { class: "nt-kv", id: "article-fields" }, pairs.filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => [el("dt", { text: k }), el("dd", {}, v)]));
}

function safeLink(url) {
  return /^https?:\/\//i.test(url || "") ? el("a", { href: url, rel: "noopener noreferrer nofollow", target: "_blank", text: url }) : url;
}

async function viewArticle(id) {
  show(loading("article"));
  const a = await api("/api/articles/" + enc(id));
  const notice = el("div", { id: "article-notice" });
  const confirmRow = el("span", { class: "ui-row", hidden: true },
    el("span", { text: "Delete this article from the index? Its family and story are regrouped." }),
    el("button", { type: "button", id: "article-delete-confirm", class: "ui-danger", text: "Delete", onclick: async (ev) => {
      ev.target.disabled = true;
      try {
        await api("/api/articles/" + enc(id), { method: "DELETE" });
          refreshStats();
        show(el("div", { id: "article-deleted", class: "nt-card ui-ok" }, `Deleted ${id}. `,
          el("a", { href: "#/stories", text: "Stories" }), " · ", el("a", { href: "#/families", text: "Families" }),
          " · ", el("a", { href: "#/articles", text: "Articles" })));
      } catch (e) { fill(notice, errorBox(e)); ev.target.disabled = false; }
    } }),
    el("button", { type: "button", class: "ui-link", text: "cancel", onclick: () => { confirmRow.hidden = true; } }));
  const story = a.story_summary;
  show(el("div", { class: "ui-row" }, el("h2", { id: "article-title", text: a.title || a.id }),
    el("button", { type: "button", id: "article-delete", class: "ui-danger-outline", text: "Delete…",
      onclick: () => { confirmRow.hidden = false; } }), confirmRow),
  notice,
  el("div", { class: "nt-card" }, kv([
    ["id", el("span", { class: "nt-id", text: a.id })],
    ["outlet", a.outlet || "unknown"],
    ["url", a.url ? safeLink(a.url) : null],
    ["published", a.published],
    ["language", lang(a.lang)],
    ["source field", a.source],
    ["credits", a.attributed_source],
    ["family", a.family ? el("a", { href: "#/family/" + enc(a.family), text: a.family }) : "none (no shared text)"],
    ["story", story ? el("span", {}, el("a", { id: "article-story", href: "#/story/" + enc(story.id), text: story.id }),
      el("span", { class: "nt-muted nt-small", text: ` ${story.size} article${story.size === 1 ? "" : "s"}` +
        (story.title ? ` · ${story.title}` : "") })) : null],
    ["warnings", (a.warnings || []).length ? a.warnings.join("; ") : null],
  ])),
  kinTable({ article: a, kin: a.kin }, true),
  el("details", { class: "nt-card", id: "article-text", open: true }, el("summary", { text: `Text (${a.sentences} sentences)` }),
    el("div", { class: "ui-text" }, (a.sentence_list || []).map((s, i) => el("span", { lang: (a.sentence_langs || [])[i] || null, text: s + " " })))));
}

async function graphBox(familyId) {
  try {
    return fragment(await api("/api/families/" + enc(familyId) + "/graph"), "ui-graph");
  } catch (e) { return errorBox(e); }
}

function pairsTable(pairs) {
  return el("table", { class: "nt-table ui-pairs" }, el("thead", {}, el("tr", {},
    ["A", "B", "relation", "reuse", "story", ""].map((h) => el("th", { text: h })))),
  el("tbody", {}, pairs.map((p) => el("tr", { "data-a": p.a, "data-b": p.b },
    el("td", {}, el("a", { class: "nt-id", href: articleHref(p.a), text: p.a })),
    el("td", {}, el("a", { class: "nt-id", href: articleHref(p.b), text: p.b })),
    el("td", {}, relBadge(p.relation)), el("td", { text: num(p.reuse_score) }),
    el("td", { text: num(p.story_score) }),
    el("td", {}, el("a", { class: "pair-link", href: pairHref(p.a, p.b), text: "open" }))))));
}

async function familyCard(fam, arts, withLink) {
  const byId = Object.fromEntries((arts || []).map((a) => [a.id, a]));
  return el("div", { class: "nt-card nt-family", "data-family": fam.id },
    el("h3", {}, "Family " + fam.id + " ", withLink ? el("a", { href: "#/family/" + enc(fam.id), class: "nt-small", text: "open" }) : null),
    el("div", { class: "ui-row", style: "align-items:flex-start" }, await graphBox(fam.id),
      el("div", { style: "flex:1;min-width:280px" },
        el("dl", { class: "nt-kv" },
          el("dt", { text: "origin guess" }),
          el("dd", { class: "nt-origin" }, fam.origin ? articleLabel(byId[fam.origin], fam.origin) : "not in the collection",
            el("span", { class: "nt-muted nt-small", text: ` (confidence ${num(fam.origin_confidence)}: ${fam.origin_reason || ""})` })),
          el("dt", { text: "attributed source" }), el("dd", { text: fam.attributed_source || "none credited" })),
        el("ul", {}, (fam.articles || []).map((m) => el("li", {}, articleLabel(byId[m], m)))))));
}

function timelineTable(s) {
  const rows = s.timeline || [];
  if (!rows.length) return null;
  const inStory = new Set(rows.map((r) => r.id));
  return el("div", { class: "nt-card", id: "story-timeline" },
    el("h3", {}, "Timeline ", el("span", { class: "nt-muted nt-small", text:
      s.first ? (s.last && s.last !== s.first ? `${s.first} – ${s.last}` : s.first) : "no dates known" })),
    el("table", { class: "nt-table" }, el("thead", {}, el("tr", {},
      ["published", "outlet", "article", "role", "from"].map((h) => el("th", { text: h })))),
    el("tbody", {}, rows.map((r) => el("tr", { class: "timeline-row", "data-id": r.id, "data-role": r.role },
      el("td", { text: r.published || "undated" }), el("td", { text: r.outlet || "unknown" }),
      el("td", {}, articleLabel(r, r.id)),
      el("td", {}, el("span", { class: "ui-role ui-role-" + r.role, text: r.role })),
      el("td", {}, r.from ? (inStory.has(r.from) ? el("a", { class: "nt-id", href: articleHref(r.from), text: r.from }) : r.from) : ""))))));
}

async function viewStory(id) {
  show(loading("story"));
  const s = await api("/api/stories/" + enc(id));
  const inFamily = new Set(s.families.flatMap((f) => f.articles));
  // A partial link that merges no family still shares text: its articles are not
  // "independent coverage" (the relations table below lists the link).
  const reuse = new Set(RELATION_ORDER.filter((r) => r !== "same_story"));
  const linked = new Set(s.pairs.filter((p) => reuse.has(p.relation)).flatMap((p) => [p.a, p.b]));
  const indep = s.articles.filter((a) => !inFamily.has(a.id) && !linked.has(a.id));
  const cards = [];
  for (const f of s.families) cards.push(await familyCard(f, s.articles, true));
  show(el("h2", {}, `Story ${s.id} `, el("span", { class: "nt-muted nt-small", text: `${s.size} articles · ` }),
    s.languages.map((l) => [lang(l), " "])),
  s.title ? el("p", { class: "nt-muted", text: s.title }) : null,
  timelineTable(s),
  cards,
  indep.length ? el("div", { class: "nt-card nt-independent" }, el("h3", { text: "Independent coverage" }),
    el("p", { class: "nt-muted nt-small", text: "Same event, no shared text." }),
    el("ul", {}, indep.map((a) => el("li", {}, articleLabel(a, a.id), " ",
      el("a", { href: "#/kin/" + enc(a.id), class: "nt-small", text: "kin" }))))) : null,
  s.pairs.length ? el("div", { class: "nt-card" }, el("h3", { text: "Relations" }), pairsTable(s.pairs)) : null);
}

async function viewFamily(id) {
  show(loading("family"));
  const f = await api("/api/families/" + enc(id));
  show(await familyCard(f, f.members, false),
    el("div", { class: "nt-card" }, el("h3", { text: "Relations" }), pairsTable(f.pairs)),
    f.story ? el("p", {}, el("a", { href: "#/story/" + enc(f.story), text: "Story " + f.story })) : null);
}

async function viewPair(a, b) {
  show(loading("evidence"));
  const qs = new URLSearchParams({ a, b }).toString();
  const [html, pair] = await Promise.all([api("/api/pair/view?" + qs), api("/api/pair?" + qs)]);
  const sides = pair.articles || {};
  const fam = (sides.a && sides.a.family) === (sides.b && sides.b.family) ? sides.a && sides.a.family : null;
  const story = (sides.a && sides.a.story) === (sides.b && sides.b.story) ? sides.a && sides.a.story : null;
  show(el("h2", { text: "Evidence" }),
    el("p", { class: "ui-row nt-small", id: "pair-links" }, articleLabel(sides.a, pair.a), articleLabel(sides.b, pair.b),
      fam ? el("a", { href: "#/family/" + enc(fam), text: "Family " + fam }) : null,
      story ? el("a", { href: "#/story/" + enc(story), text: "Story " + story }) : null),
    fragment(html, "nt-card ui-pair"));
}

// ---- routing ---------------------------------------------------------------------------
// Ids are encodeURIComponent'd into the hash ('/' becomes %2F), so one segment is one id;
// list filters ride in the hash's query (#/stories?q=…&offset=50).

const ROUTES = [
  [/^#\/add$/, viewAdd, "add"],
  [/^#\/kin(?:\/(.+))?$/, viewKin, "kin"],
  [/^#\/articles$/, viewArticles, "articles"],
  [/^#\/article\/(.+)$/, viewArticle, "articles"],
  [/^#\/stories$/, viewStories, "stories"],
  [/^#\/story\/(.+)$/, viewStory, "stories"],
  [/^#\/families$/, viewFamilies, "families"],
  [/^#\/family\/(.+)$/, viewFamily, "families"],
  [/^#\/pair\/([^/]+)\/([^/]+)$/, viewPair, "stories"],
  [/^#\/sources$/, viewSources, "sources"],
];

// A view that finishes after a newer one (a slow list, then a quick click elsewhere) has
// drawn over it: the route that finished last but was not the newest draws the newest again.
let routeGen = 0;
let drawnGen = 0;

async function route() {
  const gen = ++routeGen;
  const hash = location.hash || "#/stories";
  const cut = hash.indexOf("?");
  const path = cut < 0 ? hash : hash.slice(0, cut);
  const params = new URLSearchParams(cut < 0 ? "" : hash.slice(cut + 1));
  for (const [re, fn, nav] of ROUTES) {
    const m = path.match(re);
    if (!m) continue;
    for (const a of document.querySelectorAll("[data-nav]")) a.classList.toggle("active", a.dataset.nav === nav);
    try {
      const args = m.slice(1).map((x) => (x === undefined ? undefined : decodeURIComponent(x)));
      await (m.length > 1 ? fn(...args) : fn(params));
    } catch (e) { show(errorBox(e)); }
    if (gen < drawnGen) await route();
    else drawnGen = gen;
    return;
  }
  location.hash = "#/stories";
}

async function refreshStats() {
  try {
    const s = await api("/api/stats");
    const parts = [];
    const names = { articles: "article", stories: "story", families: "family" };
    const plural = { articles: "articles", stories: "stories", families: "families" };
    for (const k of Object.keys(names)) if (k in s) parts.push(`${s[k]} ${s[k] === 1 ? names[k] : plural[k]}`);
    document.getElementById("stats").textContent = parts.join(" · ");
  } catch (_) { /* stats are decoration */ }
}

document.getElementById("token-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  sessionStorage.setItem("newstrace-token", document.getElementById("token").value);
  route(); refreshStats();
});

(async () => {
  try {
    const h = await (await fetch("/api/health")).json();
    if (h.auth) document.getElementById("token-form").hidden = false;
  } catch (_) { /* the views will show the error */ }
  window.addEventListener("hashchange", route);
  await route();
  refreshStats();
})();
