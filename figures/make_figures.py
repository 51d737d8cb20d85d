"""Regenerate the key figures shown by the README and the landing page: `make figures`.

The prior lines and the posterior band are drawn here from the package's own code (the same
functions the chapters run, with their default seed). The MCMC-vs-closed-form overlay and the
GLM fan come from a sampler run, so rather than fitting the models a second time they are taken
from the chapters as executed by the last `make book` (the named figure of each chapter), and
are therefore exactly the pictures the book shows.
"""

from __future__ import annotations

import base64
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from bayes_linreg import conjugate, data, draws, plotting  # noqa: E402

OUT = Path(__file__).resolve().parent
CHAPTERS = OUT.parent / "chapters"
FROM_CHAPTERS = {
    "mcmc-vs-closed-form.png": ("pymc", "fig-pymc-band"),
    "glm-fan.png": ("glm-two-ways", "fig-glm-fan"),
}
RANDOM_SEED = 8927


def prior_and_posterior(rng) -> dict[str, plt.Figure]:
    x, y = data.demo_data(rng)
    prior = conjugate.isotropic_prior(2, 1.0)
    posterior = conjugate.posterior(data.design_matrix(x), y, data.DEMO_NOISE_SD, prior)
    grid = np.linspace(-2, 2, 300)
    mean, sd = conjugate.predictive(posterior, data.design_matrix(grid), data.DEMO_NOISE_SD)

    prior_fig, ax = plt.subplots()
    plotting.plot_lines(ax, grid, draws.sample_weights(rng, prior, 200), alpha=0.15)
    ax.set(xlabel="x", ylabel="y", ylim=(-4, 4), title="200 lines from the prior N(0, I)")

    band_fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    plotting.plot_lines(left, grid, draws.sample_weights(rng, prior, 100), alpha=0.15)
    left.set(xlabel="x", ylabel="y", ylim=(-4, 5), title="Before data: 100 prior lines")
    plotting.plot_band(right, grid, mean, sd, label="predictive mean ± 2 sd")
    plotting.plot_lines(right, grid, draws.sample_weights(rng, posterior, 100), alpha=0.08, label="posterior lines")
    plotting.plot_observations(right, x, y)
    right.set(title="After 11 points: posterior lines and predictive band")
    right.legend(loc="upper left")
    return {"prior-lines.png": prior_fig, "posterior-band.png": band_fig}


def figure_from_chapter(chapter: str, name: str) -> bytes:
    """The PNG of the cell whose figure is named ``name`` in ``chapter`` as executed into the cache."""
    sys.path.insert(0, str(OUT.parent / "tools"))
    from jupyter_cache import get_cache
    from prime_cache import read_like_myst_nb

    cache = get_cache(str(OUT.parent / ".cache" / "jupyter"))
    try:
        record = cache.match_cache_notebook(read_like_myst_nb(CHAPTERS / f"{chapter}.md"))
    except KeyError:
        raise SystemExit(f"chapter {chapter} is not in the execution cache: run `make book` first") from None
    for cell in cache.get_cache_bundle(record.pk).nb.cells:
        if cell.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("name") == name:
            images = [out["data"]["image/png"] for out in cell.get("outputs", []) if "image/png" in out.get("data", {})]
            if len(images) != 1:
                raise SystemExit(f"{chapter}: figure {name} has {len(images)} PNG outputs, expected 1")
            return base64.b64decode(images[0])
    raise SystemExit(f"{chapter}: no cell with figure name {name}")


def main() -> None:
    plotting.use_book_style()
    rng = np.random.default_rng(RANDOM_SEED)
    figures = prior_and_posterior(rng)
    for name, figure in figures.items():
        figure.savefig(OUT / name)
        print(f"wrote figures/{name}", file=sys.stderr)
    for name, (chapter, figure_name) in FROM_CHAPTERS.items():
        (OUT / name).write_bytes(figure_from_chapter(chapter, figure_name))
        print(f"wrote figures/{name} (from chapter {chapter}, {figure_name})", file=sys.stderr)


if __name__ == "__main__":
    main()
