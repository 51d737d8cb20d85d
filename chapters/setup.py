# The book's setup, the same in every chapter. Run it first.
# 1. It makes this Jupyter ready: any package the book was tested
#    with that is missing or too old (or a major version apart) is
#    installed at the tested version. The first chapter you run in
#    a fresh environment installs the whole stack once.
# 2. It sets the figure style and keeps sampler chatter off the page.
import importlib
import importlib.metadata as metadata
import logging
import os
import subprocess
import sys
import warnings

from IPython import get_ipython

TESTED_WITH = {
    "numpy": "2.5.5",
    "scipy": "1.18.1",
    "pandas": "3.1.1",
    "matplotlib": "3.11.2",
    "xarray": "2026.9.0",
    "scikit-learn": "1.9.1",
    "statsmodels": "0.15.0",
    "pymc": "6.4.0",
    "pytensor": "3.3.8",
    "jax": "0.12.0.1",
    "jaxlib": "0.12.0.1",
    "numpyro": "0.22.0",
    "bambi": "0.21.0",
    "arviz": "1.3.0",
    "arviz-base": "1.3.1",
    "arviz-stats": "1.3.3",
    "arviz-plots": "1.3.2",
    "palmerpenguins": "0.1.6",
    "watermark": "2.6.0",
}


def release(version):
    """(major, minor) of a version such as '2.5.5' or '1.0rc1'."""
    parts = []
    for part in version.split(".")[:2]:
        digits = "".join(c for c in part if c.isdigit()) or "0"
        parts.append(int(digits))
    return tuple(parts + [0] * (2 - len(parts)))


def compatible(installed, tested):
    """The same major version, at least the tested minor. Below 1.0
    a minor release may break things, so it must match exactly."""
    have, want = release(installed), release(tested)
    if want[0] == 0:
        return have == want
    return have[0] == want[0] and have[1] >= want[1]


def normalise(name):
    return name.lower().replace("_", "-").replace(".", "-")


def installed_versions():
    return {
        normalise(dist.metadata["Name"]): dist.version
        for dist in metadata.distributions()
    }


class RestartKernel(Exception):
    def _render_traceback_(self):  # one line in Jupyter, no traceback
        return [str(self)]


before = installed_versions()
needed = [
    f"{name}=={version}"
    for name, version in TESTED_WITH.items()
    if not compatible(before.get(name, "0.0"), version)
]
if needed:
    pip = [sys.executable, "-m", "pip", "install", "--quiet", *needed]
    done = subprocess.run(pip, capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:])
        raise RuntimeError("pip could not install " + " ".join(needed))
    importlib.invalidate_caches()
    after = installed_versions()
    changed = {n for n, v in after.items() if before.get(n) != v}
    in_use = sorted(
        module
        for module, dists in metadata.packages_distributions().items()
        if module in sys.modules
        and any(normalise(d) in changed for d in dists)
    )
    print(f"Setup: installed {', '.join(needed)}.")
    if in_use:
        raise RestartKernel(
            f"Setup replaced {', '.join(in_use)}, which this kernel had"
            " already imported: restart the kernel and run the notebook"
            " again."
        )
else:
    print(f"Setup: the {len(TESTED_WITH)} tested packages are ready.")

# The figure style: vector figures, legible at the page width.
import matplotlib as mpl  # noqa: E402
from matplotlib_inline.backend_inline import (  # noqa: E402
    set_matplotlib_formats,
)

set_matplotlib_formats("svg")
mpl.rcParams.update(
    {
        "figure.figsize": (7.0, 4.2),
        "figure.dpi": 200,
        "savefig.dpi": 200,
        "savefig.bbox": "tight",
        "font.size": 11,
        "axes.titlesize": 12,
        "axes.labelsize": 11,
        "legend.fontsize": 10,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)

# NumPyro loads tqdm, which warns in Jupyter without ipywidgets; the
# book draws no progress bars.
warnings.filterwarnings("ignore", message="IProgress not found")
# The same numbers on every run: with fast-math, models PyTensor loads
# from its compile cache round differently from fresh ones.
flags = os.environ.get("PYTENSOR_FLAGS", "")
if "numba__fastmath" not in flags:
    os.environ["PYTENSOR_FLAGS"] = ",".join(
        filter(None, [flags, "numba__fastmath=False"])
    )


def after_each_cell(*_):
    """Runs after every cell, so it also applies to the libraries the
    chapter imports after this cell."""
    # Quiet samplers ("Sampling: ...", "NUTS[numpyro]: ..."); errors
    # still show. PyMC resets its logger's level when it is imported.
    for name in [
        "pymc",
        "pytensor",
        "bambi",
        "formulae",
        "arviz",
        "jax",
    ]:
        logging.getLogger(name).setLevel(logging.ERROR)
    # Bambi 0.21 keeps a family's extra parameters (Student-t's sigma
    # and nu) in a set, whose order, and so the draws, change from one
    # Python process to the next: list them in the likelihood's order.
    bambi = sys.modules.get("bambi")
    if bambi is not None and not getattr(bambi.Family, "_in_order", 0):
        bambi.Family.auxiliary_parameters = property(
            lambda family: [
                name
                for name in family.likelihood.params
                if name != family.likelihood.parent
            ]
        )
        bambi.Family._in_order = True


after_each_cell()
get_ipython().events.register("post_run_cell", after_each_cell)
