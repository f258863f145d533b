#!/usr/bin/env python3
"""
exact_bayes.py - P(met) of the calibration suite's count series computed
exactly on a grid, as an independent reference for src/forecast.c: is a
Brier score above the base rate's the arithmetic (the Gauss-Hermite
mixture, the plug-in alpha, the model average) or the prior itself?

    build/calibrate --long --only "negative binomial" --dump 2>dump.txt >/dev/null
    python3 tests/calibration/exact_bayes.py [--centre count|rate | --prior MEAN SD] < dump.txt

The model is the negative binomial trend of planeval's count family:
log mean count = log exposure + b0 + b1 (t - tc), b1 ~ N(centre, 0.07^2),
log alpha ~ N(log 0.2, 1.5^2), b0 flat (centre: minus the exposure's
log growth, or 0 with --centre rate; --prior sets the rate's trend prior
to N(MEAN, SD^2) instead, e.g. the suite's own trends, -0.04 and 0.05); the posterior and the predictive
probability that the count 3 years past the data is at most the goal are
summed over a 41 x 41 x 17 grid. Needs numpy and SciPy (BENCH_PKGS of
.ci/install-deps). Prints, for each length, the Brier score of the exact
posterior, of planeval's P (from the dump) and of the base rate.
"""
import sys

import numpy as np
from scipy.special import gammaln
from scipy.stats import nbinom

PRIOR_SD = 0.07  # FC_TREND_PRIOR_SD


def nb_loglik(y, mu, a):
    r = 1 / a
    return (gammaln(y + r) - gammaln(r) - gammaln(y + 1) + r * np.log(r / (r + mu))
            + y * np.log(mu / (r + mu)))


def exact_p(n, goal, c, e, centre_on_count, prior):
    i = np.arange(len(c))
    tc = (n - 1) / 2
    x = i[:n] - tc
    growth = np.polyfit(i[:n], np.log(e[:n]), 1)[0]
    centre = -growth if centre_on_count else 0.0
    sd = PRIOR_SD
    if prior:
        centre, sd = prior
    r0 = np.log((c[:n].sum() + 0.5) / e[:n].sum())
    b0 = r0 + np.linspace(-1.5, 1.5, 41)[:, None, None]
    b1 = np.linspace(-0.5, 0.5, 41)[None, :, None]
    la = np.arange(-6, 2.01, 0.5)[None, None, :]
    a = np.exp(la)
    lp = sum(nb_loglik(c[j], e[j] * np.exp(b0 + b1 * x[j]), a) for j in range(n))
    lp = lp - 0.5 * ((b1 - centre) / sd) ** 2 - 0.5 * ((la - np.log(0.2)) / 1.5) ** 2
    w = np.exp(lp - lp.max())
    w /= w.sum()
    t = n + 2
    mu = e[t] * np.exp(b0 + b1 * (t - tc))
    r = 1 / a
    return float((w * nbinom.cdf(np.floor(goal * e[t] + 1e-9), r, r / (r + mu))).sum())


def main():
    centre_on_count, prior = True, None
    if len(sys.argv) == 3 and sys.argv[1] == "--centre" and sys.argv[2] in ("count", "rate"):
        centre_on_count = sys.argv[2] == "count"
    elif len(sys.argv) == 4 and sys.argv[1] == "--prior":
        prior = (float(sys.argv[2]), float(sys.argv[3]))
    elif len(sys.argv) != 1:
        sys.exit("usage: exact_bayes.py [--centre count|rate | --prior MEAN SD] < dump")
    by_len = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for line in sys.stdin:
            f = line.split()
            n, met, p, goal = int(f[0]), int(f[1]), float(f[2]), float(f[3])
            v = np.array([float(x) for x in f[4:]])
            by_len.setdefault(n, []).append(
                (exact_p(n, goal, v[0::2], v[1::2], centre_on_count, prior), p, met))
    for n, rows in sorted(by_len.items()):
        a = np.array(rows)
        met = a[:, 2]
        base = met.mean()
        print("%2d years, %d series: Brier exact %.3f, planeval %.3f, base rate %.3f; "
              "mean P exact %.2f, planeval %.2f, share met %.2f"
              % (n, len(met), ((a[:, 0] - met) ** 2).mean(), ((a[:, 1] - met) ** 2).mean(),
                 base * (1 - base), a[:, 0].mean(), a[:, 1].mean(), base))


if __name__ == "__main__":
    main()
