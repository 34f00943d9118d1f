// Test-only: records what went wrong in the page, for engines the tests cannot hook from outside (WebKit's
// WebDriver has no event stream). tests/engines.py has the offline server put this file first in <head>, so it
// runs before any of the page's own scripts; the tests read window.__pageProblems (see engines.PROBLEMS_JS).
(function () {
  "use strict";
  const problems = (window.__pageProblems = []);
  const PY_TRACEBACK = /Traceback \(most recent call last\)|PythonError/;
  const text = (value) => {
    if (value instanceof Error) return value.name + ": " + value.message;
    try { return typeof value === "string" ? value : JSON.stringify(value); } catch (e) { return String(value); }
  };

  // Capture phase: a <script>, <link> or <img> that fails to load fires `error` on itself, not on window.
  addEventListener("error", (event) => {
    const target = event.target;
    if (target && target !== window && (target.src || target.href)) {
      problems.push("resource failed to load: " + (target.src || target.href));
    } else {
      problems.push("uncaught JS error: " + event.message + " (" + event.filename + ":" + event.lineno + ")");
    }
  }, true);
  // The page's CSP blocks requests to other hosts before any proxy sees them: each one is a problem too.
  document.addEventListener("securitypolicyviolation", (event) => {
    problems.push("blocked by the CSP (" + event.effectiveDirective + "): " + event.blockedURI);
  });
  addEventListener("unhandledrejection", (event) => {
    problems.push("unhandled promise rejection: " + text(event.reason));
  });

  // Python tracebacks reach the console (PyScript's stderr); any console.error is a problem too.
  for (const level of ["log", "info", "warn", "error"]) {
    const original = console[level].bind(console);
    console[level] = (...args) => {
      const message = args.map(text).join(" ");
      if (PY_TRACEBACK.test(message)) problems.push("Python error: " + message);
      else if (level === "error") problems.push("console error: " + message);
      return original(...args);
    };
  }
})();
