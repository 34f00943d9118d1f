// Makes the Pyodide memory snapshot static/pyodide.mjs restores on later visits (see there), off the page's thread.
// Message in: {indexURL, store, key}; it loads that Pyodide with no packages, snapshots its heap right after
// Python's init, stores the bytes in Cache Storage `store` under `key`, and posts "stored" (or "failed").

import { loadPyodide } from "https://cdn.jsdelivr.net/pyodide/v0.27.7/full/pyodide.mjs";

self.onmessage = async ({ data: { indexURL, store, key } }) => {
  try {
    const pyodide = await loadPyodide({ indexURL, _makeSnapshot: true });
    const snapshot = pyodide.makeMemorySnapshot();
    const cache = await caches.open(store);
    for (const old of await cache.keys()) await cache.delete(old); // another Pyodide build's snapshot
    await cache.put(key, new Response(snapshot, { headers: { "Content-Type": "application/octet-stream" } }));
    self.postMessage("stored");
  } catch (error) {
    console.warn("Pyodide memory snapshot not taken:", error);
    self.postMessage("failed");
  }
};
