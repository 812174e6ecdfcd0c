// The edit form for the video shown in "Your video": title, description, published (PATCH with If-Match) and
// a new thumbnail (PUT /api/videos/{id}/thumbnail with If-Match). Kept apart from app.js, whose token(),
// claims() and describeProblem() it uses; the two talk through the stremora:video-shown / -changed events.
"use strict";
(() => {
  const byId = (id) => document.getElementById(id);
  let shown = null; // the video in the form
  let etag = null;  // the version it was loaded at: every change is sent with If-Match

  async function call(method, path, body, headers = {}) {
    const all = { Accept: "application/json", ...headers };
    if (token()) all.Authorization = `Bearer ${token()}`;
    const response = await fetch(path, { method, headers: all, body });
    const text = await response.text();
    let parsed = null;
    try { parsed = text ? JSON.parse(text) : null; } catch { parsed = text; }
    return { ok: response.ok, status: response.status, body: parsed, etag: response.headers.get("ETag") };
  }

  function mayChange(video) {
    const me = claims();
    return !!(me && (me.sub === video.ownerId || me.role === "admin"));
  }

  function fill(video, tag) {
    shown = video;
    etag = tag;
    byId("edit-title").value = video.title;
    byId("edit-description").value = video.description || "";
    byId("edit-published").checked = video.published !== false;
    const image = byId("edit-thumbnail");
    image.hidden = !video.thumbnail;
    if (video.thumbnail) image.src = video.thumbnail.url; else image.removeAttribute("src");
    byId("edit-thumbnail-caption").textContent = video.thumbnail
      ? `Current thumbnail: ${video.thumbnail.contentType}, ${video.thumbnail.bytes.toLocaleString("en")} bytes on ${video.thumbnail.provider}.`
      : "No thumbnail yet.";
  }

  function say(text) { byId("edit-status").textContent = text; }

  function fail(lines) {
    say("");
    const box = byId("edit-error");
    box.replaceChildren(...lines.map((l, i) => Object.assign(document.createElement(i === 0 ? "strong" : "p"), { textContent: l })));
    box.hidden = false;
  }

  function clear() { byId("edit-error").hidden = true; byId("edit-error").replaceChildren(); }

  /** The version the form shows, fresh from the API (a shown video may come from a list that carries no ETag). */
  async function load(video) {
    byId("edit").hidden = !mayChange(video);
    if (byId("edit").hidden) return;
    clear();
    const got = await call("GET", `/api/videos/${video.id}`);
    if (got.ok) fill(got.body, got.etag); else fail(describeProblem(got.status, got.body));
  }

  /** A change answered: 200 shows the new version everywhere; 412 reloads the latest so the user can decide again. */
  async function settle(answer, done) {
    if (answer.ok) {
      fill(answer.body, answer.etag);
      say(done(answer.body));
      document.dispatchEvent(new CustomEvent("stremora:video-changed", { detail: answer.body }));
      return;
    }

    if (answer.status === 412) {
      fail(["Someone changed this video after you opened it; the form now shows the latest version. Check it and try again."]);
      const latest = await call("GET", `/api/videos/${shown.id}`);
      if (latest.ok) fill(latest.body, latest.etag);
      return;
    }

    fail(describeProblem(answer.status, answer.body));
  }

  document.addEventListener("stremora:video-shown", (e) => {
    // The video this form just saved comes back through app.js: it is already the latest version.
    if (e.detail !== shown) load(e.detail);
  });

  byId("edit-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!shown) return;
    clear();
    const title = byId("edit-title").value.trim();
    if (!title) { fail(["Give the video a title."]); return; }
    byId("edit-save").disabled = true;
    try {
      const changes = JSON.stringify({ title, description: byId("edit-description").value, published: byId("edit-published").checked });
      await settle(await call("PATCH", `/api/videos/${shown.id}`, changes, { "Content-Type": "application/json", "If-Match": etag }), () => "Saved.");
    } catch {
      fail(["Could not reach the server. Check your connection and try again."]);
    } finally {
      byId("edit-save").disabled = false;
    }
  });

  byId("edit-thumbnail-replace").addEventListener("click", async () => {
    if (!shown) return;
    clear();
    const file = byId("edit-thumbnail-file").files[0];
    if (!file) { fail(["Choose an image first (JPEG, PNG or WebP)."]); return; }
    const form = new FormData();
    form.append("thumbnail", file, file.name);
    byId("edit-thumbnail-replace").disabled = true;
    say("Storing the new thumbnail…");
    try {
      await settle(await call("PUT", `/api/videos/${shown.id}/thumbnail`, form, { "If-Match": etag }), (video) => `Thumbnail replaced: stored on ${video.thumbnail.provider}.`);
      byId("edit-thumbnail-file").value = "";
    } catch {
      fail(["Could not reach the server. Check your connection and try again."]);
    } finally {
      byId("edit-thumbnail-replace").disabled = false;
    }
  });
})();
