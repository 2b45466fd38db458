"""Customer lifetime value: BG/NBD for purchases and churn, Gamma-Gamma for order value.

Pure functions over numpy arrays (a pandas or Arrow frame's columns can be passed as they are):
no models, no database. The insights engine summarises every buyer's history as

- ``frequency``: repeat purchase occasions (days with an order, minus the first one);
- ``recency``: time from the first to the last purchase;
- ``T``: time from the first purchase to the end of the observation ("as of");
- ``monetary``: mean value of the repeat occasions (0 when there is none),

all times in one unit (:data:`TimeUnit`; the engine uses days), and calls
:func:`fit_and_score`.

**Fitting** goes through PyMC-Marketing (``BetaGeoModel``, ``GammaGammaModel``) with flat
priors (``HalfFlat``) on every parameter, so the maximum a posteriori fit *is* the maximum
likelihood fit of Fader, Hardie & Lee and reproduces their CDNOW estimates (the tests check
it). MAP is the default: it takes about a second. A posterior (NUTS, or ADVI), asked for
with ``intervals=True``, adds credible intervals; the point values stay the MAP ones so
that a run with intervals ranks customers exactly as a run without.

**Scoring** uses the fitted point parameters in closed form (numpy/scipy), in chunks over a
few threads: the fit is what costs, and PyMC-Marketing's xarray path takes about twice as long
on a million customers (``bench/bench_clv.py`` measures both; the tests check that both give
the same numbers). The model is fitted on a random sample of customers and every customer is
scored.

The conditional expectation uses Euler's transformation of the Gauss hypergeometric function,
``(1-z)^(r+x) 2F1(r+x, b+x; a+b+x-1; z) = (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)``, so
customers with hundreds of purchases neither overflow nor lose precision.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext_lazy as _
from scipy.special import expit, hyp2f1

from hudong.core.errors import DomainError

TimeUnit = Literal["D", "W"]
FitMethod = Literal["map", "mcmc", "advi"]
Array = npt.NDArray[np.float64]

DAYS_PER_PERIOD: dict[str, float] = {"D": 1.0, "W": 7.0}
DAYS_PER_MONTH = 365.25 / 12  # PyMC-Marketing's month, so CLV figures agree with it
MIN_REPEAT_BUYERS = 10  # below this the dropout and spend parameters are not identified
CHUNK = 1 << 16
POSTERIOR_DRAWS = 200


@dataclass(frozen=True)
class PurchaseParams:
    """BG/NBD: purchase rates ~ Gamma(r, alpha), dropout after a purchase ~ Beta(a, b).
    ``alpha`` is in the time unit of the data; r, a, b have no unit."""

    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class SpendParams:
    """Gamma-Gamma: an order's value ~ Gamma(p, nu), nu across customers ~ Gamma(q, gamma)."""

    p: float
    q: float
    gamma: float

    @property
    def population_mean(self) -> float:
        """Mean order value of a customer we know nothing about (finite only when q > 1)."""
        return self.p * self.gamma / (self.q - 1)


@dataclass(frozen=True)
class Fitted:
    """The fitted models: MAP point parameters, posterior draws when asked for, and cost."""

    purchases: PurchaseParams
    spend: SpendParams
    method: FitMethod
    time_unit: TimeUnit
    seconds: float
    customers: int  # in the fit sample
    repeat_buyers: int  # in the fit sample (the Gamma-Gamma data)
    purchase_draws: list[PurchaseParams] = field(default_factory=list)
    spend_draws: list[SpendParams] = field(default_factory=list)


@dataclass(frozen=True)
class ClvResult:
    """Per customer (same order as the input): expected purchases over the horizon,
    probability alive, expected order value and the discounted CLV over the horizon."""

    fitted: Fitted
    horizon_days: float
    discount_rate: float  # annual
    expected_purchases: Array
    p_alive: Array
    expected_spend: Array
    clv: Array
    intervals: dict[str, tuple[Array, Array]] | None = None  # name -> (low, high)
    interval_mass: float | None = None

    @property
    def clv_low(self) -> Array | None:
        return self.intervals["clv"][0] if self.intervals else None

    @property
    def clv_high(self) -> Array | None:
        return self.intervals["clv"][1] if self.intervals else None

    @property
    def summary(self) -> dict[str, Any]:
        """JSON-ready description of the fit, for the run's record."""
        f = self.fitted
        return {
            "fit_method": f.method,
            "fit_seconds": round(f.seconds, 3),
            "fit_customers": f.customers,
            "fit_repeat_buyers": f.repeat_buyers,
            "scored_customers": int(self.clv.size),
            "time_unit": f.time_unit,
            "horizon_days": self.horizon_days,
            "annual_discount_rate": self.discount_rate,
            **asdict(f.purchases),
            **asdict(f.spend),
            "interval_mass": self.interval_mass,
        }


# --- closed-form predictions -------------------------------------------------------------


def probability_alive(params: PurchaseParams, frequency: Array, recency: Array, T: Array) -> Array:
    """P(still a customer | x, t_x, T); 1 before any repeat purchase, since BG/NBD customers
    can only drop out right after a purchase. Computed as a logistic of the log odds so
    large frequencies do not overflow."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x = frequency
    log_odds = np.log(a / (b + np.maximum(x, 1.0) - 1.0)) + (r + x) * np.log(
        (alpha + T) / (alpha + recency)
    )
    return np.where(x > 0, expit(-log_odds), 1.0)


def expected_purchases(
    params: PurchaseParams, frequency: Array, recency: Array, T: Array, t: float
) -> Array:
    """Expected purchases in the next ``t`` periods (Fader, Hardie & Lee 2005, eq. 10)."""
    alive = probability_alive(params, frequency, recency, T)
    return _cumulative(params, frequency, T, _scale(params, frequency, alive), t)


def expected_spend(params: SpendParams, frequency: Array, monetary: Array) -> Array:
    """Expected mean order value: the customer's own mean shrunk towards the population's,
    the more so the fewer repeat purchases back it. Without a usable mean (no repeat
    purchase, missing or not positive) it is the population mean."""
    usable = (frequency > 0) & np.isfinite(monetary) & (monetary > 0)
    own = np.where(usable, monetary, 0.0)
    px = params.p * frequency
    weight = np.where(usable, px / (px + params.q - 1.0), 0.0)
    return (1.0 - weight) * params.population_mean + weight * own


def _scale(params: PurchaseParams, frequency: Array, alive: Array) -> Array:
    return alive * (params.a + params.b + frequency - 1.0) / (params.a - 1.0)


def _cumulative(
    params: PurchaseParams, frequency: Array, T: Array, scale: Array, t: float
) -> Array:
    """Eq. 10 with Euler's transformation (see the module docstring)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = t / (alpha + T + t)
    tail = (1.0 - z) ** (a - 1.0) * hyp2f1(a + b - 1.0 - r, a - 1.0, a + b + frequency - 1.0, z)
    return np.asarray(scale * (1.0 - tail), dtype=np.float64)


@dataclass(frozen=True)
class _Plan:
    """Month ends of the horizon (in periods) and the discount factor of each."""

    times: Array
    discounts: Array


def _plan(horizon_days: float, time_unit: TimeUnit, annual_rate: float) -> _Plan:
    """Monthly steps as in PyMC-Marketing's ``customer_lifetime_value``: purchases expected in
    month k are discounted by (1 + monthly rate)^k; a part month at the end counts pro rata."""
    per_day = 1.0 / DAYS_PER_PERIOD[time_unit]
    month, horizon = DAYS_PER_MONTH * per_day, horizon_days * per_day
    steps = max(1, math.ceil(horizon / month - 1e-9))
    times = np.minimum(np.arange(1, steps + 1) * month, horizon)
    monthly = (1.0 + annual_rate) ** (1.0 / 12.0) - 1.0
    return _Plan(times=times, discounts=(1.0 + monthly) ** -(times / month))


def _score_chunk(
    bg: PurchaseParams, gg: SpendParams, cols: tuple[Array, ...], plan: _Plan
) -> tuple[Array, Array, Array, Array]:
    """(expected purchases over the horizon, p alive, expected spend, CLV) for one chunk."""
    x, recency, T, monetary = cols
    alive = probability_alive(bg, x, recency, T)
    scale = _scale(bg, x, alive)
    spend = expected_spend(gg, x, monetary)
    value, previous = np.zeros_like(x), np.zeros_like(x)
    for t, discount in zip(plan.times, plan.discounts, strict=True):
        cumulative = _cumulative(bg, x, T, scale, float(t))
        value += (cumulative - previous) * discount
        previous = cumulative
    return previous, alive, spend, spend * value


def _chunked(n: int, work: Callable[[slice], None], workers: int) -> None:
    """Run ``work`` over slices of ``n`` rows on a few threads (scipy's ufuncs release the
    GIL, so two cores score twice as fast)."""
    slices = [slice(i, min(i + CHUNK, n)) for i in range(0, n, CHUNK)]
    if workers <= 1 or len(slices) == 1:
        for s in slices:
            work(s)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(work, slices))


def score(
    fitted: Fitted,
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    T: npt.ArrayLike,
    monetary: npt.ArrayLike,
    *,
    horizon_days: float = 365.25,
    discount_rate: float = 0.10,
    interval_mass: float = 0.90,
    workers: int | None = None,
) -> ClvResult:
    """Score every customer with the fitted parameters. ``discount_rate`` is annual. With
    posterior draws in ``fitted``, equal-tailed ``interval_mass`` intervals are added (each
    draw costs one more scoring pass)."""
    cols = _columns(frequency, recency, T, monetary)
    if not horizon_days > 0 or not 0 <= discount_rate < 10:
        raise _invalid(_("The horizon must be positive and the discount rate between 0 and 10."))
    plan = _plan(horizon_days, fitted.time_unit, discount_rate)
    n, threads = cols[0].size, workers or min(4, os.cpu_count() or 1)
    out = [np.empty(n) for _i in range(4)]

    def work(s: slice) -> None:
        for target, values in zip(
            out, _score_chunk(fitted.purchases, fitted.spend, _take(cols, s), plan), strict=True
        ):
            target[s] = values

    _chunked(n, work, threads)
    intervals = _intervals(fitted, cols, plan, interval_mass, threads)
    return ClvResult(
        fitted=fitted,
        horizon_days=float(horizon_days),
        discount_rate=float(discount_rate),
        expected_purchases=out[0],
        p_alive=out[1],
        expected_spend=out[2],
        clv=out[3],
        intervals=intervals,
        interval_mass=interval_mass if intervals else None,
    )


def _intervals(
    fitted: Fitted, cols: tuple[Array, ...], plan: _Plan, mass: float, threads: int
) -> dict[str, tuple[Array, Array]] | None:
    """Per-customer quantiles over the posterior draws (BG/NBD draw k paired with
    Gamma-Gamma draw k: the two models are independent)."""
    pairs = list(zip(fitted.purchase_draws, fitted.spend_draws, strict=False))
    if not pairs:
        return None
    n, names = cols[0].size, ("expected_purchases", "p_alive", "expected_spend", "clv")
    bounds = {name: (np.empty(n), np.empty(n)) for name in names}
    q = [(1.0 - mass) / 2.0, 1.0 - (1.0 - mass) / 2.0]

    def work(s: slice) -> None:
        part = _take(cols, s)
        per_draw = [_score_chunk(bg, gg, part, plan) for bg, gg in pairs]
        for k, name in enumerate(names):
            # A draw whose closed form overflows for a customer (a near 1) is left out of
            # that customer's quantiles rather than turning them into NaN.
            with np.errstate(invalid="ignore", divide="ignore"):
                low, high = np.nanquantile(np.stack([d[k] for d in per_draw]), q, axis=0)
            bounds[name][0][s], bounds[name][1][s] = low, high

    _chunked(n, work, threads)
    return bounds


def _take(cols: tuple[Array, ...], s: slice) -> tuple[Array, ...]:
    return tuple(c[s] for c in cols)


# --- validation ----------------------------------------------------------------------------


def _invalid(message: Any, **extra: Any) -> DomainError:
    return DomainError("insights.clv_invalid_data", message, status=422, **extra)


def _columns(*columns: npt.ArrayLike) -> tuple[Array, ...]:
    """frequency, recency, T, monetary as float arrays, checked for what the models assume."""
    x, recency, T, monetary = (np.asarray(c, dtype=np.float64).ravel() for c in columns)
    if not x.size:
        raise DomainError(
            "insights.clv_no_customers", _("There are no customers to model."), status=422
        )
    if not x.size == recency.size == T.size == monetary.size:
        raise _invalid(_("The purchase history columns have different lengths."))
    bad = (
        ~np.isfinite(x)
        | ~np.isfinite(recency)
        | ~np.isfinite(T)
        | (x < 0)
        | (x != np.floor(x))
        | (recency < 0)
        | (recency > T)
        | ((x == 0) & (recency > 0))
    )
    if count := int(bad.sum()):
        raise _invalid(
            _(
                "%(count)d purchase histories are impossible (negative, missing, a last "
                "purchase after the end, or a repeat time without repeat purchases)."
            )
            % {"count": count},
            rows=count,
        )
    return x, recency, T, monetary


def _too_few(found: int, minimum: int) -> DomainError:
    return DomainError(
        "insights.clv_no_repeat_buyers",
        _(
            "Customer lifetime value needs at least %(minimum)d customers who bought more "
            "than once; there are %(found)d."
        )
        % {"minimum": minimum, "found": found},
        status=422,
        found=found,
        minimum=minimum,
    )


def _fit_failed(model: str) -> DomainError:
    return DomainError(
        "insights.clv_fit_failed",
        _("The %(model)s model could not be fitted to these purchase histories.")
        % {"model": model},
        status=422,
    )


# --- fitting ---------------------------------------------------------------------------------


def configure_pytensor() -> None:
    """Keep PyTensor's compile cache in the project's var directory when ``HUDONG_VAR_DIR``
    is set (a service account's home may not be writable); otherwise PyTensor's default
    (``~/.pytensor``). An explicit ``PYTENSOR_FLAGS`` compile directory wins. Only effective
    before PyTensor is first imported."""
    var_dir = os.environ.get("HUDONG_VAR_DIR")
    flags = os.environ.get("PYTENSOR_FLAGS", "")
    if "pytensor" in sys.modules or not var_dir or "compiledir" in flags or "," in var_dir:
        return
    setting = f"base_compiledir={Path(var_dir).resolve() / 'pytensor'}"
    os.environ["PYTENSOR_FLAGS"] = f"{flags},{setting}" if flags else setting


def _fit_model(
    kind: str, frame: Any, names: tuple[str, ...], method: FitMethod, draws: int, seed: int
) -> tuple[dict[str, float], list[dict[str, float]]]:
    """MAP point (and posterior draws unless ``method`` is "map") of one PyMC-Marketing model
    with HalfFlat priors on ``names``."""
    configure_pytensor()
    from pymc_extras.prior import Prior
    from pymc_marketing.clv import BetaGeoModel, GammaGammaModel

    cls = BetaGeoModel if kind == "bgnbd" else GammaGammaModel
    model = cls(model_config={name: Prior("HalfFlat") for name in names})
    model.fit(frame, method="map", progressbar=False, random_seed=seed)
    point = {name: float(model.fit_result[name].values.squeeze()) for name in names}
    if method == "map":
        return point, []
    if method == "advi":
        options: dict[str, Any] = {"sample_kwargs": {"draws": draws}}
    else:  # two short NUTS chains in this process: a worker should not fork
        chains = 2
        options = {"chains": chains, "cores": 1, "draws": max(1, draws // chains)}
        options |= {"tune": max(300, draws), "compute_convergence_checks": False}
    model.fit(frame, method=method, progressbar=False, random_seed=seed, **options)
    posterior = model.fit_result.stack(sample=("chain", "draw"))
    values = {name: np.asarray(posterior[name].values, dtype=float) for name in names}
    keep = np.linspace(0, len(values[names[0]]) - 1, min(draws, len(values[names[0]])))
    samples = [{name: float(values[name][int(i)]) for name in names} for i in keep]
    return point, samples


def _positive(values: dict[str, float]) -> bool:
    return all(np.isfinite(v) and v > 0 for v in values.values())


def fit_purchases(
    frequency: Array,
    recency: Array,
    T: Array,
    *,
    method: FitMethod = "map",
    draws: int = POSTERIOR_DRAWS,
    seed: int = 0,
) -> tuple[PurchaseParams, list[PurchaseParams]]:
    """BG/NBD by MAP with flat priors (the maximum likelihood estimate), plus draws."""
    import pandas as pd

    frame = pd.DataFrame(
        {
            "customer_id": np.arange(frequency.size),
            "frequency": frequency,
            "recency": recency,
            "T": T,
        }
    )
    point, samples = _fit_model("bgnbd", frame, ("r", "alpha", "a", "b"), method, draws, seed)
    if not _positive(point) or point["a"] == 1.0:
        raise _fit_failed("BG/NBD")
    return PurchaseParams(**point), [PurchaseParams(**s) for s in samples]


def fit_spend(
    frequency: Array,
    monetary: Array,
    *,
    method: FitMethod = "map",
    draws: int = POSTERIOR_DRAWS,
    seed: int = 0,
) -> tuple[SpendParams, list[SpendParams]]:
    """Gamma-Gamma on repeat buyers (frequency > 0, positive mean repeat value)."""
    import pandas as pd

    frame = pd.DataFrame(
        {
            "customer_id": np.arange(frequency.size),
            "frequency": frequency,
            "monetary_value": monetary,
        }
    )
    point, samples = _fit_model("gamma_gamma", frame, ("p", "q", "v"), method, draws, seed)
    if not _positive(point) or point["q"] <= 1.0:
        raise _fit_failed("Gamma-Gamma")

    def params(v: dict[str, float]) -> SpendParams:
        return SpendParams(p=v["p"], q=v["q"], gamma=v["v"])

    return params(point), [params(s) for s in samples if s["q"] > 1.0]


def fit(
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    T: npt.ArrayLike,
    monetary: npt.ArrayLike,
    *,
    time_unit: TimeUnit = "D",
    sample_size: int | None = 200_000,
    fit_method: FitMethod = "map",
    intervals: bool = False,
    draws: int = POSTERIOR_DRAWS,
    min_repeat_buyers: int = MIN_REPEAT_BUYERS,
    seed: int = 0,
) -> Fitted:
    """Fit both models on at most ``sample_size`` customers drawn at random (``None``: all).
    ``intervals=True`` with ``fit_method="map"`` samples the posterior with NUTS."""
    x, recency_, T_, monetary_ = _columns(frequency, recency, T, monetary)
    if time_unit not in DAYS_PER_PERIOD:
        raise _invalid(_("Unknown time unit."))
    method: FitMethod = "mcmc" if intervals and fit_method == "map" else fit_method
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    rows = _sample(x.size, sample_size, rng)
    xs, rs, Ts, ms = x[rows], recency_[rows], T_[rows], monetary_[rows]
    repeat = np.flatnonzero((xs > 0) & np.isfinite(ms) & (ms > 0))
    if repeat.size < max(1, min_repeat_buyers):
        raise _too_few(int(repeat.size), max(1, min_repeat_buyers))
    bg, bg_draws = fit_purchases(xs, rs, Ts, method=method, draws=draws, seed=seed)
    gg, gg_draws = fit_spend(xs[repeat], ms[repeat], method=method, draws=draws, seed=seed)
    return Fitted(
        purchases=bg,
        spend=gg,
        method=method,
        time_unit=time_unit,
        seconds=time.perf_counter() - started,
        customers=int(rows.size),
        repeat_buyers=int(repeat.size),
        purchase_draws=bg_draws,
        spend_draws=gg_draws,
    )


def _sample(n: int, size: int | None, rng: np.random.Generator) -> npt.NDArray[np.intp]:
    if size is None or n <= size:
        return np.arange(n)
    return np.sort(rng.choice(n, size=size, replace=False))


def fit_and_score(
    *,
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    T: npt.ArrayLike,
    monetary: npt.ArrayLike,
    time_unit: TimeUnit = "D",
    sample_size: int | None = 200_000,
    horizon_days: float = 365.25,
    discount_rate: float = 0.10,
    fit_method: FitMethod = "map",
    intervals: bool = False,
    interval_mass: float = 0.90,
    seed: int = 0,
) -> ClvResult:
    """Fit on a sample, score everyone: the insights engine's one call. ``horizon_days`` is
    in days whatever the data's ``time_unit``; ``discount_rate`` is annual."""
    fitted = fit(
        frequency,
        recency,
        T,
        monetary,
        time_unit=time_unit,
        sample_size=sample_size,
        fit_method=fit_method,
        intervals=intervals,
        seed=seed,
    )
    return score(
        fitted,
        frequency,
        recency,
        T,
        monetary,
        horizon_days=horizon_days,
        discount_rate=discount_rate,
        interval_mass=interval_mass,
    )
