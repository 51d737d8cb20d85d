"""Regenerate the key figures shown by the README and the landing page: `make figures`.

Every figure is drawn from the package's own code (the same functions the chapters run), with
the chapters' default seed, so the pictures match the book.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from bayes_linreg import conjugate, data, draws, plotting  # noqa: E402

OUT = Path(__file__).resolve().parent
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


def main() -> None:
    plotting.use_book_style()
    rng = np.random.default_rng(RANDOM_SEED)
    figures = prior_and_posterior(rng)
    for name, figure in figures.items():
        figure.savefig(OUT / name)
        print(f"wrote figures/{name}", file=sys.stderr)


if __name__ == "__main__":
    main()
