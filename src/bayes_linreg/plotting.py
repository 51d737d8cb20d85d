"""The book's few plotting helpers: lines, bands and observations."""

from __future__ import annotations

import re
from html import escape

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


def gaussian_ellipse(belief, prob: float = 0.9, dims=(0, 1), n_points: int = 200) -> np.ndarray:
    """Points ``(n_points, 2)`` on the ellipse holding probability ``prob`` of a Gaussian's 2-D marginal.

    The marginal of weights ``dims`` is ``N(mean[dims], cov[dims, dims])``; its region of mass ``prob`` is
    ``(w - m)^T C^-1 (w - m) <= r**2`` with ``r**2 = -2 log(1 - prob)`` (the chi-squared quantile, 2 dof),
    traced as ``m + r L (cos t, sin t)`` with ``C = L L^T``.
    """
    from ._validate import cholesky, positive_int

    if not 0 < prob < 1:
        raise ValueError(f"prob must lie strictly between 0 and 1, got {prob}")
    n_points = positive_int(n_points, "n_points")
    dims = list(dims)
    if len(dims) != 2 or len(set(dims)) != 2 or not all(0 <= d < belief.mean.size for d in dims):
        raise ValueError(f"dims must name two different weights out of {belief.mean.size}, got {dims}")
    factor = cholesky(belief.cov[np.ix_(dims, dims)], "cov")
    angle = np.linspace(0, 2 * np.pi, n_points)
    circle = np.sqrt(-2 * np.log1p(-prob)) * np.stack([np.cos(angle), np.sin(angle)])
    return belief.mean[dims] + (factor @ circle).T


def plot_gaussian_contours(ax, belief, *, probs=(0.5, 0.9, 0.99), dims=(0, 1), color="C0", label=None, **kwargs):
    """Ellipses holding probability ``probs`` of a Gaussian belief over weights ``dims``, and its mean.

    ``label`` is attached to the outermost ellipse only; ``kwargs`` go to ``ax.plot``.
    """
    lines = []
    for i, prob in enumerate(sorted(probs)):
        points = gaussian_ellipse(belief, prob, dims)
        outermost = i == len(probs) - 1
        lines += ax.plot(points[:, 0], points[:, 1], color=color, label=label if outermost else None, **kwargs)
    ax.plot(*belief.mean[list(dims)], marker="o", markersize=4, color=color, linestyle="none")
    return lines


def plot_interval_band(ax, x, center, lower, upper, *, color="C1", alpha=0.3, label=None):
    """``center`` as a line and the interval ``[lower, upper]`` (e.g. from ``sampling.interval_from_draws``) shaded."""
    ax.fill_between(x, lower, upper, color=color, alpha=alpha, linewidth=0, label=label)
    return ax.plot(x, center, color=color, linewidth=2)


_REMOTE_STYLESHEET = re.compile(r"<link[^>]*href=[\"']https?://[^>]*>\s*")


def offline_animation_html(animation, alt_text: str) -> str:
    """A matplotlib animation as self-contained HTML: frames embedded, no network, alt text on the image.

    Matplotlib's player links Font Awesome 4 from a CDN for its button icons; the page's theme
    already ships Font Awesome, so the remote stylesheet is dropped instead of fetched.
    """
    if not alt_text or not alt_text.strip():
        raise ValueError("alt_text must describe the animation for readers who cannot see it")
    with mpl.rc_context({"savefig.bbox": None}):  # fixed frames: no tight bbox
        html = animation.to_jshtml(default_mode="once")
    html = _REMOTE_STYLESHEET.sub("", html)
    return html.replace("<img id=", f'<img alt="{escape(alt_text, quote=True)}" id=', 1)
