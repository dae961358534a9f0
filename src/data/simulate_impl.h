// Private helpers of the simulator: a portable RNG (splitmix64 seeding, xoshiro256** stream), the
// samplers built on it (Poisson, gamma, lognormal, Pareto, negative binomial, alias table) and the
// civil-date arithmetic used to print ISO 8601 timestamps without strftime. Everything here is
// header-only and written out by hand so that a seed gives the same bytes with any standard library
// (std::*_distribution differ between libstdc++, libc++ and MSVC).
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "dnts/data/time.h"

namespace dnts::data::sim {

/// splitmix64 step: a good 64-bit mixer, used to seed and to derive independent streams.
inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// Seed of stream (`seed`, `a`, `b`): e.g. (seed, item index, purpose). Distinct triples give
/// statistically independent streams.
inline uint64_t stream_seed(uint64_t seed, uint64_t a, uint64_t b) {
  uint64_t s = seed;
  uint64_t h = splitmix64(s);
  s = h ^ (a * 0xD1B54A32D192ED03ULL);
  h = splitmix64(s);
  s = h ^ (b * 0x8CB92BA72F3D8DD7ULL);
  return splitmix64(s);
}

/// xoshiro256** (Blackman & Vigna), seeded through splitmix64.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t s = seed;
    for (auto& word : s_) word = splitmix64(s);
  }
  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  /// Uniform in [0, 1), 53 random bits.
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }
  /// Uniform in (0, 1]: safe for log().
  double uniform_pos() { return double((next() >> 11) + 1) * 0x1.0p-53; }
  /// Uniform integer in [0, n), n >= 1 (bias below 2^-32 for n < 2^21, irrelevant here).
  uint64_t below(uint64_t n) {
    auto k = static_cast<uint64_t>(uniform() * double(n));
    return k < n ? k : n - 1;
  }
  bool bernoulli(double p) { return uniform() < p; }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

/// Standard normal (Marsaglia polar method; one value per call, the twin is dropped so the
/// generator carries no hidden state).
inline double normal(Rng& rng) {
  for (;;) {
    double u = 2.0 * rng.uniform() - 1.0;
    double v = 2.0 * rng.uniform() - 1.0;
    double s = u * u + v * v;
    if (s > 0.0 && s < 1.0) return u * std::sqrt(-2.0 * std::log(s) / s);
  }
}

/// Lognormal with the given median and log-scale sigma.
inline double lognormal(Rng& rng, double median, double sigma) {
  return median * std::exp(sigma * normal(rng));
}

/// Pareto(alpha) with minimum xm: xm * U^(-1/alpha).
inline double pareto(Rng& rng, double alpha, double xm) {
  return xm * std::pow(rng.uniform_pos(), -1.0 / alpha);
}

/// Gamma(shape, scale=1): Marsaglia & Tsang (2000); shape < 1 via the U^(1/shape) boost.
inline double gamma(Rng& rng, double shape) {
  if (shape <= 0.0) return 0.0;
  if (shape < 1.0) {
    double g = gamma(rng, shape + 1.0);
    return g * std::pow(rng.uniform_pos(), 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x = normal(rng);
    double v = 1.0 + c * x;
    if (v <= 0.0) continue;
    v = v * v * v;
    double u = rng.uniform_pos();
    if (u < 1.0 - 0.0331 * (x * x) * (x * x)) return d * v;
    if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
  }
}

/// Poisson(lambda): inversion by sequential search for lambda < 30, Hormann's PTRS (transformed
/// rejection with squeeze, 1993) above.
inline int64_t poisson(Rng& rng, double lambda) {
  if (!(lambda > 0.0)) return 0;
  if (lambda < 30.0) {
    double p = std::exp(-lambda);
    double cdf = p;
    double u = rng.uniform();
    int64_t n = 0;
    while (u > cdf && n < 1000) {
      ++n;
      p *= lambda / double(n);
      cdf += p;
    }
    return n;
  }
  const double slam = std::sqrt(lambda);
  const double loglam = std::log(lambda);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const double vr = 0.9277 - 3.6224 / (b - 2.0);
  for (;;) {
    double u = rng.uniform() - 0.5;
    double v = rng.uniform_pos();
    double us = 0.5 - std::fabs(u);
    auto k = static_cast<int64_t>(std::floor((2.0 * a / us + b) * u + lambda + 0.43));
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + std::log(invalpha) - std::log(a / (us * us) + b) <=
        -lambda + double(k) * loglam - std::lgamma(double(k) + 1.0))
      return k;
  }
}

/// Negative binomial with mean `mean` and gamma shape `shape` (variance mean + mean^2/shape), i.e. a
/// gamma-mixed Poisson, sampled exactly by inversion of its pmf recurrence (fast for the small
/// means of daily promoter sales: one uniform, one log1p and one exp when the draw is 0).
/// shape <= 0 means plain Poisson.
inline int64_t neg_binomial(Rng& rng, double mean, double shape) {
  if (!(mean > 0.0)) return 0;
  if (shape <= 0.0 || mean < 1e-9) return poisson(rng, mean);
  if (mean > 30.0) return poisson(rng, mean * gamma(rng, shape) / shape);
  const double q = mean / (mean + shape);  // success-odds factor of the recurrence
  double p = std::exp(-shape * std::log1p(mean / shape));
  double cdf = p;
  double u = rng.uniform();
  int64_t n = 0;
  while (u > cdf && n < 100000) {
    p *= (double(n) + shape) / double(n + 1) * q;
    ++n;
    cdf += p;
    if (p < 1e-300 && cdf < u) break;  // numerical tail guard
  }
  return n;
}

/// Vose's alias table: O(1) draws from a fixed discrete distribution.
class AliasTable {
 public:
  AliasTable() = default;
  explicit AliasTable(const std::vector<double>& weights) {
    const size_t n = weights.size();
    prob_.assign(n, 0.0);
    alias_.assign(n, 0);
    double total = 0.0;
    for (double w : weights) total += w;
    std::vector<double> scaled(n);
    std::vector<uint32_t> small, large;
    small.reserve(n);
    large.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      scaled[i] = weights[i] * double(n) / total;
      (scaled[i] < 1.0 ? small : large).push_back(static_cast<uint32_t>(i));
    }
    while (!small.empty() && !large.empty()) {
      uint32_t s = small.back();
      small.pop_back();
      uint32_t l = large.back();
      prob_[s] = scaled[s];
      alias_[s] = l;
      scaled[l] = (scaled[l] + scaled[s]) - 1.0;
      if (scaled[l] < 1.0) {
        large.pop_back();
        small.push_back(l);
      }
    }
    for (uint32_t l : large) prob_[l] = 1.0;
    for (uint32_t s : small) prob_[s] = 1.0;
  }
  size_t size() const { return prob_.size(); }
  uint32_t draw(Rng& rng) const {
    uint64_t i = rng.below(prob_.size());
    return rng.uniform() < prob_[i] ? static_cast<uint32_t>(i) : alias_[i];
  }

 private:
  std::vector<double> prob_;
  std::vector<uint32_t> alias_;
};

// ---- civil dates (H. Hinnant's algorithms, proleptic Gregorian) --------------------------------

using data::days_from_civil;  // dnts/data/time.h

struct Civil {
  int64_t y;
  unsigned m, d;
};

/// y-m-d of a day count since 1970-01-01.
inline Civil civil_from_days(int64_t z) {
  Civil c{};
  data::civil_from_days(z, c.y, c.m, c.d);
  return c;
}

/// ISO weekday of a day count since 1970-01-01: 0 = Monday ... 6 = Sunday.
inline int weekday_from_days(int64_t z) { return static_cast<int>(((z % 7) + 7 + 3) % 7); }

/// "YYYY-MM-DDT" for a day count since 1970-01-01 (years 0..9999).
inline std::string iso_day_prefix(int64_t z) {
  Civil c = civil_from_days(z);
  char buf[12];
  auto y = static_cast<unsigned>(c.y);
  buf[0] = char('0' + (y / 1000) % 10);
  buf[1] = char('0' + (y / 100) % 10);
  buf[2] = char('0' + (y / 10) % 10);
  buf[3] = char('0' + y % 10);
  buf[4] = '-';
  buf[5] = char('0' + c.m / 10);
  buf[6] = char('0' + c.m % 10);
  buf[7] = '-';
  buf[8] = char('0' + c.d / 10);
  buf[9] = char('0' + c.d % 10);
  buf[10] = 'T';
  return std::string(buf, 11);
}

/// Appends "HH:MM:SSZ" for a second of the day in [0, 86400).
inline void append_hms(std::string& out, int sec) {
  const int h = sec / 3600, m = (sec / 60) % 60, s = sec % 60;
  char buf[9] = {char('0' + h / 10), char('0' + h % 10), ':', char('0' + m / 10), char('0' + m % 10),
                 ':',                char('0' + s / 10), char('0' + s % 10), 'Z'};
  out.append(buf, 9);
}

/// Appends the decimal digits of a non-negative integer.
inline void append_uint(std::string& out, uint64_t v) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = char('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) out.push_back(buf[--n]);
}

}  // namespace dnts::data::sim
