// Metrics against a direct reference computation with plain loops, and the baselines' definitions.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "dnts/train/metrics.h"

namespace dnts {
namespace {

struct Ref {
  double mae, rmse, wape, rmsle, tmae, trmse, twape, trmsle;
  int64_t cells, rows;
};

Ref reference(const std::vector<std::vector<double>>& p, const std::vector<std::vector<double>>& y,
              const std::vector<std::vector<double>>& m) {
  double a = 0, s = 0, l = 0, sy = 0, ta = 0, ts = 0, tl = 0, tsy = 0;
  int64_t cells = 0, rows = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    double tp = 0, ty = 0;
    bool any = false;
    for (size_t h = 0; h < p[i].size(); ++h) {
      if (m[i][h] == 0) continue;
      any = true;
      ++cells;
      a += std::abs(p[i][h] - y[i][h]);
      s += (p[i][h] - y[i][h]) * (p[i][h] - y[i][h]);
      l += std::pow(std::log(1 + p[i][h]) - std::log(1 + y[i][h]), 2);
      sy += y[i][h];
      tp += p[i][h];
      ty += y[i][h];
    }
    if (!any) continue;
    ++rows;
    ta += std::abs(tp - ty);
    ts += (tp - ty) * (tp - ty);
    tl += std::pow(std::log(1 + tp) - std::log(1 + ty), 2);
    tsy += ty;
  }
  return {a / cells, std::sqrt(s / cells), a / sy, std::sqrt(l / cells), ta / rows, std::sqrt(ts / rows), ta / tsy,
          std::sqrt(tl / rows), cells, rows};
}

torch::Tensor to_tensor(const std::vector<std::vector<double>>& v) {
  torch::Tensor t = torch::zeros({int64_t(v.size()), int64_t(v[0].size())}, torch::kFloat32);
  for (size_t i = 0; i < v.size(); ++i)
    for (size_t h = 0; h < v[i].size(); ++h) t[int64_t(i)][int64_t(h)] = v[i][h];
  return t;
}

TEST(Metrics, MatchALoopReferenceOverSeveralBatches) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<std::vector<double>> P, Y, M;
  train::MetricAccumulator acc;
  for (int batch = 0; batch < 5; ++batch) {
    std::vector<std::vector<double>> p(9, std::vector<double>(4)), y = p, m = p;
    for (size_t i = 0; i < p.size(); ++i)
      for (size_t h = 0; h < 4; ++h) {
        // Values exactly representable in float32: the reference sees what the tensors hold.
        p[i][h] = double(float(u(rng) < 0.4 ? 0.0 : std::floor(20 * u(rng)) / 4));
        y[i][h] = u(rng) < 0.6 ? 0.0 : std::floor(50 * u(rng));  // zeros are real outcomes
        m[i][h] = (i == 3 || (h == 3 && batch % 2 == 0)) ? 0.0 : 1.0;  // a fully masked row, masked tails
      }
    acc.add(to_tensor(p), to_tensor(y), to_tensor(m));
    P.insert(P.end(), p.begin(), p.end());
    Y.insert(Y.end(), y.begin(), y.end());
    M.insert(M.end(), m.begin(), m.end());
  }
  train::EvalMetrics got = acc.finish();
  Ref want = reference(P, Y, M);
  EXPECT_EQ(got.cells, want.cells);
  EXPECT_EQ(got.rows, want.rows);
  EXPECT_EQ(want.rows, 5 * 8);  // the masked row is not a horizon total
  EXPECT_NEAR(got.mae, want.mae, 1e-9);
  EXPECT_NEAR(got.rmse, want.rmse, 1e-9);
  EXPECT_NEAR(got.wape, want.wape, 1e-9);
  EXPECT_NEAR(got.rmsle, want.rmsle, 1e-6);
  EXPECT_NEAR(got.total_mae, want.tmae, 1e-9);
  EXPECT_NEAR(got.total_rmse, want.trmse, 1e-9);
  EXPECT_NEAR(got.total_wape, want.twape, 1e-9);
  EXPECT_NEAR(got.total_rmsle, want.trmsle, 1e-6);
}

TEST(Metrics, ZeroForecastHasWapeOneAndPerfectForecastZero) {
  torch::Tensor y = torch::tensor({{0.0f, 3.0f}, {5.0f, 0.0f}}), m = torch::ones({2, 2});
  train::MetricAccumulator zero, exact;
  zero.add(torch::zeros_like(y), y, m);
  exact.add(y, y, m);
  EXPECT_DOUBLE_EQ(zero.finish().wape, 1.0);
  EXPECT_DOUBLE_EQ(zero.finish().total_wape, 1.0);
  EXPECT_DOUBLE_EQ(exact.finish().mae, 0.0);
  EXPECT_DOUBLE_EQ(exact.finish().total_rmsle, 0.0);
}

TEST(Metrics, BaselinesRepeatTheLastValueAndTheMeanRate) {
  torch::Tensor last = torch::tensor({2.0f, 0.0f}), mean = torch::tensor({0.5f, 1.5f});
  auto b = train::baseline_forecasts(last, mean, 3);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(train::baseline_names(), (std::vector<std::string>{"zero", "last", "mean_rate"}));
  EXPECT_TRUE(torch::equal(b[0], torch::zeros({2, 3})));
  EXPECT_TRUE(torch::equal(b[1], torch::tensor({{2.0f, 2.0f, 2.0f}, {0.0f, 0.0f, 0.0f}})));
  EXPECT_TRUE(torch::equal(b[2], torch::tensor({{0.5f, 0.5f, 0.5f}, {1.5f, 1.5f, 1.5f}})));
}

TEST(Metrics, WapeIsUndefinedWithoutSales) {
  train::MetricAccumulator acc;
  acc.add(torch::ones({2, 2}), torch::zeros({2, 2}), torch::ones({2, 2}));
  train::EvalMetrics m = acc.finish();
  EXPECT_TRUE(std::isnan(m.wape));
  EXPECT_TRUE(std::isnan(m.total_wape));
  EXPECT_DOUBLE_EQ(m.mae, 1.0);
}

}  // namespace
}  // namespace dnts
