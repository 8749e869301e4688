"""Sphinx configuration for the efttheory documentation.

Build with ``sphinx-build -W -b html docs docs/_build/html`` (warnings are errors).
The build needs no network: there is no intersphinx, and MathJax is served from
the documentation's own ``_static`` directory.
"""

from __future__ import annotations

import configparser
import sys
from importlib import metadata
from pathlib import Path

# Import the package from this checkout, whether or not it is installed.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _release() -> str:
    """The package version, read without importing the package."""
    try:
        return metadata.version("efttheory")
    except metadata.PackageNotFoundError:
        config = configparser.ConfigParser()
        config.read(ROOT / "setup.cfg", encoding="utf-8")
        return config.get("metadata", "version", fallback="unknown")


# -- Project ---------------------------------------------------------------------------

project = "efttheory"
author = "the efttheory authors"
copyright = "the efttheory authors"  # noqa: A001 (Sphinx's name for it)
release = _release()
version = ".".join(release.split(".")[:2])

# -- General ---------------------------------------------------------------------------

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    # Ships a copy of MathJax and points ``mathjax_path`` at it: formulas render
    # without fetching anything from a CDN. (The module name contains hyphens.)
    "sphinx-mathjax-offline",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
templates_path: list[str] = []

# Unresolved cross-references are not warnings: numpydoc type descriptions such as
# "array_like, shape (n,)" are prose, not targets.
nitpicky = False

# Only categories that cannot be avoided are silenced; none is needed at present.
suppress_warnings: list[str] = []

# -- MyST ------------------------------------------------------------------------------

myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

# -- Math ------------------------------------------------------------------------------

# Served from the copy that sphinx-mathjax-offline puts in the build's _static/
# (the extension sets the same value; stating it here keeps a CDN out even if
# that default ever changed). A relative path is resolved against _static/.
mathjax_path = "mathjax/tex-chtml.js"

# -- autodoc / napoleon -----------------------------------------------------------------

autodoc_default_options = {
    "members": True,
    "member-order": "bysource",
}
# Types are written in the numpydoc "Parameters" sections; repeating the annotations
# in signatures or descriptions would duplicate them and create unresolvable references.
autodoc_typehints = "none"
autoclass_content = "class"

napoleon_google_docstring = False
napoleon_numpy_docstring = True
# "Attributes" sections become attribute entries. Dataclass fields have no
# docstring of their own, so autodoc (without :undoc-members:) does not declare
# them a second time.
napoleon_use_ivar = False
napoleon_use_rtype = False
# Numpydoc type specs ("ndarray, shape (n_t, *y0.shape)", "{'median', 'mean'}")
# are tokenised by napoleon instead of being parsed as reST, where "*" would
# open an emphasis. Unresolved type names render as plain literals (nitpicky off).
napoleon_preprocess_types = True

# -- HTML ------------------------------------------------------------------------------

html_theme = "furo"
html_title = f"efttheory {release}"
html_static_path = ["_static"]
html_show_sourcelink = False
