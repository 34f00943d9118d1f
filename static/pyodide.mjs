// Pyodide for PyScript, started from a memory snapshot after the first visit.
//
// pyscript.toml names this file as the `interpreter`; PyScript calls its loadPyodide({stdout, stderr, indexURL,
// packages}) as it would the CDN's. Starting Python (filling the wasm heap with Python's own init) is most of a
// boot. So once the first visit is ready and cached for offline use, a worker (pyodide-snapshot-worker.mjs) starts a second
// Pyodide and keeps a copy of its heap right after init (makeMemorySnapshot: an experimental API of Pyodide
// 0.27) in Cache Storage; later visits restore it instead of running the init again. numpy and Pillow are
// loaded after the restore (a snapshot taken with them loaded fails: their JS handles cannot be saved).
// Anything unexpected (no Cache Storage, a snapshot that does not restore) falls back to the ordinary start, so
// the page works as before. body[data-snapshot] says what happened: "restored", or after an ordinary start
// "stored" or "failed" (for tests and tools/bench_speed.py).

import { loadPyodide as load, version } from "https://cdn.jsdelivr.net/pyodide/v0.27.7/full/pyodide.mjs";

export { version };

// Pyodide's own folder (its lock and wheels), not this file's: PyScript derives indexURL from the module's URL.
const INDEX_URL = new URL(".", new URL("https://cdn.jsdelivr.net/pyodide/v0.27.7/full/pyodide.mjs", import.meta.url)).href;
const STORE = "pyodide-snapshot";
// One snapshot per Pyodide build: its heap layout belongs to that pyodide.asm.wasm.
const KEY = INDEX_URL + "memory-snapshot-v1";

async function storedSnapshot() {
  if (!self.caches) return null;
  try {
    const hit = await (await caches.open(STORE)).match(KEY);
    return hit ? new Uint8Array(await hit.arrayBuffer()) : null;
  } catch {
    return null; // storage blocked (private mode, quota): start as usual
  }
}

async function forget() {
  try {
    await (await caches.open(STORE)).delete(KEY);
  } catch {
    // nothing stored
  }
}

async function start(options) {
  const snapshot = await storedSnapshot();
  if (snapshot) {
    try {
      const pyodide = await load({ ...options, _loadSnapshot: snapshot });
      document.body.dataset.snapshot = "restored";
      return pyodide;
    } catch (error) {
      console.warn("Pyodide memory snapshot not usable, starting as usual:", error);
      await forget();
    }
  }
  if (self.caches && self.Worker) whenCachedForOffline(makeSnapshotInTheBackground);
  return await load(options);
}

// The heap of a Pyodide that made a snapshot is not usable for the page (its JS globals are stand-ins), so the
// snapshot is made by a second, throw-away Pyodide in a worker, once the app is ready and cached: it never
// delays the page.
function makeSnapshotInTheBackground() {
  try {
    const worker = new Worker(new URL("pyodide-snapshot-worker.mjs", import.meta.url), { type: "module" });
    const done = (outcome) => {
      document.body.dataset.snapshot = outcome; // "stored" or "failed"
      worker.terminate();
    };
    worker.onmessage = ({ data }) => done(data);
    worker.onerror = () => done("failed"); // e.g. no module workers in this browser
    worker.postMessage({ indexURL: INDEX_URL, store: STORE, key: KEY });
  } catch (error) {
    console.warn("Pyodide memory snapshot not taken:", error);
  }
}

function whenCachedForOffline(callback) {
  // The snapshot is for the visits the service worker serves (static/sw-register.js sets data-offline once the
  // app is cached): no background work where the page is not kept, and none before the page is ready.
  const body = document.body;
  const check = () => body.dataset.offline === "ready" && (observer.disconnect(), callback());
  const observer = new MutationObserver(check);
  observer.observe(body, { attributes: true, attributeFilter: ["data-offline"] });
  check();
}

export async function loadPyodide({ packages = [], ...options } = {}) {
  const pyodide = await start({ ...options, indexURL: INDEX_URL });
  if (packages.length) await pyodide.loadPackage(packages);
  return pyodide;
}
