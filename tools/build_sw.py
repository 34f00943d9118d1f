"""Regenerate the precache list in sw.js: `python tools/build_sw.py [--check]`.

The service worker (sw.js) precaches every file the page needs. That list is derived, never hand-kept:
- the app: the page ("./" = index.html), every local file index.html names (src/href/config), every
  pyscript.toml [files] URL (py/ modules, weights), everything in static/; each with its sha256, which the
  worker checks, so one cache never mixes versions;
- the runtime: the pinned CDN URLs index.html, pyscript.toml and the local scripts name, completed from the runtime mirror
  (tools/build_runtime.py): the PyScript chunks core.js imports, Pyodide's core files, and the wheels of
  pyscript.toml's `packages` with their dependencies from Pyodide's lock.
VERSION is a hash of all of that and of sw.js's own code, so any change gives a new cache and a new worker.
GitHub Pages has no build step, so the result is committed; tests/test_offline.py fails when it is stale.
`--check` only reports whether sw.js is up to date (exit 1 if not).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tools import build_runtime  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SW = "sw.js"
BLOCK = re.compile(r"(// <precache>\n)(.*?)(// </precache>\n)", re.S)
CDN = "https://cdn.jsdelivr.net/"
LOCAL_REF = re.compile(r'\s(?:src|href|config)="([^"#:]+)"')  # no scheme, no fragment: a site file
CHUNK_REF = re.compile(r'"\./([\w.-]+\.(?:js|css))"')
# Chunks only <py-editor> and <py-terminal> load (the page has neither): CodeMirror and xterm.js, ~0.8 MB.
OPTIONAL_CHUNKS = re.compile(r"^(codemirror|xterm)")
# What loadPyodide fetches from its indexURL besides wheels (pyodide.js is the non-module twin: unused).
PYODIDE_FILES = ["pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def local_files(root: Path) -> list[str]:
    """Site-relative paths of the app's own files, sorted; the page itself is "./"."""
    html = (root / "index.html").read_text(encoding="utf-8")
    config = tomllib.loads((root / "pyscript.toml").read_text(encoding="utf-8"))
    paths = set(LOCAL_REF.findall(html)) | set(config.get("files", {}))
    paths |= {p.relative_to(root).as_posix() for p in (root / "static").rglob("*")
              if p.is_file() and not p.name.startswith(".")}
    cleaned = {re.sub(r"^\./", "", p) for p in paths}
    missing = sorted(p for p in cleaned if not (root / p).is_file())
    if missing:
        raise SystemExit("error: index.html or pyscript.toml names files that do not exist: " + ", ".join(missing))
    return sorted(cleaned)


def pyscript_chunks(dist_url: str, mirror: Path) -> list[str]:
    """URLs of core.js and every chunk it can import (transitively), minus the editor/terminal-only ones."""
    todo, seen = ["core.js"], set()
    while todo:
        name = todo.pop()
        if name in seen or OPTIONAL_CHUNKS.match(name):
            continue
        seen.add(name)
        file = build_runtime.url_to_path(dist_url + name, mirror)
        if name.endswith(".js"):
            todo.extend(CHUNK_REF.findall(file.read_text(encoding="utf-8")))
    return [dist_url + name for name in sorted(seen)]


def runtime_urls(root: Path, mirror: Path) -> list[str]:
    """The pinned CDN URLs the page loads (named in index.html, pyscript.toml or a local script such as
    static/pyodide.mjs), completed from the runtime mirror."""
    config = tomllib.loads((root / "pyscript.toml").read_text(encoding="utf-8"))
    texts = [root / "index.html", root / "pyscript.toml"]
    texts += [root / p for p in local_files(root) if p.endswith((".js", ".mjs"))]
    named = {url for file in texts for url in re.findall(r'"(%s[^"]+)"' % re.escape(CDN), file.read_text("utf-8"))}
    urls = set(named)
    for url in named:
        if url.endswith("/core.js"):
            urls |= set(pyscript_chunks(url[: -len("core.js")], mirror))
    pyodides = {url[: -len("pyodide.mjs")] for url in named if url.endswith("/pyodide.mjs")}
    if len(pyodides) != 1:
        raise SystemExit("error: expected one pinned Pyodide (…/pyodide.mjs), found %s" % sorted(pyodides))
    pyodide = pyodides.pop()
    urls |= {pyodide + name for name in PYODIDE_FILES}
    lock = json.loads(build_runtime.url_to_path(pyodide + "pyodide-lock.json", mirror).read_text())
    wanted = list(config.get("packages", []))
    if config.get("packages_cache") != "passthrough":
        wanted.append("micropip")  # PyScript installs `packages` through it then
    urls |= {pyodide + name for name in wheel_closure(lock, wanted)}
    return sorted(urls)


def wheel_closure(lock: dict, names: list[str]) -> list[str]:
    """Wheel file names of `names` and their dependencies, from Pyodide's lock."""
    packages, todo, seen = lock["packages"], [n.lower() for n in names], set()
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(packages[name].get("depends", []))
    return sorted(packages[name]["file_name"] for name in seen)


def entries(root: Path, mirror: Path) -> list[tuple[str, str | None]]:
    """(path or URL, sha256 or None) for every precached file; "./" is the page."""
    local = [("./", sha256(root / "index.html"))]
    local += [(path, sha256(root / path)) for path in local_files(root) if path != "index.html"]
    return local + [(url, None) for url in runtime_urls(root, mirror)]


def render(sw_text: str, root: Path, mirror: Path) -> str:
    """sw.js with its generated block rewritten for the files as they are now."""
    if not BLOCK.search(sw_text):
        raise SystemExit("error: %s has no // <precache> ... // </precache> block" % SW)
    items = entries(root, mirror)
    code = BLOCK.sub(r"\1\3", sw_text)  # the worker's own code also decides the version
    version = hashlib.sha256((code + json.dumps(items)).encode("utf-8")).hexdigest()[:16]
    lines = ['const VERSION = "%s";' % version, "const PRECACHE = ["]
    lines += ["  [%s, %s]," % (json.dumps(path), json.dumps(sha)) for path, sha in items]
    lines.append("];")
    return BLOCK.sub(lambda m: m.group(1) + "\n".join(lines) + "\n" + m.group(3), sw_text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if sw.js is stale, write nothing")
    parser.add_argument("--root", type=Path, default=ROOT, help="the site folder (default: this repository)")
    args = parser.parse_args(argv)
    mirror = build_runtime.ensure()
    path = args.root / SW
    current = path.read_text(encoding="utf-8")
    fresh = render(current, args.root, mirror)
    if args.check:
        if fresh != current:
            print("%s is stale: run `python tools/build_sw.py` and commit it" % path, file=sys.stderr)
            return 1
        print("%s is up to date" % path)
        return 0
    path.write_text(fresh, encoding="utf-8")
    print("wrote %s (%d files)" % (path, fresh.count("\n  [")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
