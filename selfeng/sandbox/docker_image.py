"""The Docker backend's image, built offline from Debian packages and pinned by a hash of its recipe.

No registry is reachable from this project's machines, so `FROM python:…-slim` cannot pull. Instead
mmdebstrap assembles a minimal Debian root filesystem from apt's own mirror and `docker import` turns
it into an image tagged `selfeng-sandbox:<recipe hash>`: a recipe change gives a new tag (a rebuild),
an unchanged recipe is never rebuilt. The root filesystem tarball is cached beside the engine.
Where a registry is reachable, `Dockerfile` in this folder builds an equivalent image instead.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

IMAGE_NAME = "selfeng-sandbox"
DOCKERFILE = Path(__file__).resolve().parent / "Dockerfile"

# Everything that decides the image's content. Any change here changes the tag.
RECIPE = {
    "format": 1,
    "suite": "bookworm",
    "mirror": "http://deb.debian.org/debian",
    # The harness needs python3 + pytest; numpy because tools use it and the bwrap backend offers it.
    "packages": ["python3", "python3-pytest", "python3-numpy"],
    "options": ["--variant=apt",
                "--dpkgopt=path-exclude=/usr/share/doc/*",
                "--dpkgopt=path-exclude=/usr/share/man/*",
                "--dpkgopt=path-exclude=/usr/share/info/*",
                "--dpkgopt=path-exclude=/usr/share/locale/*",
                "--aptopt=Acquire::Languages \"none\"",
                # apt's lists and caches are of no use in a sandbox that never installs anything.
                "--customize-hook=rm -rf \"$1\"/var/lib/apt/lists/* \"$1\"/var/cache/apt/*",
                # Bytecode compiled now, as root: the read-only container never writes it.
                "--customize-hook=chroot \"$1\" python3 -m compileall -q /usr/lib/python3/dist-packages "
                "/usr/lib/python3.11 >/dev/null || true"],
}


def recipe_hash() -> str:
    return hashlib.sha256(json.dumps(RECIPE, sort_keys=True).encode()).hexdigest()[:12]


def image_tag() -> str:
    return f"{IMAGE_NAME}:{recipe_hash()}"


def _say(msg: str) -> None:
    print(f"[selfeng sandbox image] {msg}", file=sys.stderr, flush=True)


def build_rootfs(cache_dir: Path, progress: Callable[[str], None] = _say) -> Path:
    """The recipe's root filesystem as a tarball under `cache_dir` (built once per recipe hash)."""
    tarball = Path(cache_dir) / f"rootfs-{recipe_hash()}.tar"
    if tarball.is_file():
        progress(f"root filesystem cached: {tarball}")
        return tarball
    tarball.parent.mkdir(parents=True, exist_ok=True)
    partial = tarball.with_suffix(f".partial-{os.getpid()}.tar")
    cmd = ["mmdebstrap", *RECIPE["options"], f"--include={','.join(RECIPE['packages'])}",
           RECIPE["suite"], str(partial), RECIPE["mirror"]]
    progress(f"building the root filesystem with mmdebstrap ({', '.join(RECIPE['packages'])}); "
             "about 75 s on 2 cores")
    start = time.monotonic()
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    except FileNotFoundError:
        raise RuntimeError("mmdebstrap is not installed (Debian/Ubuntu: apt-get install mmdebstrap)") from None
    tail: list[str] = []
    for line in proc.stdout:
        line = line.rstrip()
        tail = (tail + [line])[-20:]
        if line.startswith("I: "):  # mmdebstrap's stage messages
            progress(f"{time.monotonic() - start:5.1f}s {line[3:]}")
    if proc.wait() != 0:
        partial.unlink(missing_ok=True)
        raise RuntimeError("mmdebstrap failed:\n" + "\n".join(tail))
    partial.rename(tarball)
    progress(f"root filesystem: {tarball.stat().st_size / 1e6:.0f} MB in {time.monotonic() - start:.0f}s")
    return tarball


def import_image(docker: list[str], tarball: Path, tag: str, progress: Callable[[str], None] = _say) -> None:
    """`docker import` the tarball as `tag`, with no command of its own (the backend always names one)."""
    progress(f"docker import {tarball.name} as {tag}")
    start = time.monotonic()
    subprocess.run([*docker, "import", "--change", "ENV LANG=C.UTF-8", str(tarball), tag], check=True,
                   stdout=subprocess.DEVNULL)
    progress(f"imported in {time.monotonic() - start:.1f}s")


def build_from_dockerfile(docker: list[str], tag: str, dockerfile: Path = DOCKERFILE,
                          progress: Callable[[str], None] = _say) -> None:
    """The registry route: `docker build` from a Dockerfile (needs its base image to be pullable)."""
    progress(f"docker build -f {dockerfile} -t {tag}")
    subprocess.run([*docker, "build", "-f", str(dockerfile), "-t", tag, str(dockerfile.parent)], check=True)


if __name__ == "__main__":  # python -m selfeng.sandbox.docker_image CACHE_DIR: build the tarball only
    build_rootfs(Path(sys.argv[1]))
