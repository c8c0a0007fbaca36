"""The browser files behind GraphiQL and the REST playground, served by Rolodex itself.

Those pages load nothing from another origin, so they work offline. Every
third-party file is pinned by version and by its SHA-384 digest, which the
pages also send as the ``integrity`` of each tag:

- Swagger UI comes from PyPI with the ``swagger-ui-bundle-v2`` dependency (its
  files are byte for byte npm's ``swagger-ui-dist`` of the same version), so
  installing Rolodex installs it.
- GraphiQL, React and ReactDOM come from the npm registry:
  ``python -m rolodex.api.assets install`` (``make`` runs it) fetches the
  pinned packages with ``npm pack``, checks each tarball and file against the
  digests below and copies the files into ``static/vendor/`` beside this
  module, or into ``$ROLODEX_ASSETS_DIR`` when that is set.

They are served at ``/assets/...`` with a year-long immutable cache: another
version is another URL. A file that is missing or does not match its digest
is not served, and the page that needs it says so (see ``pages.py``).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from rolodex.api.rest.http import error_response
from rolodex.kit.errors import RolodexError

_HERE = Path(__file__).resolve().parent
STATIC = _HERE / "static"
SWAGGER_VERSION = "5.31.0"
INSTALL_COMMAND = "python -m rolodex.api.assets install"


@dataclass(frozen=True)
class Asset:
    """One file a page loads, served at ``/assets/{path}``."""

    path: str
    origin: str  # "npm", "pypi" or "rolodex" (this package's own files)
    package: str  # what provides it: "graphiql@3.8.3", "swagger-ui-bundle-v2==5.31.0"
    member: str  # the file's path inside that package
    sha384: str | None = None  # None for Rolodex's own files, which change with the code

    @property
    def integrity(self) -> str | None:
        return f"sha384-{self.sha384}" if self.sha384 else None


# npm's sha512 of each pinned tarball, as the registry publishes it.
NPM_TARBALLS = {
    "graphiql@3.8.3": (
        "sha512-cuPDYtXVKV86Pu5PHBX642Odi/uVEE2y1Jxq5rGO/Qy1G2lRp7ZZ7"
        "a/T30RzxhuLSWo9zUbzq0P3U49//H0Ugw=="
    ),
    "react@18.3.1": (
        "sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rv"
        "e+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ=="
    ),
    "react-dom@18.3.1": (
        "sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BL"
        "kLBXIjjspbgbnIBNqlI23tRnTWT0snUIw=="
    ),
}

REACT = Asset(
    "react@18.3.1/react.production.min.js",
    "npm",
    "react@18.3.1",
    "package/umd/react.production.min.js",
    "DGyLxAyjq0f9SPpVevD6IgztCFlnMF6oW/XQGmfe+IsZ8TqEiDrcHkMLKI6fiB/Z",
)
REACT_DOM = Asset(
    "react-dom@18.3.1/react-dom.production.min.js",
    "npm",
    "react-dom@18.3.1",
    "package/umd/react-dom.production.min.js",
    "gTGxhz21lVGYNMcdJOyq01Edg0jhn/c22nsx0kyqP0TxaV5WVdsSH1fSDUf5YJj1",
)
GRAPHIQL_JS = Asset(
    "graphiql@3.8.3/graphiql.min.js",
    "npm",
    "graphiql@3.8.3",
    "package/graphiql.min.js",
    "HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
)
GRAPHIQL_CSS = Asset(
    "graphiql@3.8.3/graphiql.min.css",
    "npm",
    "graphiql@3.8.3",
    "package/graphiql.min.css",
    "Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
)
SWAGGER_JS = Asset(
    f"swagger-ui@{SWAGGER_VERSION}/swagger-ui-bundle.js",
    "pypi",
    f"swagger-ui-bundle-v2=={SWAGGER_VERSION}",
    "swagger-ui-bundle.js",
    "cxafBeQ+zYROeFafGFxtFbnp1ICqeS9mG7+f0WWSHzhnrUvwg9Za5CCw6wgrHA7K",
)
SWAGGER_CSS = Asset(
    f"swagger-ui@{SWAGGER_VERSION}/swagger-ui.css",
    "pypi",
    f"swagger-ui-bundle-v2=={SWAGGER_VERSION}",
    "swagger-ui.css",
    "KX9Rx9vM1AmUNAn07bPAiZhFD4C8jdNgG6f5MRNvR+EfAxs2PmMFtUUazui7ryZQ",
)
PAGES_CSS = Asset("rolodex/pages.css", "rolodex", "rolodex", "pages.css")
GRAPHIQL_START = Asset("rolodex/graphiql.js", "rolodex", "rolodex", "graphiql.js")
PLAYGROUND_START = Asset("rolodex/playground.js", "rolodex", "rolodex", "playground.js")

ASSETS = {
    a.path: a
    for a in (
        REACT,
        REACT_DOM,
        GRAPHIQL_JS,
        GRAPHIQL_CSS,
        SWAGGER_JS,
        SWAGGER_CSS,
        PAGES_CSS,
        GRAPHIQL_START,
        PLAYGROUND_START,
    )
}
NPM_ASSETS = [a for a in ASSETS.values() if a.origin == "npm"]


def vendor_dir() -> Path:
    """Where the npm files are installed; read on every use, so tests can point it elsewhere."""
    configured = os.environ.get("ROLODEX_ASSETS_DIR")
    return Path(configured) if configured else STATIC / "vendor"


def _swagger_dir() -> Path | None:
    # Found without importing the package (its __init__ does nothing we need).
    spec = importlib.util.find_spec("swagger_ui_bundle")
    if spec is None or not spec.submodule_search_locations:
        return None
    base = Path(next(iter(spec.submodule_search_locations)))
    return base / "vendor" / f"swagger-ui-{SWAGGER_VERSION}"


def location(asset: Asset) -> Path | None:
    """Where ``asset`` should be on disk (it may not be there)."""
    if asset.origin == "rolodex":
        return STATIC / asset.member
    if asset.origin == "npm":
        return vendor_dir() / asset.path
    base = _swagger_dir()
    return base / asset.member if base is not None else None


def _sha384(data: bytes) -> str:
    return base64.b64encode(hashlib.sha384(data).digest()).decode()


# Files already checked, by (path, size, mtime): a file replaced on disk is checked again.
_checked: dict[tuple[str, int, int], bool] = {}


def verified(asset: Asset) -> Path | None:
    """The file of ``asset`` if it is there and matches its pinned digest, else None."""
    path = location(asset)
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    if asset.sha384 is None:
        return path
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    ok = _checked.get(key)
    if ok is None:
        ok = _checked[key] = _sha384(path.read_bytes()) == asset.sha384
    return path if ok else None


def missing(assets: list[Asset]) -> list[Asset]:
    """Those of ``assets`` that cannot be served (absent or not the pinned file)."""
    return [a for a in assets if verified(a) is None]


def how_to_install(asset: Asset) -> str:
    """One line telling an operator how to bring ``asset`` back."""
    if asset.origin == "npm":
        path = location(asset)
        state = "is not the pinned file" if path and path.exists() else "is not installed"
        return (
            f"{asset.package} from npm {state} in {vendor_dir()}: run `make serve` "
            f"(it installs it) or `{INSTALL_COMMAND}` once."
        )
    if asset.origin == "pypi":
        return f"Python package {asset.package} is not installed: run `pip install -e .` again."
    return f"{asset.member} is missing from the Rolodex package in {STATIC}."


_IMMUTABLE = "public, max-age=31536000, immutable"
_MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


async def serve(request: Request) -> Response:
    """``GET /assets/{path}``: one of the files above, and nothing else."""
    asset = ASSETS.get(request.path_params["path"])
    path = verified(asset) if asset is not None else None
    if asset is None or path is None:
        detail = f" {how_to_install(asset)}" if asset is not None else ""
        err = RolodexError(f"No asset {request.url.path}.{detail}")
        err.status, err.code = 404, "NOT_FOUND"
        return error_response(err)
    # Rolodex's own files change with the code under the same URL: revalidate them.
    cache = _IMMUTABLE if asset.sha384 else "no-cache"
    return FileResponse(
        path,
        media_type=_MEDIA_TYPES[path.suffix],
        headers={"Cache-Control": cache, "X-Content-Type-Options": "nosniff"},
    )


def routes() -> list[Route]:
    return [Route("/assets/{path:path}", serve, methods=["GET"])]


def _integrity_sha512(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(data)
    partial.replace(target)


def install(target: Path) -> list[Asset]:
    """Fetch the pinned npm packages and put their files in ``target``; returns those written.

    Files already there with the right digest are kept, so running it again
    with nothing to do needs neither npm nor the network.
    """
    todo = [a for a in NPM_ASSETS if not _matches(target / a.path, a)]
    if not todo:
        return []
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(
            "npm is needed once to fetch GraphiQL and React (apt-get install npm, "
            f"or install Node.js), then run `{INSTALL_COMMAND}` again."
        )
    packages = sorted({a.package for a in todo})
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [npm, "pack", "--json", "--ignore-scripts", "--pack-destination", tmp, *packages],
            check=True,
            capture_output=True,
            text=True,
        )
        tarballs = {
            f"{p['name']}@{p['version']}": Path(tmp) / p["filename"]
            for p in json.loads(done.stdout)
        }
        for package in packages:
            data = tarballs[package].read_bytes()
            if _integrity_sha512(data) != NPM_TARBALLS[package]:
                raise SystemExit(f"The npm tarball of {package} does not match its pinned digest.")
            with tarfile.open(tarballs[package]) as tar:
                for asset in (a for a in todo if a.package == package):
                    member = tar.extractfile(asset.member)
                    content = member.read() if member is not None else b""
                    if _sha384(content) != asset.sha384:
                        raise SystemExit(f"{asset.member} of {package} does not match its digest.")
                    _write(target / asset.path, content)
    return todo


def _matches(path: Path, asset: Asset) -> bool:
    try:
        return _sha384(path.read_bytes()) == asset.sha384
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rolodex.api.assets",
        description="Install or check the browser files of GraphiQL and the REST playground.",
    )
    parser.add_argument("action", choices=["install", "check"])
    parser.add_argument(
        "--dir",
        type=Path,
        help="the folder of the npm files (default: $ROLODEX_ASSETS_DIR or "
        "static/vendor beside this module)",
    )
    args = parser.parse_args(argv)
    if args.dir is not None:
        os.environ["ROLODEX_ASSETS_DIR"] = str(args.dir)
    if args.action == "install":
        target = vendor_dir()
        written = install(target)
        print(
            f"Installed {len(written)} file(s) in {target}." if written else f"Up to date: {target}"
        )
        return 0
    absent = missing(list(ASSETS.values()))
    for line in dict.fromkeys(how_to_install(a) for a in absent):
        print(line, file=sys.stderr)
    return 1 if absent else 0


if __name__ == "__main__":
    raise SystemExit(main())
