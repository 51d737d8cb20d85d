"""The Gaussian contour helpers of bayes_linreg.plotting."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy import stats  # noqa: E402

from bayes_linreg import conjugate, draws, plotting  # noqa: E402

CORRELATED = conjugate.Gaussian(np.array([1.0, -2.0, 0.5]), np.array([[2.0, 0.6, 0.1], [0.6, 0.5, 0.0], [0.1, 0.0, 1.0]]))


@pytest.mark.parametrize("prob", [0.5, 0.9, 0.99])
@pytest.mark.parametrize("dims", [(0, 1), (1, 2), (2, 0)])
def test_ellipse_points_sit_on_the_right_mahalanobis_radius(prob, dims):
    points = plotting.gaussian_ellipse(CORRELATED, prob, dims, n_points=50)
    dims = list(dims)
    centred = points - CORRELATED.mean[dims]
    radius2 = np.einsum("ij,jk,ik->i", centred, np.linalg.inv(CORRELATED.cov[np.ix_(dims, dims)]), centred)
    np.testing.assert_allclose(radius2, stats.chi2.ppf(prob, 2), rtol=1e-10)
    assert points.shape == (50, 2)


def test_ellipse_holds_the_stated_probability():
    prob, n = 0.9, 40_000
    sample = draws.sample_weights(np.random.default_rng(5), CORRELATED, n)[:, :2]
    ellipse = plotting.gaussian_ellipse(CORRELATED, prob, n_points=2000)
    inside = matplotlib.path.Path(ellipse).contains_points(sample).mean()
    assert abs(inside - prob) < 4 * np.sqrt(prob * (1 - prob) / n)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prob": 1.0}, "prob must lie strictly between 0 and 1"),
        ({"prob": 0.0}, "prob must lie strictly between 0 and 1"),
        ({"dims": (0, 0)}, "dims must name two different weights"),
        ({"dims": (0, 3)}, "dims must name two different weights"),
        ({"n_points": 0}, "n_points must be a positive integer"),
    ],
)
def test_ellipse_refuses_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        plotting.gaussian_ellipse(CORRELATED, **kwargs)


def test_plot_gaussian_contours_draws_one_labelled_ellipse_per_prob():
    fig, ax = plt.subplots()
    lines = plotting.plot_gaussian_contours(ax, CORRELATED, probs=(0.9, 0.5), dims=(0, 1), label="belief")
    assert len(lines) == 2
    assert lines[-1].get_label() == "belief"
    assert sum(line.get_label() == "belief" for line in ax.get_lines()) == 1
    plt.close(fig)


def test_offline_animation_html_needs_no_network_and_has_alt_text():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.animation import ArtistAnimation

    from bayes_linreg.plotting import offline_animation_html

    fig, ax = plt.subplots()
    frames = [ax.plot([0, 1], [0, k]) for k in range(3)]
    html = offline_animation_html(ArtistAnimation(fig, frames), alt_text='a line "tilting" upwards')
    plt.close(fig)
    assert html.count("data:image/png;base64") == 3
    assert "<link" not in html and "<script src=" not in html
    assert 'alt="a line &quot;tilting&quot; upwards"' in html
    silent = ArtistAnimation(fig, frames)
    with pytest.raises(ValueError, match="alt_text"):
        offline_animation_html(silent, alt_text="  ")
    silent._draw_was_started = True  # it was never meant to be drawn
