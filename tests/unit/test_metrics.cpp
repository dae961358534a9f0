// Metrics against a direct reference computation with plain loops, and the baselines' definitions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
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

TEST(Metrics, WapeIsUndefinedWithoutSales) {
  train::MetricAccumulator acc;
  acc.add(torch::ones({2, 2}), torch::zeros({2, 2}), torch::ones({2, 2}));
  train::EvalMetrics m = acc.finish();
  EXPECT_TRUE(std::isnan(m.wape));
  EXPECT_TRUE(std::isnan(m.total_wape));
  EXPECT_DOUBLE_EQ(m.mae, 1.0);
}

// ---- sMAPE and per-horizon metrics against loops.

TEST(Metrics, SmapeAndPerHorizonMatchLoops) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  const size_t N = 13, H = 5;
  std::vector<std::vector<double>> p(N, std::vector<double>(H)), y = p, m = p;
  for (size_t i = 0; i < N; ++i)
    for (size_t h = 0; h < H; ++h) {
      p[i][h] = double(float(u(rng) < 0.3 ? 0.0 : std::floor(40 * u(rng)) / 8));
      y[i][h] = u(rng) < 0.5 ? 0.0 : std::floor(9 * u(rng));
      m[i][h] = (h == H - 1 && i % 3 == 0) ? 0.0 : 1.0;
    }
  train::MetricAccumulator acc;
  acc.add(to_tensor(p), to_tensor(y), to_tensor(m));
  train::EvalMetrics got = acc.finish();
  double cell_smape = 0, tot_smape = 0;
  int64_t cells = 0, rows = 0;
  for (size_t i = 0; i < N; ++i) {
    double tp = 0, ty = 0;
    for (size_t h = 0; h < H; ++h) {
      if (m[i][h] == 0) continue;
      double den = p[i][h] + y[i][h];
      cell_smape += den == 0 ? 0 : 2 * std::abs(p[i][h] - y[i][h]) / den;
      ++cells;
      tp += p[i][h], ty += y[i][h];
    }
    tot_smape += (tp + ty) == 0 ? 0 : 2 * std::abs(tp - ty) / (tp + ty);
    ++rows;
  }
  EXPECT_NEAR(got.smape, cell_smape / double(cells), 1e-12);
  EXPECT_NEAR(got.total_smape, tot_smape / double(rows), 1e-12);
  ASSERT_EQ(got.h_mae.size(), H);
  for (size_t h = 0; h < H; ++h) {
    double a = 0, sq = 0, sy = 0, sl = 0, sm = 0;
    int64_t n = 0;
    for (size_t i = 0; i < N; ++i) {
      if (m[i][h] == 0) continue;
      double e = p[i][h] - y[i][h];
      a += std::abs(e), sq += e * e, sy += y[i][h], ++n;
      sl += std::pow(std::log(1 + p[i][h]) - std::log(1 + y[i][h]), 2);
      sm += (p[i][h] + y[i][h]) == 0 ? 0 : 2 * std::abs(e) / (p[i][h] + y[i][h]);
    }
    EXPECT_EQ(got.h_cells[h], n) << h;
    EXPECT_NEAR(got.h_mae[h], a / double(n), 1e-12) << h;
    EXPECT_NEAR(got.h_rmse[h], std::sqrt(sq / double(n)), 1e-12) << h;
    EXPECT_NEAR(got.h_wape[h], a / sy, 1e-12) << h;
    EXPECT_NEAR(got.h_rmsle[h], std::sqrt(sl / double(n)), 1e-12) << h;
    EXPECT_NEAR(got.h_smape[h], sm / double(n), 1e-12) << h;
  }
  EXPECT_EQ(got.h_cells[H - 1], int64_t(N) - 5);  // rows 0, 3, 6, 9, 12 unscored in the last bucket
}

// ---- Ranking metrics against brute force: every order consistent with the predictions (all
// permutations inside groups of tied predictions), averaged.

template <typename F>
double over_tie_orders(const std::vector<double>& pred, F&& score) {
  std::vector<size_t> idx(pred.size());
  std::iota(idx.begin(), idx.end(), size_t(0));
  std::sort(idx.begin(), idx.end());
  double sum = 0;
  int64_t count = 0;
  do {
    bool consistent = true;  // predicted values non-increasing along the order
    for (size_t i = 1; i < idx.size(); ++i) consistent = consistent && pred[idx[i - 1]] >= pred[idx[i]];
    if (!consistent) continue;
    sum += score(idx);
    ++count;
  } while (std::next_permutation(idx.begin(), idx.end()));
  return sum / double(count);
}

double ref_ndcg(const std::vector<double>& pred, const std::vector<double>& y, size_t k) {
  std::vector<double> ideal = y;
  std::sort(ideal.rbegin(), ideal.rend());
  double idcg = 0;
  for (size_t i = 0; i < std::min(k, y.size()); ++i) idcg += ideal[i] / std::log2(i + 2.0);
  if (idcg == 0) return NAN;
  return over_tie_orders(pred, [&](const std::vector<size_t>& order) {
    double dcg = 0;
    for (size_t i = 0; i < std::min(k, order.size()); ++i) dcg += y[order[i]] / std::log2(i + 2.0);
    return dcg / idcg;
  });
}

double ref_recall(const std::vector<double>& pred, const std::vector<double>& y, size_t k) {
  const size_t kk = std::min(k, y.size());
  std::vector<double> sorted = y;
  std::sort(sorted.rbegin(), sorted.rend());
  std::vector<bool> rel(y.size());
  size_t n_rel = 0;
  for (size_t i = 0; i < y.size(); ++i) n_rel += (rel[i] = y[i] > 0 && y[i] >= sorted[kk - 1]);
  if (n_rel == 0) return NAN;
  return over_tie_orders(pred, [&](const std::vector<size_t>& order) {
    double hits = 0;
    for (size_t i = 0; i < kk; ++i) hits += rel[order[i]];
    return hits / double(std::min(kk, n_rel));
  });
}

double ref_spearman(const std::vector<double>& a, const std::vector<double>& b) {
  auto ranks = [](const std::vector<double>& v) {
    std::vector<double> r(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      double less = 0, equal = 0;
      for (double w : v) less += w < v[i], equal += w == v[i];
      r[i] = less + (equal + 1) / 2;  // average of positions less+1 .. less+equal
    }
    return r;
  };
  std::vector<double> ra = ranks(a), rb = ranks(b);
  double ma = std::accumulate(ra.begin(), ra.end(), 0.0) / ra.size(), mb = std::accumulate(rb.begin(), rb.end(), 0.0) / rb.size();
  double c = 0, va = 0, vb = 0;
  for (size_t i = 0; i < ra.size(); ++i) c += (ra[i] - ma) * (rb[i] - mb), va += (ra[i] - ma) * (ra[i] - ma), vb += (rb[i] - mb) * (rb[i] - mb);
  return c / std::sqrt(va * vb);
}

TEST(Metrics, RankingMatchesBruteForceOverTieOrders) {
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<int> pv(0, 3), yv(0, 4);
  int checked = 0;
  for (int trial = 0; trial < 200; ++trial) {
    size_t n = 2 + size_t(trial % 6);  // up to 7: 5040 orders
    std::vector<double> pred(n), y(n);
    for (size_t i = 0; i < n; ++i) pred[i] = pv(rng), y[i] = yv(rng) * (yv(rng) > 1 ? 1 : 0);
    for (size_t k : {1, 3, 10}) {
      double want = ref_ndcg(pred, y, k), got = train::ndcg_at_k(pred, y, int64_t(k));
      if (std::isnan(want)) {
        EXPECT_TRUE(std::isnan(got));
        continue;
      }
      EXPECT_NEAR(got, want, 1e-12) << "trial " << trial << " k " << k;
      EXPECT_NEAR(train::recall_at_k(pred, y, int64_t(k)), ref_recall(pred, y, k), 1e-12) << "trial " << trial;
      ++checked;
    }
    bool y_const = std::all_of(y.begin(), y.end(), [&](double v) { return v == y[0]; });
    bool p_const = std::all_of(pred.begin(), pred.end(), [&](double v) { return v == pred[0]; });
    double s = train::spearman(pred, y);
    if (y_const) EXPECT_TRUE(std::isnan(s));
    else if (p_const) EXPECT_EQ(s, 0.0);
    else EXPECT_NEAR(s, ref_spearman(pred, y), 1e-12) << "trial " << trial;
  }
  EXPECT_GT(checked, 300);
  // Fixed points: a perfect order scores 1, the reversed one less; a constant forecast is the random average.
  std::vector<double> y = {5, 3, 0, 1}, perfect = {4, 3, 1, 2}, reversed = {1, 2, 4, 3};
  EXPECT_DOUBLE_EQ(train::ndcg_at_k(perfect, y, 2), 1.0);
  EXPECT_DOUBLE_EQ(train::recall_at_k(perfect, y, 2), 1.0);
  EXPECT_DOUBLE_EQ(train::recall_at_k(reversed, y, 2), 0.0);
  EXPECT_DOUBLE_EQ(train::spearman(perfect, y), 1.0);
  EXPECT_DOUBLE_EQ(train::spearman(reversed, y), -1.0);
  EXPECT_NEAR(train::recall_at_k({0, 0, 0, 0}, y, 2), 0.5, 1e-12);  // expected 1 of the 2 relevant in 2 of 4 slots
}

TEST(Metrics, AccumulatorRanksPerItemAndAcrossItems) {
  // Two (item, origin) groups; promoter 7 appears in both. H = 2, every cell scored.
  torch::Tensor pred = torch::tensor({{1.0, 1.0}, {3.0, 0.0}, {0.0, 0.5}, {2.0, 2.0}, {0.0, 0.0}}, torch::kFloat64);
  torch::Tensor y = torch::tensor({{0.0, 2.0}, {4.0, 1.0}, {0.0, 0.0}, {1.0, 0.0}, {3.0, 3.0}}, torch::kFloat64);
  std::vector<int64_t> offset = {0, 3, 5};
  std::vector<uint32_t> promoter = {7, 8, 9, 7, 10};
  train::MetricAccumulator acc(2, 3);
  acc.add(pred, y, torch::ones({5, 2}), &offset, &promoter);
  train::EvalMetrics m = acc.finish();
  // Totals: group A pred {2, 3, 0.5} y {2, 5, 0}; group B pred {4, 0} y {1, 6}.
  std::vector<double> pa = {2, 3, 0.5}, ya = {2, 5, 0}, pb = {4, 0}, yb = {1, 6};
  EXPECT_EQ(m.rank_item.groups, 2);
  EXPECT_NEAR(m.rank_item.ndcg, (ref_ndcg(pa, ya, 2) + ref_ndcg(pb, yb, 2)) / 2, 1e-12);
  EXPECT_NEAR(m.rank_item.recall, (ref_recall(pa, ya, 2) + ref_recall(pb, yb, 2)) / 2, 1e-12);
  EXPECT_NEAR(m.rank_item.spearman, (ref_spearman(pa, ya) + ref_spearman(pb, yb)) / 2, 1e-12);
  // Across items, by promoter id 7, 8, 9, 10: pred {6, 3, 0.5, 0}, y {3, 5, 0, 6}.
  std::vector<double> px = {6, 3, 0.5, 0}, yx = {3, 5, 0, 6};
  EXPECT_NEAR(m.rank_across.ndcg, ref_ndcg(px, yx, 3), 1e-12);
  EXPECT_NEAR(m.rank_across.recall, ref_recall(px, yx, 3), 1e-12);
  EXPECT_NEAR(m.rank_across.spearman, ref_spearman(px, yx), 1e-12);
}

}  // namespace
}  // namespace dnts
