"""Serve plotly.js as ``vendor/plotly.min.js`` from an installed package, never a CDN.

The partial bundle (bar, scatter and pie: all the dashboard draws, about a quarter of the
full bundle) comes from the npm package ``plotly.js-basic-dist-min``, pinned in
``package.json`` to the plotly.js version the Python ``plotly`` package carries (its JSON
uses typed arrays that an older plotly.js cannot read) and put in place by ``npm ci``.
Where npm was not run, the full bundle of the Python package is served instead.
Only the one file is exposed, not the packages' other data.
"""

import re
from pathlib import Path

import plotly
from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Warning as CheckWarning
from django.core.files.storage import FileSystemStorage

FULL_BUNDLE = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PARTIAL_BUNDLE = Path("node_modules") / "plotly.js-basic-dist-min" / "plotly-basic.min.js"
STATIC_NAME = "vendor/plotly.min.js"
_VERSION = re.compile(rb"plotly\.js[^\n]*?v(\d+\.\d+\.\d+)")


def bundle_version(path: Path) -> str | None:
    """The plotly.js version a bundle's header names."""
    with path.open("rb") as file:
        found = _VERSION.search(file.read(400))
    return found.group(1).decode() if found else None


def plotly_bundle() -> Path:
    """The partial bundle when npm put it in place for the same plotly.js version, else
    the full one."""
    partial = Path(settings.BASE_DIR) / PARTIAL_BUNDLE
    if partial.is_file() and bundle_version(partial) == bundle_version(FULL_BUNDLE):
        return partial
    return FULL_BUNDLE


class PlotlyFinder(BaseFinder):
    def check(self, **kwargs) -> list:
        if plotly_bundle() == FULL_BUNDLE:
            return [
                CheckWarning(
                    "The full plotly.js bundle (4.8 MB) is served: run `npm ci` for the "
                    "partial bundle pinned in package.json.",
                    id="paperless.W010",
                )
            ]
        return []

    def find(self, path: str, find_all: bool = False, **kwargs):
        if path != STATIC_NAME:
            return [] if find_all else None
        bundle = str(plotly_bundle())
        return [bundle] if find_all else bundle

    def list(self, ignore_patterns):
        # collectstatic copies the file under the public name.
        bundle = plotly_bundle()
        storage = FileSystemStorage(location=str(bundle.parent))
        storage.prefix = "vendor"
        public = Path(STATIC_NAME).name
        yield public, _Renamed(storage, bundle.name, public)


class _Renamed:
    """A storage that lists one file under another name (plotly-basic.min.js → plotly.min.js)."""

    def __init__(self, storage: FileSystemStorage, real: str, public: str) -> None:
        self._storage, self._real, self._public = storage, real, public
        self.prefix = storage.prefix

    def _name(self, name: str) -> str:
        return self._real if name == self._public else name

    def path(self, name: str) -> str:
        return self._storage.path(self._name(name))

    def open(self, name: str, mode: str = "rb"):
        return self._storage.open(self._name(name), mode)

    def get_modified_time(self, name: str):
        return self._storage.get_modified_time(self._name(name))
