"""bayes_linreg.hamiltonian: leapfrog by matrix power against a loop of gradient calls; the step's volume
preservation, symplecticity and shadow energy; the exact energy-error moments against Monte Carlo; the
error's step-size-squared scaling; the stability limit; the fixed-path autocorrelation; bad input."""

import numpy as np
import pytest
from scipy import stats

from bayes_linreg import hamiltonian

Z = stats.norm.isf(0.5e-6)  # two-sided 1e-6 per comparison


def random_precision(rng, dim=2):
    """A random correlated precision with eigenvalues between 1 and 1000."""
    axes, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
    return axes @ np.diag(10 ** rng.uniform(0, 3, size=dim)) @ axes.T


def leapfrog_loop(grad_u, q, p, step, n_steps):
    """Leapfrog as the chapters write it: half kick, drift, half kick, repeated."""
    for _ in range(n_steps):
        p = p - step / 2 * grad_u(q)
        q = q + step * p
        p = p - step / 2 * grad_u(q)
    return q, p


def test_matrix_power_is_the_leapfrog_loop(rng):
    prec = random_precision(rng, 3)
    mean = rng.standard_normal(3)
    q, p = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    step = 0.5 / np.sqrt(np.linalg.eigvalsh(prec).max())
    q_loop, p_loop = leapfrog_loop(lambda w: (w - mean) @ prec, q, p, step, 17)
    q_mat, p_mat = hamiltonian.propagate(prec, mean, q, p, step, 17)
    np.testing.assert_allclose(q_mat, q_loop, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(p_mat, p_loop, rtol=1e-10, atol=1e-12)


def test_one_step_preserves_volume_and_is_symplectic(rng):
    prec = random_precision(rng)
    s = hamiltonian.step_matrix(prec, 0.03)
    j = np.block([[np.zeros((2, 2)), np.eye(2)], [-np.eye(2), np.zeros((2, 2))]])
    assert np.isclose(np.linalg.det(s), 1.0, rtol=1e-10)
    np.testing.assert_allclose(s.T @ j @ s, j, atol=1e-10)


@pytest.mark.parametrize("h", [0.1, 0.9, 1.9])
def test_a_shadow_energy_is_conserved_exactly_in_one_dimension(h):
    """For one axis with frequency omega, leapfrog conserves p^2 / (1 - h^2/4) + omega^2 q^2 (h = e omega)."""
    omega = 7.0
    s = hamiltonian.step_matrix([[omega**2]], h / omega)
    shadow = np.diag([omega**2, 1 / (1 - h**2 / 4)])
    np.testing.assert_allclose(s.T @ shadow @ s, shadow, rtol=1e-12, atol=1e-12)


def test_energy_error_moments_match_monte_carlo(rng):
    prec = random_precision(rng)
    mean = np.array([2.0, 0.3])
    step = 0.7 / np.sqrt(np.linalg.eigvalsh(prec).max())
    n = 20_000
    q = mean + rng.standard_normal((n, 2)) @ np.linalg.cholesky(np.linalg.inv(prec)).T
    p = rng.standard_normal((n, 2))
    q_end, p_end = hamiltonian.propagate(prec, mean, q, p, step, 9)
    dh = hamiltonian.energy(prec, mean, q_end, p_end) - hamiltonian.energy(prec, mean, q, p)
    exact_mean, exact_var = hamiltonian.energy_error_moments(prec, step, 9)
    assert exact_mean >= 0
    assert abs(dh.mean() - exact_mean) <= Z * np.sqrt(exact_var / n)
    # the sample variance of a quadratic form: its standard error from the sample's fourth moment
    var_se = np.sqrt((np.mean((dh - dh.mean()) ** 4) - dh.var() ** 2) / n)
    assert abs(dh.var() - exact_var) <= Z * var_se
    # E[exp(-dH)] = 1 (volume preservation and reversibility)
    weights = np.exp(-dh)
    assert abs(weights.mean() - 1) <= Z * weights.std() / np.sqrt(n)


def test_mean_square_energy_error_averages_over_path_lengths(rng):
    prec = random_precision(rng)
    single = [hamiltonian.mean_square_energy_error(prec, 0.01, n) for n in (3, 5, 8)]
    assert np.isclose(hamiltonian.mean_square_energy_error(prec, 0.01, [3, 5, 8]), np.mean(single), rtol=1e-12)


def test_rms_energy_error_falls_as_the_step_squared(rng):
    """Halving the step at a fixed path time divides the rms error by 4 (1 + O(h^2)), h = step * omega_max."""
    prec = random_precision(rng)
    omega_max = np.sqrt(np.linalg.eigvalsh(prec).max())
    for h in (0.4, 0.1, 0.025):
        step = h / omega_max
        lengths = np.arange(20, 41)
        coarse = hamiltonian.mean_square_energy_error(prec, step, lengths)
        fine = hamiltonian.mean_square_energy_error(prec, step / 2, 2 * lengths)
        ratio = np.sqrt(coarse / fine)
        assert abs(ratio / 4 - 1) < h**2, (h, ratio)


def test_spectral_radius_marks_the_stability_limit(rng):
    prec = random_precision(rng)
    omega_max = np.sqrt(np.linalg.eigvalsh(prec).max())
    assert np.isclose(hamiltonian.spectral_radius(prec, 1.99 / omega_max), 1.0, rtol=1e-7)
    assert hamiltonian.spectral_radius(prec, 2.05 / omega_max) > 1.3
    # beyond the limit the energy of a path explodes
    q_end, p_end = hamiltonian.propagate(prec, np.zeros(2), np.ones(2), np.zeros(2), 2.2 / omega_max, 40)
    assert hamiltonian.energy(prec, np.zeros(2), q_end, p_end) > 1e6 * hamiltonian.energy(
        prec, np.zeros(2), np.ones(2), np.zeros(2)
    )


def test_fixed_path_autocorrelation_is_the_cosine_of_the_phase(rng):
    """Along an axis with frequency omega, L steps turn the phase by L theta with cos theta = 1 - h^2 / 2."""
    prec = random_precision(rng)
    step, n_steps = 0.3 / np.sqrt(np.linalg.eigvalsh(prec).max()), 11
    omega = np.sqrt(np.linalg.eigvalsh(prec))
    theta = np.arccos(1 - (step * omega) ** 2 / 2)
    np.testing.assert_allclose(
        hamiltonian.fixed_path_autocorrelation(prec, step, n_steps), np.cos(n_steps * theta), atol=1e-10
    )


def test_fixed_path_autocorrelation_matches_simulated_transitions(rng):
    """One transition (every proposal accepted, a fresh momentum) from many starts, along each axis: the
    regression slope of the new position on the old is the lag-1 autocorrelation, whatever the starts."""
    prec = random_precision(rng)
    step, n_steps, n = 0.2 / np.sqrt(np.linalg.eigvalsh(prec).max()), 7, 20_000
    _, axes = np.linalg.eigh(prec)
    q0 = rng.standard_normal((n, 2)) @ np.linalg.cholesky(np.linalg.inv(prec)).T
    q1, _ = leapfrog_loop(lambda w: w @ prec, q0, rng.standard_normal((n, 2)), step, n_steps)
    rho = hamiltonian.fixed_path_autocorrelation(prec, step, n_steps)
    for i in range(2):
        old, new = q0 @ axes[:, i], q1 @ axes[:, i]
        slope = old @ new / (old @ old)
        se = np.std(new - slope * old) / np.sqrt(old @ old)
        assert abs(slope - rho[i]) <= Z * se, (i, slope, rho[i], se)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: hamiltonian.step_matrix([[1.0, 2.0], [2.0, 1.0]], 0.1), "not positive definite"),
        (lambda: hamiltonian.step_matrix(np.eye(2), 0.0), "step must be positive"),
        (lambda: hamiltonian.step_matrix(np.eye(2), np.nan), "NaN"),
        (lambda: hamiltonian.propagate(np.eye(2), np.zeros(2), np.zeros(3), np.zeros(3), 0.1, 2), "d = 2"),
        (lambda: hamiltonian.propagate(np.eye(2), np.zeros(2), np.zeros(2), np.zeros(2), 0.1, 0), "n_steps"),
        (lambda: hamiltonian.mean_square_energy_error(np.eye(2), 0.1, [3, 2.5]), "n_steps"),
        (lambda: hamiltonian.energy(np.eye(2), np.zeros(2), np.zeros(2), np.zeros(3)), "do not fit"),
    ],
)
def test_bad_input_is_refused_by_name(call, message):
    with pytest.raises(ValueError, match=message):
        call()
