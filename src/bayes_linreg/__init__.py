"""The book's reference-and-check library.

Chapters teach with their own numpy, PyMC and Bambi code; only their hidden check cells import
this package. It holds independent, validated reference implementations and the checks:

- :mod:`.conjugate`: the closed-form Gaussian posterior, predictive and exact draws (Cholesky);
- :mod:`.calibration`: the exact coverage an SBC simulation should find, and binomial bands;
- :mod:`.mcmc`: reading MCMC draws by chain, lines and bands with Monte-Carlo standard errors;
- :mod:`.normal_inverse_gamma`: the conjugate posterior with unknown noise, Student-t marginals;
- :mod:`.evidence`: the log marginal likelihood and the re-estimation of alpha and beta;
- :mod:`.hamiltonian`: exact leapfrog propagation and energy error on a Gaussian;
- :mod:`.hierarchical`: the Gaussian posterior of group intercepts and slopes with the group sds fixed;
- :mod:`.shrinkage`: posterior modes under Gaussian and Laplace priors (ridge, lasso) and their penalties;
- :mod:`.checks`: the assertions, with tolerances derived from posterior sds and MCSEs, and the
  chapter's false-alarm budget (:class:`.checks.Budget`).
"""

from importlib.metadata import PackageNotFoundError, version

try:  # one source: pyproject.toml's version, as installed (``make venv`` installs it)
    __version__ = version("bayes-linreg")
except PackageNotFoundError:  # a source tree on sys.path that was never installed
    __version__ = "0+unknown"
