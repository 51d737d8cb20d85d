"""The GLM module, and the checks the GLM, polynomial and priors chapters added."""

import numpy as np
import pytest
import xarray as xr

from bayes_linreg import checks, glm, plotting


def test_inverse_links():
    eta = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(glm.inverse_link(eta, "identity"), eta)
    np.testing.assert_allclose(glm.inverse_link(eta, "log"), np.exp(eta))
    p = glm.inverse_link(eta, "logit")
    np.testing.assert_allclose(np.log(p / (1 - p)), eta)  # logit(logit^-1(eta)) = eta
    assert glm.inverse_link(0.0, "logit") == 0.5


def test_inverse_link_refuses_unknown_link():
    with pytest.raises(ValueError, match="link must be one of"):
        glm.inverse_link([0.0], "probit")


def test_inverse_link_refuses_nan():
    with pytest.raises(ValueError, match="eta contains NaN"):
        glm.inverse_link([np.nan], "log")


def test_linear_predictor_is_the_polynomial():
    x = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_allclose(glm.linear_predictor(x, [1.0, 2.0, -0.5]), 1 + 2 * x - 0.5 * x**2)


def test_linear_predictor_needs_a_slope():
    with pytest.raises(ValueError, match="weights needs an intercept and at least one slope"):
        glm.linear_predictor([0.0, 1.0], [1.0])


@pytest.mark.parametrize(("family", "link"), [("bernoulli", "logit"), ("poisson", "log")])
def test_simulated_means_match_the_inverse_link(family, link):
    rng = np.random.default_rng(5)
    n = 40_000
    x = np.full(n, 0.7)
    weights = [-0.5, 1.5] if family == "bernoulli" else [0.5, 0.8]
    y = glm.simulate_glm(rng, x, weights, family)
    mean = glm.inverse_link(weights[0] + weights[1] * 0.7, link)
    variance = mean * (1 - mean) if family == "bernoulli" else mean  # Bernoulli p(1-p), Poisson lambda
    assert abs(y.mean() - mean) < 4 * np.sqrt(variance / n)
    assert set(np.unique(y)) <= ({0, 1} if family == "bernoulli" else set(range(1000)))


def test_simulate_glm_refuses_unknown_family():
    with pytest.raises(ValueError, match="family must be 'bernoulli' or 'poisson'"):
        glm.simulate_glm(np.random.default_rng(0), [0.0], [0.0, 1.0], "gaussian")


def test_simulate_glm_refuses_absurd_rates():
    with pytest.raises(ValueError, match="Poisson rate reaches"):
        glm.simulate_glm(np.random.default_rng(0), [10.0], [0.0, 5.0], "poisson")


def _idata(posterior: dict, observed=None, replicated=None):
    """A minimal DataTree with the groups the checks read."""
    groups = {"posterior": xr.Dataset({k: (("chain", "draw"), v) for k, v in posterior.items()})}
    if observed is not None:
        groups["observed_data"] = xr.Dataset({"y": (("obs",), observed)})
        groups["posterior_predictive"] = xr.Dataset({"y": (("chain", "draw", "obs"), replicated)})
    return xr.DataTree.from_dict(groups)


def test_truth_in_posterior_passes_and_fails():
    rng = np.random.default_rng(3)
    idata = _idata({"w": rng.normal(1.0, 0.1, size=(4, 500))})
    scores = checks.assert_truth_in_posterior(idata, {"w": 1.05})
    assert abs(scores["w"] + 0.5) < 0.1
    with pytest.raises(AssertionError, match="more than 4.0 posterior sds"):
        checks.assert_truth_in_posterior(idata, {"w": 2.0})
    with pytest.raises(ValueError, match="no posterior variable"):
        checks.assert_truth_in_posterior(idata, {"v": 0.0})
    with pytest.raises(ValueError, match="truth must name"):
        checks.assert_truth_in_posterior(idata, {})


def test_ppc_mean_check():
    rng = np.random.default_rng(4)
    replicated = rng.poisson(3.0, size=(2, 300, 100))
    idata = _idata({"w": np.zeros((2, 300))}, observed=rng.poisson(3.0, size=100), replicated=replicated)
    observed, centre, spread = checks.assert_ppc_mean_matches(idata, "y")
    assert abs(centre - 3.0) < 0.05 and 0.1 < spread < 0.25
    shifted = _idata({"w": np.zeros((2, 300))}, observed=np.full(100, 6.0), replicated=replicated)
    with pytest.raises(AssertionError, match="sds from the replicated means"):
        checks.assert_ppc_mean_matches(shifted, "y")
    with pytest.raises(ValueError, match="no 'y' in a 'observed_data' group"):
        checks.assert_ppc_mean_matches(_idata({"w": np.zeros((2, 3))}), "y")


class _Loo:
    def __init__(self, k):
        self.pareto_k = xr.DataArray(np.asarray(k), dims="obs")


def test_pareto_k_check():
    assert checks.assert_pareto_k_below(_Loo([0.1, 0.69])) == pytest.approx(0.69)
    with pytest.raises(AssertionError, match="largest Pareto k is 0.800"):
        checks.assert_pareto_k_below(_Loo([0.1, 0.8]))


def test_elpd_check():
    import pandas as pd

    table = pd.DataFrame({"elpd_diff": [0.0, -30.0, -1.0], "dse": [0.0, 5.0, 2.0]}, index=["quad", "lin", "cubic"])
    assert checks.assert_elpd_better(table, "quad", "lin") == (30.0, 5.0)
    with pytest.raises(AssertionError, match="not more than 2.0 x its SE"):
        checks.assert_elpd_better(table, "quad", "cubic")
    with pytest.raises(ValueError, match="no model 'x'"):
        checks.assert_elpd_better(table, "quad", "x")
    with pytest.raises(ValueError, match="reference='lin'"):
        checks.assert_elpd_better(table, "lin", "quad")


def test_increasing_check():
    checks.assert_increasing(["a", "b", "c"], [1.0, 2.0, 3.0], [0.1, 0.1, 0.1])
    with pytest.raises(AssertionError, match="should exceed"):
        checks.assert_increasing(["a", "b"], [1.0, 1.1], [0.1, 0.1])
    with pytest.raises(ValueError, match="same length"):
        checks.assert_increasing(["a"], [1.0], [0.1])


def test_plot_interval_band_draws_line_and_band():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    x = np.linspace(0, 1, 5)
    (line,) = plotting.plot_interval_band(ax, x, x, x - 1, x + 1, label="band")
    np.testing.assert_allclose(line.get_ydata(), x)
    assert [h.get_label() for h in ax.get_legend_handles_labels()[0]] == ["band"]
    plt.close(fig)
