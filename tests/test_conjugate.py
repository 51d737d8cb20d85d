"""bayes_linreg.conjugate: the closed-form posterior and predictive, checked against independent routes
(least squares, ridge regression, exact rational arithmetic), design matrices, exact draws, bad input."""

import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bayes_linreg import checks, conjugate

# No test here may pass while the reference warns (ill-conditioning) without saying so.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def exact_posterior(phi, y, noise_sd, prior):
    """The posterior mean and covariance computed in exact rational arithmetic from the float inputs.

    Floats are dyadic rationals, so every sum below is exact (Python integers); only the final
    ``k x k`` solve uses fractions. Independent of the library's Cholesky and centring.
    """
    k = phi.shape[1]

    def ints(values):
        ratios = [Fraction(float(v)) for v in values]
        scale = max(r.denominator for r in ratios)
        return [r.numerator * (scale // r.denominator) for r in ratios], scale

    columns = [ints(phi[:, j]) for j in range(k)]
    y_ints, y_scale = ints(y)
    variance = Fraction(float(noise_sd)) ** 2
    prior_cov = [[Fraction(float(v)) for v in row] for row in prior.cov]
    prior_mean = [Fraction(float(v)) for v in prior.mean]
    prior_precision = _solve(prior_cov, [[Fraction(int(i == j)) for j in range(k)] for i in range(k)])

    def dot(first, second):
        """Exact sum of products of two scaled integer columns, as a fraction."""
        return Fraction(sum(a * b for a, b in zip(first[0], second[0], strict=True)), first[1] * second[1])

    precision = [[prior_precision[i][j] + dot(columns[i], columns[j]) / variance for j in range(k)] for i in range(k)]
    shift = [
        sum(prior_precision[i][j] * prior_mean[j] for j in range(k)) + dot(columns[i], (y_ints, y_scale)) / variance
        for i in range(k)
    ]
    solution = _solve(precision, [[shift[i]] + [Fraction(int(i == j)) for j in range(k)] for i in range(k)])
    mean = np.array([float(row[0]) for row in solution])
    cov = np.array([[float(v) for v in row[1:]] for row in solution])
    return mean, cov


def _solve(matrix, rhs):
    """Gauss-Jordan elimination in fractions: ``matrix^-1 @ rhs`` (rhs as a list of rows)."""
    k = len(matrix)
    rows = [list(matrix[i]) + list(rhs[i]) for i in range(k)]
    for c in range(k):
        pivot = next(r for r in range(c, k) if rows[r][c] != 0)
        rows[c], rows[pivot] = rows[pivot], rows[c]
        rows[c] = [v / rows[c][c] for v in rows[c]]
        for r in range(k):
            if r != c and rows[r][c] != 0:
                factor = rows[r][c]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[c], strict=True)]
    return [row[k:] for row in rows]


# --- the closed form against independent routes ---------------------------------------------------


def test_one_point_at_a_time_equals_batch(demo):
    _, y, phi = demo
    prior = conjugate.isotropic_prior(2, 1.0)
    batch = conjugate.posterior(phi, y, 0.1, prior)
    belief = prior
    for row, value in zip(phi, y, strict=True):
        belief = conjugate.update(belief, row, value, 0.1)
    np.testing.assert_allclose(belief.mean, batch.mean, rtol=1e-10)
    np.testing.assert_allclose(belief.cov, batch.cov, rtol=1e-9)


def test_very_wide_prior_gives_least_squares(demo):
    _, y, phi = demo
    wide = conjugate.posterior(phi, y, 0.1, conjugate.isotropic_prior(2, 1e6))
    least_squares, *_ = np.linalg.lstsq(phi, y, rcond=None)
    np.testing.assert_allclose(wide.mean, least_squares, rtol=1e-8)
    np.testing.assert_allclose(wide.cov, 0.1**2 * np.linalg.pinv(phi.T @ phi), rtol=1e-6)


def test_isotropic_prior_mean_is_ridge_regression(demo):
    """With prior N(0, s^2 I) the posterior mean solves ridge regression with penalty sigma^2 / s^2,
    computed here as least squares on the augmented system [phi; sqrt(lambda) I] w = [y; 0]."""
    _, y, phi = demo
    sd_w, noise_sd = 0.2, 0.1
    post = conjugate.posterior(phi, y, noise_sd, conjugate.isotropic_prior(2, sd_w))
    augmented = np.vstack([phi, noise_sd / sd_w * np.eye(2)])
    ridge, *_ = np.linalg.lstsq(augmented, np.concatenate([y, np.zeros(2)]), rcond=None)
    np.testing.assert_allclose(post.mean, ridge, rtol=1e-10)


@pytest.mark.parametrize("degree", [1, 2, 3])
@pytest.mark.parametrize("constant", [1.0, 2.5, None])
def test_posterior_equals_exact_rational_arithmetic(demo, degree, constant):
    """A correlated prior with a nonzero mean, polynomial designs, and an intercept column that is
    not 1 (or none at all): the centred computation equals the exact answer to rounding."""
    x, y, _ = demo
    phi = conjugate.design_matrix(x, degree)
    if constant is None:
        phi = phi[:, 1:]
    else:
        phi[:, 0] = constant
    dim = phi.shape[1]
    cov = 0.5 * np.eye(dim) + 0.2
    prior = conjugate.Gaussian(np.linspace(-1.0, 1.5, dim), cov)
    post = conjugate.posterior(phi, y, 0.1, prior)
    mean, cov = exact_posterior(phi, y, 0.1, prior)
    np.testing.assert_allclose(post.mean, mean, rtol=1e-11, atol=1e-12 * np.abs(mean).max())
    np.testing.assert_allclose(post.cov, cov, rtol=1e-10, atol=1e-12 * np.abs(cov).max())


def test_predictors_far_from_zero_give_the_exact_answer():
    """Issue 12's measured case: x = 1e6 + U(0, 1), N = 10,000, noise sd 1e-3, a wide prior.
    Phi^T Phi has condition number ~1e25, beyond float64; the uncentred formula gave an intercept
    of 1111.5 for an exact 3.60. The reference centres internally and must be right."""
    rng = np.random.default_rng(12)
    x = 1e6 + rng.uniform(0, 1, 10_000)
    y = 2.0 + 0.3 * x + 1e-3 * rng.standard_normal(x.size)
    phi = conjugate.design_matrix(x)
    for prior_sd in (10.0, 1e3, 1e6):
        prior = conjugate.isotropic_prior(2, prior_sd)
        post = conjugate.posterior(phi, y, 1e-3, prior)
        mean, cov = exact_posterior(phi, y, 1e-3, prior)
        sd = np.sqrt(np.diag(cov))
        # The intercept's posterior sd is ~35 (it is 1e6 x-units away from the data): wrong by far
        # less than a billionth of an sd, and the covariance to 1e-9 of each entry's scale.
        assert np.all(np.abs(post.mean - mean) <= 1e-9 * sd), (prior_sd, post.mean, mean)
        np.testing.assert_allclose(post.cov, cov, rtol=1e-9, atol=1e-12 * np.outer(sd, sd).max())


def test_ill_conditioned_posterior_warns_with_the_condition_number():
    """A quadratic in x = 1e6 + U(0, 1) with a vague prior: x and x^2 stay almost collinear after
    centring, and the reference says so instead of returning a silently inaccurate answer."""
    rng = np.random.default_rng(3)
    x = 1e6 + rng.uniform(0, 1, 2000)
    y = 2.0 + 0.3 * x + 1e-3 * rng.standard_normal(x.size)
    with pytest.warns(RuntimeWarning, match=r"condition number \d.*e\+\d+ even after centring"):
        conjugate.posterior(conjugate.design_matrix(x, 2), y, 1e-3, conjugate.isotropic_prior(3, 1e9))


def test_unrepresentable_posterior_covariance_is_a_clear_error():
    rng = np.random.default_rng(3)
    x = 1e6 + rng.uniform(0, 1, 500)
    y = 2.0 + 0.3 * x + 1e-3 * rng.standard_normal(x.size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(ValueError, match="condition number about .* beyond float64"):
            conjugate.posterior(conjugate.design_matrix(x, 3), y, 1e-3, conjugate.isotropic_prior(4, 1e3))


def test_no_data_leaves_the_prior_unchanged():
    prior = conjugate.Gaussian(np.array([1.0, -1.0]), np.array([[2.0, 0.3], [0.3, 0.5]]))
    post = conjugate.posterior(np.zeros((0, 2)), np.zeros(0), 0.5, prior)
    np.testing.assert_allclose(post.mean, prior.mean)
    np.testing.assert_allclose(post.cov, prior.cov)


def test_predictive_variance_formula(demo):
    _, y, phi = demo
    post = conjugate.posterior(phi, y, 0.1, conjugate.isotropic_prior(2, 1.0))
    phi_new = conjugate.design_matrix(np.array([-3.0, 0.0, 0.5]))
    mean, sd_line = conjugate.predictive(post, phi_new)
    _, sd_y = conjugate.predictive(post, phi_new, noise_sd=0.1)
    for i, row in enumerate(phi_new):
        assert mean[i] == pytest.approx(row @ post.mean)
        assert sd_line[i] ** 2 == pytest.approx(row @ post.cov @ row)
        assert sd_y[i] ** 2 == pytest.approx(row @ post.cov @ row + 0.01)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=30),
    degree=st.integers(min_value=1, max_value=4),
    prior_sd=st.floats(min_value=0.05, max_value=50),
    noise_sd=st.floats(min_value=0.01, max_value=10),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_posterior_shapes_symmetry_and_positive_definiteness(n, degree, prior_sd, noise_sd, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, n)
    phi = conjugate.design_matrix(x, degree)
    y = rng.normal(size=n)
    post = conjugate.posterior(phi, y, noise_sd, conjugate.isotropic_prior(degree + 1, prior_sd))
    assert post.mean.shape == (degree + 1,)
    assert post.cov.shape == (degree + 1, degree + 1)
    np.testing.assert_array_equal(post.cov, post.cov.T)
    assert np.all(np.linalg.eigvalsh(post.cov) > 0)
    # Data never add uncertainty: each marginal variance is at most the prior's.
    assert np.all(np.diag(post.cov) <= prior_sd**2 * (1 + 1e-9))


# --- design matrix, lines, exact draws --------------------------------------------------------------


def test_design_matrix_columns():
    phi = conjugate.design_matrix(np.array([2.0, -1.0]), degree=3)
    np.testing.assert_array_equal(phi, [[1, 2, 4, 8], [1, -1, 1, -1]])


@pytest.mark.parametrize("degree", [0, -1, 1.5, True])
def test_design_matrix_refuses_bad_degree(degree):
    with pytest.raises(ValueError, match="degree must be a positive integer"):
        conjugate.design_matrix(np.zeros(3), degree)


def test_line_values():
    values = conjugate.line_values(np.array([[1.0, 2.0], [0.0, -1.0]]), np.array([0.0, 1.0, 2.0]))
    np.testing.assert_array_equal(values, [[1, 3, 5], [0, -1, -2]])
    with pytest.raises(ValueError, match="at least two columns"):
        conjugate.line_values(np.ones((3, 1)), np.zeros(2))


def test_sample_gaussian_uses_the_cholesky_factor(rng):
    """A correlated, non-unit covariance is reproduced; the post's `z @ V` recipe would give V @ V
    (a covariance 5 to 20 times smaller: dozens of standard errors off, for any seed)."""
    belief = conjugate.Gaussian(np.array([1.0, -2.0]), np.array([[0.04, -0.018], [-0.018, 0.0225]]))
    samples = conjugate.sample_gaussian(rng, belief, 20_000)
    z = checks.bonferroni_z(5, alarm_rate=1e-6)  # 2 means + 3 covariance entries
    checks.assert_draws_match(samples, belief, z=z)
    # Its sds are smaller too, so the mean may fail before the covariance is compared: either way it fails.
    with pytest.raises(AssertionError, match="sample (mean|covariance)"):
        checks.assert_draws_match(samples, conjugate.Gaussian(belief.mean, belief.cov @ belief.cov), z=z)


def test_sample_gaussian_takes_an_int_seed():
    prior = conjugate.isotropic_prior(2, 1.0)
    from_seed = conjugate.sample_gaussian(7, prior, 5)
    np.testing.assert_array_equal(from_seed, conjugate.sample_gaussian(np.random.default_rng(7), prior, 5))
    np.testing.assert_array_equal(from_seed, conjugate.sample_gaussian(np.int64(7), prior, 5))


@pytest.mark.parametrize("rng", [np.random.RandomState(0), 1.5, "7", None, True])
def test_sample_gaussian_refuses_what_is_not_a_generator(rng):
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        conjugate.sample_gaussian(rng, conjugate.isotropic_prior(2, 1.0), 5)


def test_sample_gaussian_refuses_bad_size():
    with pytest.raises(ValueError, match="size must be a positive integer"):
        conjugate.sample_gaussian(np.random.default_rng(0), conjugate.isotropic_prior(2, 1.0), 0)


# --- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phi", "y", "noise_sd", "message"),
    [
        (np.ones((3, 2)), np.ones(4), 0.1, "lengths must match"),
        (np.ones((3, 2)), np.ones(3), 0.0, "noise_sd must be positive"),
        (np.ones((3, 2)), np.ones(3), -1.0, "noise_sd must be positive"),
        (np.ones((3, 2)), np.ones(3), np.nan, "noise_sd contains NaN"),
        (np.ones((3, 2)), np.array([1.0, np.nan, 2.0]), 0.1, "y contains NaN"),
        (np.array([[1.0, np.inf], [1.0, 0.0]]), np.ones(2), 0.1, "phi contains NaN or infinite"),
        (np.ones((3, 3)), np.ones(3), 0.1, "3 columns but the prior is over 2 weights"),
        (np.ones(3), np.ones(3), 0.1, "phi must be 2-dimensional"),
    ],
)
def test_bad_input_to_posterior(phi, y, noise_sd, message):
    with pytest.raises(ValueError, match=message):
        conjugate.posterior(phi, y, noise_sd, conjugate.isotropic_prior(2, 1.0))


MEAN_COV = (np.zeros(2), np.eye(2))


@pytest.mark.parametrize(
    "call",
    [
        lambda: conjugate.posterior(np.ones((3, 2)), np.ones(3), 0.1, MEAN_COV),
        lambda: conjugate.update(MEAN_COV, np.ones(2), 1.0, 0.1),
        lambda: conjugate.predictive(MEAN_COV, np.ones((3, 2))),
        lambda: conjugate.sample_gaussian(np.random.default_rng(0), MEAN_COV, 3),
    ],
    ids=["posterior", "update", "predictive", "sample_gaussian"],
)
def test_a_mean_cov_tuple_is_not_a_gaussian(call):
    with pytest.raises(TypeError, match=r"must be a bayes_linreg.conjugate.Gaussian \(wrap a \(mean, cov\) pair"):
        call()


@pytest.mark.parametrize(
    ("cov", "message"),
    [
        (np.array([[1.0, 2.0], [2.0, 1.0]]), "not positive definite"),
        (np.array([[1.0, 0.1], [0.0, 1.0]]), "must be symmetric"),
        (np.array([[-1.0, 0.0], [0.0, 1.0]]), "not positive definite"),
        (np.array([[1.0, np.nan], [np.nan, 1.0]]), "cov contains NaN"),
        (np.eye(3), r"shape \(2, 2\)"),
    ],
)
def test_bad_prior_covariance(cov, message):
    with pytest.raises(ValueError, match=message):
        conjugate.Gaussian(np.zeros(2), cov)


@pytest.mark.parametrize("sd", [0.0, -1.0, np.nan, np.inf])
def test_bad_prior_scale(sd):
    with pytest.raises(ValueError, match="sd must be positive|sd contains NaN"):
        conjugate.isotropic_prior(2, sd)


def test_predictive_refuses_mismatched_features():
    post = conjugate.isotropic_prior(2, 1.0)
    with pytest.raises(ValueError, match="3 columns"):
        conjugate.predictive(post, np.ones((4, 3)))
