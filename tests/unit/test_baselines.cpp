// The forecaster registry and the baselines: every statistical forecast against a loop reference of its
// textbook definition, the deep baselines' shapes, gradients and ability to fit, the ST-GNN's graph
// convolution against the dense formula, and ablation presets.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <nlohmann/json.hpp>

#include "dnts/error.h"
#include "dnts/model/forecaster.h"
#include "dnts/model/registry.h"
#include "dnts/model/subtable.h"
#include "dnts/nn/graph_conv.h"

namespace dnts {
namespace {

constexpr int64_t kRows = 6, kSteps = 14, kHorizon = 5;

// Rows with join times and intermittent sales; row 5 never sold; row 4 joined in the last 3 steps.
model::Batch history_batch() {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0, 1);
  model::Batch b;
  b.samples = {{0, 30}, {1, 30}};
  b.row_offset = {0, 4, 6};
  b.row_promoter = {1, 2, 3, 4, 5, 6};
  b.x = torch::zeros({kRows, kSteps, model::kNumFeatures});
  b.y_hist = torch::zeros({kRows, kSteps});
  const int64_t join[kRows] = {0, 2, 0, 5, 11, 1};
  for (int64_t r = 0; r < kRows; ++r)
    for (int64_t k = join[r]; k < kSteps; ++k) {
      b.x[r][k][model::kJoined] = 1.0f;
      if (r != 5 && u(rng) < 0.45) b.y_hist[r][k] = float(1 + std::floor(6 * u(rng)));
    }
  b.y_hist[0][kSteps - 1] = 4.0f;  // a known last value
  b.x.select(2, model::kLogScale).copy_(torch::log1p(b.y_hist));
  b.mean_scale = torch::tensor({0.5f, 1.25f, 0.0f, 2.0f, 3.0f, 0.0f});
  b.y = torch::zeros({kRows, kHorizon});
  b.mask = torch::ones({kRows, kHorizon});
  return b;
}

RunConfig config(const std::string& kind, const std::string& bucket = "1d") {
  RunConfig cfg;
  cfg.data.bucket = bucket;
  cfg.data.window = kSteps;
  cfg.data.horizon = kHorizon;
  return model::config_for(kind, cfg);
}

torch::Tensor forecast(const std::string& kind, const model::Batch& b, const std::string& bucket = "1d") {
  model::Forecaster f = model::make_forecaster(config(kind, bucket), model::kNumFeatures, kHorizon);
  EXPECT_FALSE(f->trainable()) << kind;
  torch::Tensor y = f->forward(b).y_hat;
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{kRows, kHorizon})) << kind;
  return y;
}

double hist(const model::Batch& b, int64_t r, int64_t k) { return b.y_hist[r][k].item<double>(); }
bool joined(const model::Batch& b, int64_t r, int64_t k) { return b.x[r][k][model::kJoined].item<float>() > 0.5f; }

TEST(Baselines, NaiveForecastsFollowTheirDefinitions) {
  model::Batch b = history_batch();
  torch::Tensor zero = forecast("zero", b), last = forecast("last", b), mean = forecast("mean_rate", b);
  torch::Tensor seasonal = forecast("seasonal_naive", b), seasonal_h = forecast("seasonal_naive", b, "2h");
  torch::Tensor ma = forecast("moving_average", b);
  for (int64_t r = 0; r < kRows; ++r)
    for (int64_t h = 0; h < kHorizon; ++h) {
      EXPECT_EQ(zero[r][h].item<float>(), 0.0f);
      EXPECT_EQ(last[r][h].item<double>(), hist(b, r, kSteps - 1));
      EXPECT_EQ(mean[r][h].item<float>(), b.mean_scale[r].item<float>());
      // Day buckets: a week back; 2-hour buckets: a day (12 buckets) back.
      EXPECT_EQ(seasonal[r][h].item<double>(), hist(b, r, kSteps - 7 + h % 7)) << r << "," << h;
      EXPECT_EQ(seasonal_h[r][h].item<double>(), hist(b, r, kSteps - 12 + h % 12)) << r << "," << h;
      double avg = 0;
      for (int64_t k = kSteps - 7; k < kSteps; ++k) avg += hist(b, r, k);
      EXPECT_NEAR(ma[r][h].item<double>(), avg / 7, 1e-6);
    }
  EXPECT_EQ(last[0][0].item<float>(), 4.0f);
}

TEST(Baselines, CrostonAndTsbMatchTheirRecursions) {
  model::Batch b = history_batch();
  RunConfig cfg = config("tsb");
  const double a = cfg.model.smoothing_alpha, beta = cfg.model.smoothing_beta;
  torch::Tensor croston = forecast("croston", b), tsb = forecast("tsb", b);
  for (int64_t r = 0; r < kRows; ++r) {
    // Croston: z and q updated at demands; q = buckets since the previous demand (or since joining).
    double z = 0, q = 0, since = 0;
    bool seen = false;
    // TSB: p and z initialised from the joined history, then smoothed over it.
    double periods = 0, demands = 0, size = 0;
    for (int64_t k = 0; k < kSteps; ++k)
      if (joined(b, r, k)) periods += 1, demands += hist(b, r, k) > 0, size += hist(b, r, k);
    double p = periods > 0 ? demands / periods : 0, zt = demands > 0 ? size / demands : 0;
    for (int64_t k = 0; k < kSteps; ++k) {
      if (!joined(b, r, k)) continue;
      const double yk = hist(b, r, k);
      since += 1;
      if (yk > 0) {
        if (!seen) z = yk, q = since;
        else z += a * (yk - z), q += a * (since - q);
        seen = true;
        since = 0;
        zt += a * (yk - zt);
      }
      p += beta * ((yk > 0 ? 1.0 : 0.0) - p);
    }
    const double want_croston = seen ? z / q : 0.0;
    for (int64_t h = 0; h < kHorizon; ++h) {
      EXPECT_NEAR(croston[r][h].item<double>(), want_croston, 1e-5) << "row " << r;
      EXPECT_NEAR(tsb[r][h].item<double>(), p * zt, 1e-5) << "row " << r;
    }
  }
  EXPECT_EQ(croston[5][0].item<float>(), 0.0f);  // never sold
  EXPECT_EQ(tsb[5][0].item<float>(), 0.0f);
}

TEST(Baselines, SeasonLongerThanTheWindowIsAConfigError) {
  RunConfig cfg = config("seasonal_naive", "1h");  // a day = 24 buckets > 14
  EXPECT_THROW(model::make_forecaster(cfg, model::kNumFeatures, kHorizon), ConfigError);
}

// Dense reference of the ST-GNN propagation.
TEST(Baselines, GraphConvolutionMatchesTheDenseFormula) {
  torch::manual_seed(2);
  const int64_t n = 7;
  torch::Tensor h = torch::randn({n, 3}, torch::kFloat64);
  torch::Tensor src = torch::tensor({0, 0, 1, 3, 3, 5}, torch::kInt64), dst = torch::tensor({1, 2, 4, 5, 6, 6}, torch::kInt64);
  torch::Tensor A = torch::eye(n, torch::kFloat64);
  for (int64_t e = 0; e < src.size(0); ++e) {
    A[src[e].item<int64_t>()][dst[e].item<int64_t>()] += 1.0;
    A[dst[e].item<int64_t>()][src[e].item<int64_t>()] += 1.0;
  }
  torch::Tensor d = A.sum(1).rsqrt();
  torch::Tensor want = torch::mm(d.unsqueeze(1) * A * d.unsqueeze(0), h);
  EXPECT_TRUE(torch::allclose(nn::normalized_propagate(h, src, dst), want, 1e-12, 1e-12));
  // No links: every node keeps itself.
  torch::Tensor none = torch::zeros({0}, torch::kInt64);
  EXPECT_TRUE(torch::allclose(nn::normalized_propagate(h, none, none), h));
}

TEST(Baselines, DeepBaselinesFitATinyBatchWithGradientsEverywhere) {
  model::Batch b = history_batch();
  torch::manual_seed(0);
  b.x = b.x + 0.1f * torch::randn_like(b.x);
  b.y = torch::floor(torch::rand({kRows, kHorizon}) * 5);
  b.edge_src = torch::tensor({0, 0, 4}, torch::kInt64);
  b.edge_dst = torch::tensor({1, 2, 5}, torch::kInt64);
  for (const std::string kind : {"tcn", "gru", "lstm", "dlinear", "stgnn"}) {
    torch::manual_seed(1);
    RunConfig cfg = config(kind);
    cfg.model.dropout = 0.0;
    model::Forecaster f = model::make_forecaster(cfg, model::kNumFeatures, kHorizon);
    ASSERT_TRUE(f->trainable()) << kind;
    f->train();
    torch::optim::Adam opt(f->parameters(), torch::optim::AdamOptions(0.02));
    double first = 0, final = 0;
    for (int step = 0; step < 150; ++step) {
      opt.zero_grad();
      model::ForecastOutput out = f->forward(b);
      ASSERT_EQ(out.y_hat.sizes(), (std::vector<int64_t>{kRows, kHorizon})) << kind;
      model::LossTerms l = f->loss(out, b, cfg.model);
      l.total.backward();
      if (step == 0) {
        first = l.total.item<double>();
        for (const auto& p : f->named_parameters())
          EXPECT_TRUE(p.value().grad().defined() && p.value().grad().abs().sum().item<double>() > 0)
              << kind << ": no gradient reaches " << p.key();
      }
      final = l.total.item<double>();
      opt.step();
    }
    EXPECT_LT(final, 0.5 * first) << kind;
  }
}

TEST(Baselines, RegistryBuildsEveryKindAndAblationPresetsSetTheirSwitch) {
  RunConfig base;
  base.data.window = 28;
  for (const model::ForecasterSpec& s : model::forecaster_registry()) {
    RunConfig cfg = model::config_for(s.name, base);
    model::Forecaster f = model::make_forecaster(cfg, model::kNumFeatures, 7);
    ASSERT_TRUE(f) << s.name;
    EXPECT_EQ(f->kind(), cfg.model.kind);
    EXPECT_EQ(f->trainable(), s.family != "statistical") << s.name;
  }
  EXPECT_FALSE(model::config_for("dnts-no-gcn", base).model.gcn);
  EXPECT_FALSE(model::config_for("dnts-no-hypergraph", base).model.hypergraph);
  EXPECT_FALSE(model::config_for("dnts-no-activation", base).model.activation);
  EXPECT_TRUE(model::config_for("dnts-one-stage", base).model.one_stage);
  EXPECT_THROW(model::config_for("prophet", base), ConfigError);
  RunConfig bad;
  EXPECT_THROW(
      {
        bad.apply_json(nlohmann::json::parse(R"({"model": {"kind": "dnts-no-gcn"}})"), "test");
        bad.validate();
      },
      ConfigError);  // a preset is not an architecture
}

}  // namespace
}  // namespace dnts
