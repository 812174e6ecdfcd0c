// The upload page: plain JavaScript, no build step. The upload itself is upload.js (tus, resumable); this file is
// the token, the problems in words, "Your video", delete and the recent list.
"use strict";

const $ = (id) => document.getElementById(id);
const tokenBox = $("token");
let current = null; // the video shown in "Your video"

tokenBox.value = localStorage.getItem("stremora.token") || "";
tokenBox.addEventListener("input", () => {
  localStorage.setItem("stremora.token", tokenBox.value.trim());
  showWho();
});

function token() { return tokenBox.value.trim(); }

/** The token's subject, read (not verified: the server does that) to know which videos are ours. */
function claims() {
  try {
    const payload = token().split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload));
  } catch { return null; }
}

function showWho() {
  const c = claims();
  $("whoami").textContent = !token() ? "No token: you can watch, but not upload or delete."
    : c && c.sub ? `Signed in as ${c.sub}${c.role === "admin" ? " (admin)" : ""}${c.exp && c.exp * 1000 < Date.now() ? " — this token has expired" : ""}.`
    : "This does not look like a token.";
}

function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n, i = -1;
  do { v /= 1024; i++; } while (v >= 1024 && i < units.length - 1);
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** Turns a problem+json body (or a network failure) into sentences a person understands. */
function describeProblem(status, body) {
  const plain = {
    400: "Some fields need fixing.",
    401: "You are not signed in, or your token has expired or is invalid. Paste a fresh token above.",
    403: "You are not allowed to do that: only the owner (or an admin) can.",
    404: "That video does not exist (any more).",
    409: "This Idempotency-Key was already used for different content.",
    410: "That upload has ended (it expired, was stopped, or its file was refused). Upload the file again.",
    413: "The file is too large.",
    415: "That file is not a video (or the thumbnail is not a JPEG, PNG or WebP image).",
    423: "This upload is being sent from somewhere else right now (another tab?). Try again when that is done.",
    503: "No storage provider could take the file right now. Please try again in a minute.",
  }[status] || `The server answered ${status}.`;
  const lines = [plain];
  if (body && typeof body === "object") {
    if (body.detail && body.detail !== plain) lines.push(body.detail);
    if (body.errors) {
      for (const [field, messages] of Object.entries(body.errors)) {
        for (const m of [].concat(messages)) lines.push(`${field}: ${typeof m === "string" ? m : JSON.stringify(m)}`);
      }
    }
    if (Array.isArray(body.attempts)) {
      for (const a of body.attempts) lines.push(`${a.provider}: ${a.outcome}${a.error ? ` (${a.error})` : ""}`);
    }
  }
  return lines;
}

function showError(lines) {
  const box = $("error");
  box.replaceChildren(...lines.map((l, i) => {
    const p = document.createElement(i === 0 ? "strong" : "p");
    p.textContent = l;
    return p;
  }));
  box.hidden = false;
}

function clearError() { $("error").hidden = true; $("error").replaceChildren(); }

async function api(method, path) {
  const headers = { Accept: "application/json" };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  const response = await fetch(path, { method, headers });
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = text; }
  if (!response.ok) throw Object.assign(new Error("request failed"), { status: response.status, body });
  return body;
}

/** Duration, resolution and codecs as analysed (e.g. "0:12 · 1280×720 · h264/aac"), and where the poster came from. */
function describeMedia(video) {
  const m = video.media;
  if (!m) return "not analysed yet";
  const parts = [];
  if (m.durationSeconds != null) {
    const s = Math.round(m.durationSeconds);
    parts.push(`${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`);
  }
  parts.push(`${m.width}×${m.height}`, [m.videoCodec, m.audioCodec].filter(Boolean).join("/"));
  if (video.thumbnail) parts.push(video.thumbnail.source === "generated" ? "poster picked from the video" : "your thumbnail");
  return parts.join(" · ");
}

function showVideo(video) {
  current = video;
  $("result").hidden = false;
  $("result-title").textContent = video.title;
  $("player").src = video.video.url;
  // The poster: the thumbnail that was sent, or the frame the service picked from the video.
  $("player").poster = video.thumbnail ? video.thumbnail.url : "";
  $("result-provider").textContent = video.video.provider;
  $("result-size").textContent = `${formatBytes(video.video.bytes)} (${video.video.bytes.toLocaleString("en")} bytes)`;
  $("result-sha").textContent = video.video.sha256;
  $("result-media").textContent = describeMedia(video);
  $("result-id").textContent = video.id;
  const rows = (video.attempts || []).map((a) => {
    const tr = document.createElement("tr");
    tr.className = `outcome-${a.outcome}`;
    for (const v of [a.file, a.provider, a.outcome, `${a.elapsedMs} ms`, a.error || ""]) {
      const td = document.createElement("td");
      td.textContent = v;
      tr.append(td);
    }
    return tr;
  });
  $("attempts").replaceChildren(...rows);
  const failed = (video.attempts || []).filter((a) => a.file === "video" && a.outcome !== "stored");
  const note = $("failover-note");
  note.hidden = failed.length === 0;
  note.textContent = failed.length
    ? `Failover: ${failed.map((a) => a.provider).join(", ")} could not take the video, so it was stored on ${video.video.provider}.`
    : "";
  const me = claims();
  $("delete-button").hidden = !(me && (me.sub === video.ownerId || me.role === "admin"));
  document.dispatchEvent(new CustomEvent("stremora:video-shown", { detail: video }));
}

// The edit form (edit.js) changed the video: show what the API answered.
document.addEventListener("stremora:video-changed", (e) => { showVideo(e.detail); refreshRecent(); });

$("delete-button").addEventListener("click", async () => {
  if (!current) return;
  clearError();
  try {
    await api("DELETE", `/api/videos/${current.id}`);
    $("result").hidden = true;
    $("edit").hidden = true;
    $("player").removeAttribute("src");
    $("progress-text").textContent = `Deleted “${current.title}”. Its files are removed in the background.`;
    current = null;
    refreshRecent();
  } catch (err) {
    showError(describeProblem(err.status, err.body));
  }
});

async function refreshRecent() {
  try {
    const page = await api("GET", "/api/videos?page=1&pageSize=10");
    const items = page.items.map((v) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.textContent = v.title;
      button.addEventListener("click", async () => {
        try { showVideo(await api("GET", `/api/videos/${v.id}`)); } catch (err) { showError(describeProblem(err.status, err.body)); }
      });
      const meta = document.createElement("span");
      meta.className = "muted";
      meta.textContent = ` · ${v.video ? v.video.provider : ""} · ${v.ownerId} · ${new Date(v.createdAt).toLocaleString()}`;
      li.append(button, meta);
      return li;
    });
    $("recent").replaceChildren(...(items.length ? items : [Object.assign(document.createElement("li"), { textContent: "No videos yet." })]));
  } catch (err) {
    $("recent").replaceChildren(Object.assign(document.createElement("li"), { textContent: describeProblem(err.status, err.body)[0] }));
  }
}

$("refresh").addEventListener("click", refreshRecent);
showWho();
refreshRecent();
