"""The book's reference-and-check library.

Chapters teach with their own numpy, PyMC and Bambi code; only their hidden check cells import
this package. It holds independent, validated reference implementations and the checks:

- :mod:`.conjugate`: the closed-form Gaussian posterior, predictive and exact draws (Cholesky);
- :mod:`.calibration`: the exact coverage an SBC simulation should find, and binomial bands;
- :mod:`.mcmc`: reading MCMC draws by chain, lines and bands with Monte-Carlo standard errors;
- :mod:`.checks`: the assertions, with tolerances derived from posterior sds and MCSEs.
"""

from importlib.metadata import PackageNotFoundError, version

try:  # one source: pyproject.toml's version, as installed (``make venv`` installs it)
    __version__ = version("bayes-linreg")
except PackageNotFoundError:  # a source tree on sys.path that was never installed
    __version__ = "0+unknown"
