// Offline support: registers the service worker (../sw.js) and offers a new version when one is ready.
//
// Feature-detected: where service workers are missing (plain http on another host, some embedded browsers) the
// page works as before, online only. The worker is registered once the app is ready, so its precache reuses the
// files the page just downloaded instead of competing with the first boot for the network.
// Sets body[data-offline] to "ready" when this version is cached and serves the page, "unsupported" or "failed".
// A new version never replaces the running one by itself: the page shows "A new version is ready — reload".

const worker = new URL("../sw.js", import.meta.url);
let reloading = false;

function whenReady(callback) {
  const body = document.body;
  if (body.dataset.status === "ready") return callback();
  const observer = new MutationObserver(() => {
    if (body.dataset.status === "ready") {
      observer.disconnect();
      callback();
    }
  });
  observer.observe(body, { attributes: true, attributeFilter: ["data-status"] });
}

function offerReload(waiting) {
  if (document.getElementById("update")) return;
  const banner = document.createElement("div");
  banner.id = "update";
  banner.className = "update";
  banner.setAttribute("role", "status");
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "Reload";
  button.addEventListener("click", () => {
    reloading = true;
    button.disabled = true;
    waiting.postMessage("skip-waiting");
  });
  banner.append("A new version is ready — ", button);
  document.body.append(banner);
}

function watchUpdates(registration) {
  // A worker "installed" while another controls the page is a new version, fully cached, waiting.
  if (registration.waiting && navigator.serviceWorker.controller) offerReload(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const installing = registration.installing;
    installing.addEventListener("statechange", () => {
      if (installing.state === "installed" && navigator.serviceWorker.controller) offerReload(installing);
    });
  });
}

async function register() {
  try {
    const registration = await navigator.serviceWorker.register(worker, { updateViaCache: "none" });
    watchUpdates(registration);
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
    }
    document.body.dataset.offline = "ready";
  } catch (error) {
    document.body.dataset.offline = "failed";
    console.warn("Offline support is unavailable:", error);
  }
}

if ("serviceWorker" in navigator && window.isSecureContext) {
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloading) location.reload(); // the person asked for the new version: load all of it
  });
  whenReady(register);
} else {
  document.body.dataset.offline = "unsupported";
}
