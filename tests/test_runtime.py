"""The runtime mirror: complete and matching Pyodide's official lock; a tampered file is named, not used."""
import json
import shutil

from tools import build_runtime


def test_the_mirror_matches_the_official_lock(cache_root):
    assert build_runtime.verify(cache_root) == []
    lock = json.loads(build_runtime.url_to_path(build_runtime.PYODIDE_URL + "pyodide-lock.json").read_text())
    needed = build_runtime.wheels_needed(lock)
    assert {name.split("-")[0] for name in needed} >= {"numpy", "pillow", "micropip", "packaging"}


def test_a_tampered_wheel_is_reported_with_both_hashes(cache_root, tmp_path, capsys):
    shutil.copytree(cache_root / "cdn", tmp_path / "cdn")
    full = build_runtime.url_to_path(build_runtime.PYODIDE_URL, tmp_path)
    wheel = next(full.glob("numpy-*.whl"))
    data = bytearray(wheel.read_bytes())
    data[1000] ^= 0xFF
    wheel.write_bytes(bytes(data))
    problems = build_runtime.verify(tmp_path)
    assert len(problems) == 1 and wheel.name in problems[0] and "the official lock says" in problems[0]
    assert build_runtime.main(["--check", "--cache", str(tmp_path)]) == 1
    assert "official lock" in capsys.readouterr().err


def test_cdn_urls_map_into_the_mirror(tmp_path):
    url = "https://cdn.jsdelivr.net/npm/@pyscript/core@0.6.66/dist/core.js?v=1"
    assert build_runtime.url_to_path(url, tmp_path) == \
        tmp_path / "cdn/cdn.jsdelivr.net/npm/@pyscript/core@0.6.66/dist/core.js"
