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

function articleLabel(art, id) {
  const a = art || {};
  return el("span", {}, el("span", { class: "nt-id", text: id || a.id }), " ", lang(a.lang),
    a.title ? el("span", { class: "nt-muted", text: " " + a.title }) : null);
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

function show(...nodes) {
  view.replaceChildren(...nodes.flat(Infinity).filter((n) => n !== null && n !== undefined && n !== false));
}
function errorBox(err) { return el("div", { class: "ui-error", role: "alert", text: String(err.message || err) }); }
function loading(what) { return el("p", { class: "nt-muted", text: "Loading " + what + "…" }); }
function fragment(htmlText, cls) {
  // Server-rendered and escaped by newstrace.report (see the note at the top).
  const box = el("div", { class: cls || "" });
  box.innerHTML = htmlText;
  return box;
}

// ---- reading files into articles ------------------------------------------------------

function stem(name) { return name.replace(/\.[^.]+$/, ""); }

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

async function filesToArticles(files) {
  const out = [];
  for (const f of files) {
    const text = await f.text();
    if (/\.(json|jsonl)$/i.test(f.name)) out.push(...parseJsonArticles(text, f.name));
    else out.push({ id: stem(f.name), text });
  }
  return out;
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
    status.replaceChildren();
    let articles;
    try {
      articles = [...await filesToArticles(files.files), ...parseJsonArticles(pasted.value, "pasted JSON")];
    } catch (e) { status.replaceChildren(errorBox(e)); return; }
    if (!articles.length) { status.replaceChildren(errorBox("Choose files or paste JSON first.")); return; }
    button.disabled = true;
    bar.hidden = false; bar.value = 0;
    try {
      let job = await api("/api/articles", { method: "POST", json: { articles } });
      while (job.state === "queued" || job.state === "running") {
        bar.value = job.progress;
        status.replaceChildren(el("span", { text:
          `${job.done}/${job.total} articles` + (job.stage ? ` · ${job.stage} ${job.stage_done}/${job.stage_total}` : "") }));
        await new Promise((r) => setTimeout(r, 400));
        job = await api("/api/jobs/" + enc(job.id));
      }
      bar.value = 1;
      if (job.state === "failed") throw new Error("Indexing failed: " + job.error);
      const r = job.result;
      status.replaceChildren(el("div", { id: "add-done", class: "ui-ok" },
        `Done: ${r.added.length} added, ${r.replaced.length} replaced, ${r.unchanged.length} unchanged`,
        r.problems.length ? `, ${r.problems.length} skipped` : "", ". ",
        el("a", { href: "#/stories", text: "Browse stories →" })),
      r.problems.length ? el("ul", {}, r.problems.map((p) => el("li", { class: "nt-small",
        text: `${p.where}${p.id ? " (" + p.id + ")" : ""}: ${p.message}` }))) : null);
      refreshStats();
    } catch (e) { status.replaceChildren(errorBox(e)); } finally { button.disabled = false; }
  } },
  el("h2", { text: "Add articles to the index" }),
  el("p", { class: "ui-hint", text: "Files: .txt (the file name is the id), .html, .json or .jsonl " +
    "(objects with id and text; optional title, lang, url, source, published). Articles with " +
    "an id already in the index replace it." }),
  el("div", { class: "ui-row" }, el("label", {}, "Files ", files)),
  el("label", { class: "ui-hint", text: "…or paste JSON" }), pasted,
  el("div", { class: "ui-row" }, button, bar), status);
  show(form);
}

function kinTable(result, indexed) {
  const me = result.article;
  if (!result.kin.length) return el("p", { id: "kin-none", text: "No related article in the index." });
  const rows = result.kin.map((p) => {
    const evidence = el("td");
    if (p.evidence && p.evidence.length) {
      if (indexed) {
        evidence.append(el("a", { href: `#/pair/${enc(p.a)}/${enc(p.b)}`, text: "evidence" }));
      } else if (p.view_html) {
        const holder = el("div");
        evidence.append(el("button", { class: "ui-link", type: "button", text: "evidence",
          onclick: () => { holder.replaceChildren(fragment(p.view_html, "nt-card")); } }));
        return [el("tr", { class: "kin-row" }, cells(p), evidence),
          el("tr", {}, el("td", { colspan: 7 }, holder))];
      }
    }
    return [el("tr", { class: "kin-row" }, cells(p), evidence)];
  });
  function cells(p) {
    const cov = p.coverage || {};
    return [el("td", {}, relBadge(p.relation)), el("td", {}, articleLabel(p.other_article, p.other)),
      el("td", { text: num(p.reuse_score) }), el("td", { text: num(p.story_score) }),
      el("td", { text: `${pct(cov.a)} / ${pct(cov.b)}` }),
      el("td", { text: p.direction === "a>b" ? `${p.b} derives from ${p.a}`
        : p.direction === "b>a" ? `${p.a} derives from ${p.b}` : "" })];
  }
  return el("div", { class: "nt-card", id: "kin-result" },
    el("h3", {}, "Kin of ", articleLabel(me, me.id)),
    el("table", { class: "nt-table" }, el("thead", {}, el("tr", {},
      ["relation", "article", "reuse", "story", "coverage a / b", "direction", ""].map((h) => el("th", { text: h })))),
    el("tbody", {}, rows.flat())));
}

async function viewKin(id) {
  const out = el("div", { id: "kin-out" });
  const text = el("textarea", { id: "kin-text", placeholder: "Paste the article text (or HTML) here" });
  const title = el("input", { type: "text", id: "kin-title", placeholder: "title (optional)", size: 40 });
  const file = el("input", { type: "file", id: "kin-file", accept: ".txt,.html,.htm,.json" });
  const lookup = el("input", { type: "text", id: "kin-id", placeholder: "article id", value: id || "" });
  const run = async (fn) => {
    out.replaceChildren(loading("kin"));
    try { out.replaceChildren(await fn()); } catch (e) { out.replaceChildren(errorBox(e)); }
  };
  const pasteForm = el("form", { class: "nt-card", onsubmit: (ev) => {
    ev.preventDefault();
    run(async () => {
      let art;
      if (file.files.length) {
        [art] = await filesToArticles([file.files[0]]);
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

async function viewStories() {
  show(loading("stories"));
  const data = await api("/api/stories?limit=200");
  if (!data.stories.length) {
    show(el("p", {}, "The index is empty. ", el("a", { href: "#/add", text: "Add articles" }), " first."));
    return;
  }
  show(el("h2", { text: `Stories (${data.total}), newest first` }),
    el("ul", { class: "ui-list", id: "story-list" }, data.stories.map((s) => el("li", {},
      el("a", { class: "nt-card ui-story", href: "#/story/" + enc(s.id), "data-story": s.id },
        el("b", { text: "Story " + s.id }), " ",
        el("span", { class: "nt-muted nt-small", text: `${s.size} article${s.size === 1 ? "" : "s"} · ` }),
        s.languages.map((l) => [lang(l), " "]),
        s.newest ? el("span", { class: "nt-muted nt-small", text: " " + s.newest }) : null,
        s.title ? el("div", { class: "nt-muted", text: s.title }) : null)))));
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
    el("td", { class: "nt-id", text: p.a }), el("td", { class: "nt-id", text: p.b }),
    el("td", {}, relBadge(p.relation)), el("td", { text: num(p.reuse_score) }),
    el("td", { text: num(p.story_score) }),
    el("td", {}, el("a", { class: "pair-link", href: `#/pair/${enc(p.a)}/${enc(p.b)}`, text: "open" }))))));
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

async function viewStory(id) {
  show(loading("story"));
  const s = await api("/api/stories/" + enc(id));
  const inFamily = new Set(s.families.flatMap((f) => f.articles));
  const indep = s.articles.filter((a) => !inFamily.has(a.id));
  const cards = [];
  for (const f of s.families) cards.push(await familyCard(f, s.articles, true));
  show(el("h2", {}, `Story ${s.id} `, el("span", { class: "nt-muted nt-small", text: `${s.size} articles · ` }),
    s.languages.map((l) => [lang(l), " "])),
  s.title ? el("p", { class: "nt-muted", text: s.title }) : null,
  cards,
  indep.length ? el("div", { class: "nt-card nt-independent" }, el("h3", { text: "Independent coverage" }),
    el("p", { class: "nt-muted nt-small", text: "Same event, no shared text." }),
    el("ul", {}, indep.map((a) => el("li", {}, articleLabel(a, a.id), " ",
      el("a", { href: "#/kin/" + enc(a.id), class: "nt-small", text: "kin" }))))) : null,
  s.pairs.length ? el("div", { class: "nt-card" }, el("h3", { text: "Relations" }), pairsTable(s.pairs)) : null);
}

async function viewFamilies() {
  show(loading("families"));
  const data = await api("/api/families?limit=500");
  if (!data.families.length) { show(el("p", { text: "No families yet: no two indexed articles share text." })); return; }
  show(el("h2", { text: `Families (${data.total})` }), el("ul", { class: "ui-list" }, data.families.map((f) =>
    el("li", {}, el("a", { class: "nt-card ui-story", href: "#/family/" + enc(f.id) },
      el("b", { text: "Family " + f.id }), " ",
      el("span", { class: "nt-muted nt-small", text: `${f.articles.length} articles` +
        (f.attributed_source ? ` · credits ${f.attributed_source}` : "") +
        (f.origin ? ` · origin ${f.origin}` : " · origin not in the collection") }))))));
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
  const html = await api(`/api/pairs/${enc(a)}/${enc(b)}/view`);
  show(el("h2", { text: "Evidence" }), fragment(html, "nt-card ui-pair"));
}

// ---- routing ---------------------------------------------------------------------------

const ROUTES = [
  [/^#\/add$/, viewAdd, "add"],
  [/^#\/kin(?:\/(.+))?$/, viewKin, "kin"],
  [/^#\/stories$/, viewStories, "stories"],
  [/^#\/story\/(.+)$/, viewStory, "stories"],
  [/^#\/families$/, viewFamilies, "families"],
  [/^#\/family\/(.+)$/, viewFamily, "families"],
  [/^#\/pair\/([^/]+)\/([^/]+)$/, viewPair, "stories"],
];

async function route() {
  const hash = location.hash || "#/stories";
  for (const [re, fn, nav] of ROUTES) {
    const m = hash.match(re);
    if (!m) continue;
    for (const a of document.querySelectorAll("[data-nav]")) a.classList.toggle("active", a.dataset.nav === nav);
    try {
      await fn(...m.slice(1).map((x) => (x === undefined ? undefined : decodeURIComponent(x))));
    } catch (e) { show(errorBox(e)); }
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
