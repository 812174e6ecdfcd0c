// Drives the real tus-js-client against a running API for the resumable-upload tests.
// Input: one JSON object in the TUS_UPLOAD environment variable:
//   { endpoint, token, file, metadata, chunkSize?, uploadUrl?, abortAtFraction?, checksum? }
// Output: one JSON object per line on stdout: every request ("request": method + Upload-Offset), every
// acknowledged offset ("acknowledged"), then "created", and finally "success", "aborted" or "error".
import { readFileSync } from 'node:fs';
import * as tus from 'tus-js-client';

const input = JSON.parse(process.env.TUS_UPLOAD);
const file = readFileSync(input.file);
const say = (event) => process.stdout.write(JSON.stringify(event) + '\n');
let aborting = false;

const upload = new tus.Upload(file, {
  endpoint: input.endpoint,
  uploadUrl: input.uploadUrl ?? null,
  headers: { Authorization: `Bearer ${input.token}` },
  metadata: input.metadata ?? {},
  chunkSize: input.chunkSize ?? Infinity,
  retryDelays: null,
  storeFingerprintForResuming: false,
  onBeforeRequest(req) {
    say({ event: 'request', method: req.getMethod(), offset: req.getHeader('Upload-Offset') ?? null });
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
