// The upload form: the video goes to /api/uploads through tus (tus-js-client, served from /lib/tus.min.js, which
// the build copies from npm), 8 MiB per PATCH, so it can pause, resume, and survive a reload or a dropped connection.
// Title and description travel as Upload-Metadata; a thumbnail is sent after the video is stored (tus carries one file).
// Uses app.js's $, token(), describeProblem(), showError(), clearError(), api(), formatBytes(), showVideo(), refreshRecent().
"use strict";
(() => {
  const CHUNK_BYTES = 8 * 1024 * 1024;
  // Absolute: tus-js-client resolves the Location it is given against this, and keys its resume fingerprints by it.
  const ENDPOINT = new URL("/api/uploads", window.location.href).href;

  let sending = null;  // the tus upload on screen: sending, paused, or stopped by an error it may resume from
  let since = null;    // where this stretch of sending began, for the speed shown

  const libraryLoaded = () => typeof tus !== "undefined" && tus.isSupported;

  /** Unfinished uploads of this file that tus-js-client remembers (localStorage), newest first. */
  async function earlierUploads(file) {
    const found = await new tus.Upload(file, { endpoint: ENDPOINT }).findPreviousUploads();
    return found.sort((a, b) => Date.parse(b.creationTime) - Date.parse(a.creationTime));
  }

  function controls(state) {
    $("pause-button").hidden = state !== "sending";
    $("resume-button").hidden = state !== "paused";
    $("upload-button").disabled = state === "sending";
  }

  function showProgress(sent, total) {
    if (!since) since = { at: performance.now(), bytes: sent };
    const percent = Math.floor((sent / total) * 100);
    const seconds = (performance.now() - since.at) / 1000;
    const speed = seconds > 0 ? (sent - since.bytes) / seconds : 0;
    $("progress").value = percent;
    $("progress-text").textContent = `${formatBytes(sent)} of ${formatBytes(total)} sent (${percent}%) · ${formatBytes(speed)}/s`;
  }

  /** The problem tus-js-client reports: the server's status and problem+json, or 0 when the server was not reached. */
  function problemOf(error) {
    const response = error && error.originalResponse;
    if (!response) return { status: 0, body: null };
    let body = null;
    try { body = JSON.parse(response.getBody()); } catch { body = null; }
    return { status: response.getStatus(), body };
  }

  /** After the last byte the server stores the file (Cloudinary, else S3): wait until the video is ready or failed. */
  async function settled(id) {
    for (let wait = 500; ; wait = Math.min(wait * 2, 5000)) {
      try {
        const video = await api("GET", `/api/videos/${id}`);
        if (video.status === "ready" || video.status === "failed") return video;
        $("progress-text").textContent = "Sent. Storing…";
      } catch (err) {
        if (err.status) throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** The thumbnail picked with the video, through PUT /api/videos/{id}/thumbnail; the video without it when that fails. */
  async function attachThumbnail(video, thumbnail) {
    const form = new FormData();
    form.append("thumbnail", thumbnail, thumbnail.name);
    try {
      const response = await fetch(`/api/videos/${video.id}/thumbnail`, {
        method: "PUT", body: form, headers: { Accept: "application/json", Authorization: `Bearer ${token()}` },
      });
      const body = await response.json().catch(() => null);
      if (response.ok) return body;
      showError(["The video is stored, but its thumbnail was not:", ...describeProblem(response.status, body)]);
    } catch {
      showError(["The video is stored, but its thumbnail could not be sent: the server was not reached."]);
    }
    return video;
  }

  async function finish(upload, thumbnail) {
    controls("done");
    $("progress").value = 100;
    $("progress-text").textContent = "Sent. Storing…";
    try {
      let video = await settled(upload.url.split("/").pop());
      if (video.status === "failed") {
        $("progress-text").textContent = "Upload did not complete.";
        showError(describeProblem(503, { attempts: video.attempts }));
        return;
      }
      if (thumbnail) video = await attachThumbnail(video, thumbnail);
      $("progress-text").textContent = `Done: stored on ${video.video.provider}.`;
      showVideo(video);
      refreshRecent();
    } catch (err) {
      showError(describeProblem(err.status, err.body));
    } finally {
      if (sending === upload) sending = null;
      $("upload-button").disabled = false;
    }
  }

  function fail(upload, error) {
    const { status, body } = problemOf(error);
    // Unreachable or a server error after every retry: the bytes the server holds are kept, Resume goes on from them.
    const resumable = status === 0 || status >= 500 || status === 409 || status === 423;
    if (!resumable && sending === upload) sending = null;
    controls(resumable ? "paused" : "stopped");
    $("progress-text").textContent = resumable ? "Upload interrupted: press Resume to go on from where the server stopped." : "Upload did not complete.";
    showError(status === 409 ? ["The server holds a different part of this upload than the page expected.", "Press Resume to go on from where the server is."]
      : status ? describeProblem(status, body) : ["Could not reach the server. Check your connection, then press Resume."]);
  }

  function send(upload) {
    since = null;
    controls("sending");
    upload.start();
  }

  // A file picked again (say, after a reload) that tus-js-client remembers: say so, and fill in what it was sent with.
  $("video").addEventListener("change", async () => {
    const file = $("video").files[0];
    $("resume-note").hidden = true;
    if (!file || !libraryLoaded()) return;
    const [earlier] = await earlierUploads(file);
    if (!earlier || $("video").files[0] !== file) return;
    if (!$("title").value.trim() && earlier.metadata.title) $("title").value = earlier.metadata.title;
    if (!$("description").value && earlier.metadata.description) $("description").value = earlier.metadata.description;
    $("resume-note").textContent = `Part of this file was uploaded before (${new Date(earlier.creationTime).toLocaleString()}): `
      + "Upload goes on from where the server stopped, with the title it was started with.";
    $("resume-note").hidden = false;
  });

  $("upload-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    clearError();
    const title = $("title").value.trim();
    const description = $("description").value;
    const file = $("video").files[0];
    const thumbnail = $("thumbnail").files[0] || null;
    const missing = [];
    if (!title) missing.push("Give the video a title.");
    if (!file) missing.push("Choose a video file.");
    if (!token()) missing.push("Paste a bearer token first (step 1).");
    if (missing.length) { showError(["Almost there:", ...missing]); return; }
    if (!libraryLoaded()) {
      showError(["This page could not load its upload library (/lib/tus.min.js).",
        "Whoever runs this server: ./stremora run installs it (or run npm ci in src/Stremora.Api/ClientLibs and build again)."]);
      return;
    }

    const metadata = { title, filename: file.name, filetype: file.type };
    if (description) metadata.description = description;
    const upload = new tus.Upload(file, {
      endpoint: ENDPOINT,
      chunkSize: CHUNK_BYTES,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      removeFingerprintOnSuccess: true,
      metadata,
      headers: { Authorization: `Bearer ${token()}` },
      onProgress: (sent, total) => { if (sending === upload) showProgress(sent, total); },
      onSuccess: () => finish(upload, thumbnail),
      onError: (error) => fail(upload, error),
    });
    if (sending) sending.abort();
    sending = upload;
    $("resume-note").hidden = true;
    $("progress-box").hidden = false;
    $("progress").value = 0;
    $("upload-button").disabled = true;
    const [earlier] = await earlierUploads(file);
    if (earlier) upload.resumeFromPreviousUpload(earlier);
    $("progress-text").textContent = earlier ? "Resuming…" : "Starting…";
    send(upload);
  });

  $("pause-button").addEventListener("click", async () => {
    if (!sending) return;
    const upload = sending;
    controls("paused");
    await upload.abort();
    if (sending === upload) {
      $("progress-text").textContent = `Paused at ${$("progress").value}%. Resume goes on from where the server stopped.`;
    }
  });

  $("resume-button").addEventListener("click", () => {
    if (!sending) return;
    clearError();
    $("progress-text").textContent = "Resuming…";
    send(sending);
  });
})();
