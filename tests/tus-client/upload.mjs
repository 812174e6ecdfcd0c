// Drives the real tus-js-client against a running API for the resumable-upload tests.
// Input: one JSON object in the TUS_UPLOAD environment variable:
//   { endpoint, token, file, metadata, chunkSize?, uploadUrl?, abortAtFraction?, checksum?, bytesPerSecond? }
// bytesPerSecond paces the PATCHes: each waits until the bytes before it would have been sent at that rate, as a
// client on a slower link than loopback sends (the bench uses it to ask whether storage keeps pace with an upload).
// Output: one JSON object per line on stdout: every request ("request": method + Upload-Offset), every
// acknowledged offset ("acknowledged"), then "created", and finally "success", "aborted" or "error".
import { readFileSync } from 'node:fs';
import * as tus from 'tus-js-client';

const input = JSON.parse(process.env.TUS_UPLOAD);
const file = readFileSync(input.file);
const say = (event) => process.stdout.write(JSON.stringify(event) + '\n');
let aborting = false;
let firstRequestAt = null;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const upload = new tus.Upload(file, {
  endpoint: input.endpoint,
  uploadUrl: input.uploadUrl ?? null,
  headers: { Authorization: `Bearer ${input.token}` },
  metadata: input.metadata ?? {},
  chunkSize: input.chunkSize ?? Infinity,
  retryDelays: null,
  storeFingerprintForResuming: false,
  async onBeforeRequest(req) {
    firstRequestAt ??= Date.now();
    const offset = req.getHeader('Upload-Offset');
    if (input.bytesPerSecond && req.getMethod() === 'PATCH' && offset) {
      await sleep(Math.max(0, firstRequestAt + (Number(offset) / input.bytesPerSecond) * 1000 - Date.now()));
    }
    say({ event: 'request', method: req.getMethod(), offset: offset ?? null });
  },
  onAfterResponse(req, res) {
    if (req.getMethod() === 'PATCH' && res.getStatus() === 204) {
      say({ event: 'acknowledged', offset: Number(res.getHeader('Upload-Offset')) });
    }
  },
  onUploadUrlAvailable() {
    say({ event: 'created', url: upload.url });
  },
  onProgress(sent, total) {
    if (input.abortAtFraction && sent >= total * input.abortAtFraction && !aborting) {
      aborting = true;
      upload.abort().then(() => {
        say({ event: 'aborted', url: upload.url, sent });
        process.exit(0);
      });
    }
  },
  onSuccess() {
    say({ event: 'success', url: upload.url });
  },
  onError(error) {
    say({ event: 'error', url: upload.url, message: String(error) });
    process.exitCode = 2;
  },
});

upload.start();
