// The DNTS model end to end on small data: batch layout, sparse aggregation vs dense, gradients,
// every ablation, cold start, and an overfit check.
#include <gtest/gtest.h>

#include "dnts/data/ingest.h"
#include "dnts/error.h"
#include "dnts/data/simulate.h"
#include "dnts/model/dnts_model.h"
#include "dnts/model/subtable.h"
#include "support/sim_data.h"

using namespace dnts;

namespace {

struct SmallData : test::SimData {
  SmallData() : SimData(80, 6, 40, 3) {}
  std::vector<model::SampleRef> samples(int32_t origin) const {
    std::vector<model::SampleRef> s;
    for (uint32_t i = 0; i < ds.items.size(); ++i)
      if (table.items[i].promoters_at(origin) > 0) s.push_back({i, origin});
    return s;
  }
};

ModelConfig small_config() {
  ModelConfig c;
  c.channels = 8;
  c.embed_dim = 8;
  c.kernels = {2, 3};
  c.sample_k = 4;
  c.dropout = 0.0;
  return c;
}

}  // namespace

TEST(Model, SparseAggregationEqualsDenseAndHasGradients) {
  torch::manual_seed(0);
  auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
  const int64_t N = 7, H = 3;
  torch::Tensor src = torch::tensor({0, 0, 1, 4, 4, 4}, torch::kInt64), dst = torch::tensor({1, 2, 3, 5, 6, 0}, torch::kInt64);
  torch::Tensor w = torch::rand({6, H}, f64).requires_grad_(true);
  torch::Tensor base = torch::rand({N, H}, f64).requires_grad_(true);
  torch::Tensor out = model::aggregate_descendants(src, dst, w, base);
  for (int64_t h = 0; h < H; ++h) {
    torch::Tensor dense = torch::zeros({N, N}, f64);
    for (int64_t p = 0; p < 6; ++p) dense[src[p].item<int64_t>()][dst[p].item<int64_t>()] = w[p][h].item<double>();
    EXPECT_TRUE(torch::allclose(out.select(1, h), torch::mv(dense, base.select(1, h).detach()), 1e-12, 1e-12));
  }
  // d out / d w[p, h] = base[dst[p], h]; d out / d base[c, h] = Σ_p w[p, h] [dst[p] = c].
  out.sum().backward();
  EXPECT_TRUE(torch::allclose(w.grad(), base.detach().index_select(0, dst), 1e-12, 1e-12));
  torch::Tensor expect = torch::zeros({N, H}, f64).index_add_(0, dst, w.detach());
  EXPECT_TRUE(torch::allclose(base.grad(), expect, 1e-12, 1e-12));
}

TEST(Model, ForwardShapesGradientsAndEveryAblation) {
  SmallData d;
  torch::manual_seed(1);
  std::mt19937_64 rng(1);
  model::Batch b = model::make_batch(d.ds, d.table, d.samples(20), 14, 5, 4, &rng);
  ASSERT_GT(b.rows(), 10);
  ASSERT_GT(b.pairs(), 0);
  EXPECT_EQ(b.x.sizes(), (std::vector<int64_t>{b.rows(), 14, model::kNumFeatures}));
  EXPECT_EQ(b.route.sizes(), (std::vector<int64_t>{b.pairs(), 5}));
  EXPECT_EQ(b.row_offset.back(), b.rows());
  struct Variant {
    const char* name;
    bool gcn, hyper, active, one_stage;
  };
  for (Variant v : {Variant{"full", true, true, true, false}, Variant{"no-gcn", false, true, true, false},
                    Variant{"no-hypergraph", true, false, true, false}, Variant{"no-activation", true, true, false, false},
                    Variant{"one-stage", true, true, true, true}}) {
    SCOPED_TRACE(v.name);
    ModelConfig cfg = small_config();
    cfg.gcn = v.gcn;
    cfg.hypergraph = v.hyper;
    cfg.activation = v.active;
    cfg.one_stage = v.one_stage;
    model::DntsModel m(cfg, model::kNumFeatures, 5);
    m->train();
    model::ForecastOutput out = m->forward(b, 0.7);
    EXPECT_EQ(out.y_hat.sizes(), (std::vector<int64_t>{b.rows(), 5}));
    EXPECT_TRUE(out.y_hat.ge(0).all().item<bool>());
    EXPECT_TRUE(torch::isfinite(out.y_hat).all().item<bool>());
    model::LossTerms loss = model::dnts_loss(out, b, cfg);
    EXPECT_TRUE(std::isfinite(loss.total.item<double>()));
    loss.total.backward();
    for (const auto& p : m->named_parameters()) {
      ASSERT_TRUE(p.value().grad().defined()) << p.key();
      EXPECT_TRUE(torch::isfinite(p.value().grad()).all().item<bool>()) << p.key();
    }
    if (!v.one_stage) {
      // At inference the routing weight is the probability: deterministic.
      m->eval();
      auto a = m->forward(b), c = m->forward(b);
      EXPECT_TRUE(torch::equal(a.y_hat, c.y_hat));
      EXPECT_TRUE(torch::allclose(a.y_hat, a.self_hat + model::aggregate_descendants(b.pair_src, b.pair_dst, a.route_weight, a.self_hat) + a.growth));
    }
  }
  // A wrong feature width is a shape error naming both shapes.
  model::DntsModel m(small_config(), model::kNumFeatures + 1, 5);
  try {
    m->forward(b);
    FAIL();
  } catch (const dnts::ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("F=" + std::to_string(model::kNumFeatures + 1)), std::string::npos) << e.what();
  }
}

TEST(Model, OverfitsATinyDatasetAndForecastsColdStartRows) {
  SmallData d;
  torch::manual_seed(2);
  std::mt19937_64 rng(2);
  ModelConfig cfg = small_config();
  cfg.channels = 16;
  cfg.embed_dim = 16;
  model::DntsModel m(cfg, model::kNumFeatures, 5);
  torch::optim::Adam opt(m->parameters(), torch::optim::AdamOptions(1e-2));
  std::vector<model::Batch> batches;
  for (int32_t origin : {18, 22, 26}) batches.push_back(model::make_batch(d.ds, d.table, d.samples(origin), 14, 5, 4, &rng));
  auto mean_loss = [&]() {
    double s = 0;
    for (const auto& b : batches) s += model::dnts_loss(m->forward(b, 0.5), b, cfg).main.item<double>();
    return s / double(batches.size());
  };
  m->eval();
  double before = mean_loss();
  m->train();
  for (int step = 0; step < 400; ++step) {
    const auto& b = batches[size_t(step) % batches.size()];
    opt.zero_grad();
    model::LossTerms l = model::dnts_loss(m->forward(b, 0.5), b, cfg);
    l.total.backward();
    opt.step();
  }
  m->eval();
  double after = mean_loss();
  std::printf("overfit: main loss %.4f -> %.4f\n", before, after);
  EXPECT_LT(after, 0.5 * before) << "before " << before << " after " << after;
  // Cold start: rows of promoters and items the model never saw in training get finite forecasts.
  std::vector<model::SampleRef> late = d.samples(38);
  model::Batch cold = model::make_batch(d.ds, d.table, late, 14, 5, 4, nullptr);
  auto out = m->forward(cold);
  EXPECT_TRUE(torch::isfinite(out.y_hat).all().item<bool>());
  EXPECT_GT(cold.rows(), batches[0].rows());  // promoters joined after the training origins
}

TEST(Model, BatchHasRoutingTargets) {
  SmallData d;
  model::Batch b = model::make_batch(d.ds, d.table, d.samples(20), 14, 5, 4, nullptr);
  EXPECT_GT(b.route_known.sum().item<double>(), 0.0) << "pairs " << b.pairs();
  EXPECT_GT(b.route.sum().item<double>(), 0.0);
}

TEST(Model, APredictionDoesNotDependOnOtherOriginsInItsBatch) {
  // Rows of a later origin carry an earlier sample's targets; the hypergraph must not connect them.
  SmallData d;
  torch::manual_seed(4);
  model::DntsModel m(small_config(), model::kNumFeatures, 5);
  m->eval();
  std::vector<model::SampleRef> alone = d.samples(20);
  model::Batch b1 = model::make_batch(d.ds, d.table, alone, 14, 5, 4, nullptr);
  std::vector<model::SampleRef> mixed = alone;
  for (const auto& r : d.samples(23)) mixed.push_back(r);
  model::Batch b2 = model::make_batch(d.ds, d.table, mixed, 14, 5, 4, nullptr);
  auto y1 = m->forward(b1).y_hat;
  auto y2 = m->forward(b2).y_hat.narrow(0, 0, b1.rows());
  EXPECT_TRUE(torch::allclose(y1, y2, 1e-6, 1e-6)) << (y1 - y2).abs().max().item<double>();
}

TEST(Model, TargetsAfterTheCutoffAreMasked) {
  SmallData d;
  model::Batch b = model::make_batch(d.ds, d.table, d.samples(20), 14, 5, 4, nullptr, torch::kCPU, 22);
  // Origin 20: horizon buckets 21..25; only 21 and 22 are at or before the cutoff.
  EXPECT_EQ(b.mask.sum(0).gt(0).sum().item<int64_t>(), 2);
  EXPECT_EQ(b.route_known.narrow(1, 2, 3).sum().item<double>(), 0.0);
}

TEST(Model, LossTermsMatchTheirFormulas) {
  auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
  model::Batch b;
  b.y = torch::tensor({{0.0, 3.0}, {1.0, 0.0}}, f64);
  b.s = torch::tensor({{0.0, 1.0}, {1.0, 0.0}}, f64);
  b.active = (b.s > 0).to(torch::kFloat64);
  b.mask = torch::tensor({{1.0, 1.0}, {1.0, 0.0}}, f64);
  b.route = torch::tensor({{1.0, 0.25}}, f64);
  b.route_known = torch::tensor({{1.0, 0.0}}, f64);
  model::ForecastOutput out;
  out.y_hat = torch::tensor({{0.5, 2.0}, {1.0, 7.0}}, f64);
  out.self_hat = torch::tensor({{0.1, 1.0}, {2.0, 9.0}}, f64);
  out.active_logit = torch::tensor({{-1.0, 2.0}, {0.5, 3.0}}, f64);
  out.p_active = torch::sigmoid(out.active_logit);
  out.route_logit = torch::tensor({{0.3, -4.0}}, f64);
  out.route_weight = torch::sigmoid(out.route_logit);
  ModelConfig cfg;
  model::LossTerms l = model::dnts_loss(out, b, cfg);
  auto sq = [](double p, double t) { return std::pow(std::log1p(p) - std::log1p(t), 2); };
  auto bce = [](double logit, double t) {
    double p = 1 / (1 + std::exp(-logit));
    return -(t * std::log(p) + (1 - t) * std::log(1 - p));
  };
  // Masked means over the 3 known cells (the [1][1] cell is masked).
  EXPECT_NEAR(l.main.item<double>(), (sq(0.5, 0) + sq(2, 3) + sq(1, 1)) / 3, 1e-12);
  EXPECT_NEAR(l.self.item<double>(), cfg.lambda_self * (sq(0.1, 0) + sq(1, 1) + sq(2, 1)) / 3, 1e-12);
  EXPECT_NEAR(l.active.item<double>(), cfg.lambda_active * (bce(-1, 0) + bce(2, 1) + bce(0.5, 1)) / 3, 1e-12);
  EXPECT_NEAR(l.desc.item<double>(), cfg.lambda_desc * bce(0.3, 1.0), 1e-12);  // the unknown share is masked
  // Horizon totals over the scored cells: row 0 ŷ 2.5 vs y 3, row 1 ŷ 1 vs y 1 (its masked cell left out).
  EXPECT_NEAR(l.horizon_total.item<double>(), cfg.lambda_total * (sq(2.5, 3) + sq(1, 1)) / 2, 1e-12);
  EXPECT_GT(cfg.lambda_total, 0.0);
  EXPECT_NEAR(l.total.item<double>(), (l.main + l.self + l.active + l.desc + l.horizon_total).item<double>(), 1e-12);
  // Poisson: ŷ - y log ŷ.
  cfg.loss = "poisson";
  double pois = (0.5 - 0 + 2.0 - 3 * std::log(2.0 + 1e-8) + 1.0 - std::log(1.0 + 1e-8)) / 3;
  EXPECT_NEAR(model::dnts_loss(out, b, cfg).main.item<double>(), pois, 1e-9);
}
