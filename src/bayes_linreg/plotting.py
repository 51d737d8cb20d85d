"""The book's few plotting helpers: lines, bands and observations."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np

from .draws import line_values

BOOK_STYLE = {
    "figure.figsize": (7.0, 4.2),
    "figure.dpi": 110,
    "savefig.dpi": 110,
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


def use_book_style() -> None:
    """Figure defaults that stay legible at the book's page width."""
    mpl.rcParams.update(BOOK_STYLE)


def plot_lines(ax, x, weights, *, color="C0", alpha=0.15, linewidth=1.0, label=None):
    """One line per row of ``weights`` over ``x``; ``label`` is attached to the first only."""
    values = line_values(weights, x)
    lines = ax.plot(x, values.T, color=color, alpha=alpha, linewidth=linewidth)
    if label is not None:
        lines[0].set_label(label)
    return lines


def plot_band(ax, x, mean, sd, *, width=2.0, color="C1", alpha=0.3, label=None):
    """The mean as a line and ``mean ± width * sd`` as a shaded band."""
    ax.fill_between(x, mean - width * sd, mean + width * sd, color=color, alpha=alpha, linewidth=0, label=label)
    return ax.plot(x, mean, color=color, linewidth=2)


def plot_observations(ax, x, y, *, truth=None, x_grid=None, label="observations"):
    """Observed points and, when ``truth`` holds the true weights, the true curve dashed."""
    ax.scatter(x, y, color="black", s=22, zorder=3, label=label)
    if truth is not None:
        grid = np.linspace(np.min(x), np.max(x), 200) if x_grid is None else x_grid
        ax.plot(grid, line_values(np.atleast_2d(truth), grid)[0], "k--", linewidth=1.5, label="true line")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
