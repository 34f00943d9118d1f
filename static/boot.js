// Boot failures that happen before Python can report them itself: the runtime script does not load (network,
// or its Subresource Integrity hash does not match), or PyScript shows an error banner (a package download
// failed, Python raised at start-up). A classic script, loaded before the runtime: it runs while the page parses.
// It lives here, not inline in index.html, because the page's Content-Security-Policy runs no inline script.

const RUNTIME_SCRIPT = "/@pyscript/core@"; // part of the runtime <script>'s URL, on the CDN or in the offline mirror

window.bootFailed = function (message) {
  if (document.body.dataset.status === "ready") return;
  document.body.dataset.status = "error";
  document.getElementById("status").textContent = message;
};

// A <script>/<link> that fails to load fires `error` on itself; it does not bubble, but a capturing listener on
// window sees it (an inline onerror="" attribute would be blocked by the CSP).
window.addEventListener("error", function (event) {
  const target = event.target;
  if (target instanceof HTMLScriptElement && target.src.includes(RUNTIME_SCRIPT)) {
    window.bootFailed("The Python runtime could not be downloaded. Check your connection and reload.");
  }
}, true);

new MutationObserver(function (records) {
  for (const record of records) for (const node of record.addedNodes) {
    if (node.classList && node.classList.contains("py-error") && document.body.dataset.status === "loading") {
      window.bootFailed("Python could not start: " + node.textContent.trim().split("\n").pop());
    }
  }
}).observe(document.documentElement, { childList: true, subtree: true });
