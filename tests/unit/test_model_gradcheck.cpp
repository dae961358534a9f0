// Finite-difference gradient checks of the DNTS model in double precision (STYLE point 13): each loss
// term of dnts_loss (log1p / poisson / tweedie regressions, horizon totals, the two BCE-on-logits
// terms) w.r.t. the forward outputs and logits, aggregate_descendants w.r.t. its routing weights and
// its base, and the whole model's total loss w.r.t. every parameter and the input features, in eval
// mode for the full model and every ablation, and in training mode with the Gumbel noise re-seeded on
// every call. Tiny sizes; tests/unit/test_nn_layers.cpp checks the layers alone.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "dnts/config.h"
#include "dnts/model/dnts_model.h"
#include "support/gradcheck.h"
#include "support/tiny_batch.h"

using namespace dnts;

namespace {

const auto kF64 = torch::TensorOptions().dtype(torch::kDouble);
const auto kI64 = torch::TensorOptions().dtype(torch::kLong);

ModelConfig tiny_config() {
  ModelConfig c;
  c.embed_dim = 6;
  c.channels = 4;
  c.kernels = {2, 3};
  c.tcm_layers = 2;
  c.sample_k = 4;
  c.dropout = 0.0;
  c.lambda_total = 0.5;  // explicit: the horizon-total term is checked whatever the default
  return c;
}

std::vector<test::NamedTensor> named_params(const torch::nn::Module& m) {
  std::vector<test::NamedTensor> out;
  for (const auto& p : m.named_parameters()) out.emplace_back(p.key(), p.value());
  return out;
}

// Forward outputs as leaves, with the batch targets they are scored against: 4 rows, 3 buckets, 3 pairs.
struct LossFixture {
  model::Batch batch;
  model::ForecastOutput out;
  LossFixture() {
    batch.y = torch::tensor({{0.0, 3.0, 1.0}, {1.0, 0.0, 40.0}, {2.0, 2.0, 0.0}, {0.0, 0.0, 5.0}}, kF64);
    batch.s = torch::tensor({{0.0, 1.0, 1.0}, {1.0, 0.0, 3.0}, {0.0, 2.0, 0.0}, {0.0, 0.0, 2.0}}, kF64);
    batch.active = (batch.s > 0).to(torch::kDouble);
    // Row 3 is masked entirely: it has no horizon total to score either.
    batch.mask = torch::tensor({{1.0, 1.0, 1.0}, {1.0, 0.0, 1.0}, {1.0, 1.0, 0.0}, {0.0, 0.0, 0.0}}, kF64);
    batch.route = torch::tensor({{1.0, 0.25, 0.0}, {0.5, 1.0, 0.0}, {0.0, 0.0, 0.75}}, kF64);
    batch.route_known = torch::tensor({{1.0, 1.0, 0.0}, {1.0, 0.0, 1.0}, {0.0, 1.0, 1.0}}, kF64);
    torch::manual_seed(21);
    // Predictions > 0 (the regression losses take logs), from near 0 to the heavy tail.
    out.y_hat = (torch::rand({4, 3}, kF64) * 4 + 0.05).index_put_({1, 2}, 30.0).requires_grad_(true);
    out.self_hat = (torch::rand({4, 3}, kF64) * 2 + 0.02).requires_grad_(true);
    out.active_logit = (torch::randn({4, 3}, kF64) * 2).requires_grad_(true);
    out.route_logit = (torch::randn({3, 3}, kF64) * 2).requires_grad_(true);
    out.p_active = torch::sigmoid(out.active_logit.detach());
    out.route_weight = torch::sigmoid(out.route_logit.detach());
  }
  std::vector<test::NamedTensor> inputs() const {
    return {{"y_hat", out.y_hat},
            {"self_hat", out.self_hat},
            {"active_logit", out.active_logit},
            {"route_logit", out.route_logit}};
  }
};

}  // namespace

TEST(ModelGradcheck, EachLossTermWrtOutputsAndLogits) {
  LossFixture fx;
  struct Term {
    const char* loss;  // cfg.loss
    const char* term;  // LossTerms member
  };
  for (Term t : {Term{"log1p", "main"}, Term{"log1p", "self"}, Term{"poisson", "main"}, Term{"poisson", "self"},
                 Term{"tweedie", "main"}, Term{"tweedie", "self"}, Term{"log1p", "horizon_total"},
                 Term{"poisson", "horizon_total"}, Term{"tweedie", "horizon_total"}, Term{"log1p", "desc"},
                 Term{"log1p", "active"}, Term{"tweedie", "total"}}) {
    SCOPED_TRACE(std::string(t.loss) + " " + t.term);
    ModelConfig cfg;
    cfg.loss = t.loss;
    cfg.tweedie_power = 1.4;
    cfg.lambda_total = 0.7;
    const std::string term = t.term;
    auto f = [&] {
      const model::LossTerms l = model::dnts_loss(fx.out, fx.batch, cfg);
      if (term == "main") return l.main;
      if (term == "self") return l.self;
      if (term == "desc") return l.desc;
      if (term == "active") return l.active;
      if (term == "horizon_total") return l.horizon_total;
      return l.total;
    };
    ASSERT_NE(f().item<double>(), 0.0) << "the term is switched off: the check would be vacuous";
    test::GradcheckOptions opt;
    opt.max_entries = 12;  // every entry
    const auto r = test::gradcheck(f, fx.inputs(), opt);
    EXPECT_TRUE(r.ok) << r.message();
    EXPECT_EQ(r.checked, 12 + 12 + 12 + 9);
    // Masked cells get exactly zero gradient, as do the outputs a term does not read.
    const auto grads =
        torch::autograd::grad({f()}, {fx.out.y_hat, fx.out.self_hat, fx.out.active_logit, fx.out.route_logit}, {},
                              false, false, /*allow_unused=*/true);
    const torch::Tensor row_mask = fx.batch.mask == 0, pair_mask = fx.batch.route_known == 0;
    for (size_t i = 0; i < 4; ++i) {
      if (!grads[i].defined()) continue;
      const torch::Tensor& m = i < 3 ? row_mask : pair_mask;
      EXPECT_EQ(grads[i].masked_select(m).abs().max().item<double>(), 0.0) << "input " << i;
    }
    if (term == "main" || term == "horizon_total") {
      EXPECT_FALSE(grads[1].defined() || grads[2].defined() || grads[3].defined());
    } else if (term == "desc") {
      EXPECT_FALSE(grads[0].defined() || grads[1].defined() || grads[2].defined());
    } else if (term == "active") {
      EXPECT_FALSE(grads[0].defined() || grads[1].defined() || grads[3].defined());
    }
  }
}

TEST(ModelGradcheck, AggregateDescendantsWrtWeightAndBase) {
  // Row 5 has no descendants, rows 1 and 3 are descendants of two rows, and (4, 6) appears twice.
  const torch::Tensor src = torch::tensor(std::vector<int64_t>{0, 0, 1, 2, 4, 4, 4}, kI64);
  const torch::Tensor dst = torch::tensor(std::vector<int64_t>{1, 2, 3, 3, 6, 6, 1}, kI64);
  torch::manual_seed(22);
  const torch::Tensor weight = torch::rand({7, 3}, kF64).requires_grad_(true);
  const torch::Tensor base = (torch::rand({7, 3}, kF64) * 5).requires_grad_(true);
  const torch::Tensor probe = torch::randn({7, 3}, kF64);
  test::GradcheckOptions opt;
  opt.max_entries = 21;  // every entry
  const auto r = test::gradcheck([&] { return (model::aggregate_descendants(src, dst, weight, base) * probe).sum(); },
                                 {{"weight", weight}, {"base", base}}, opt);
  EXPECT_TRUE(r.ok) << r.message();
  EXPECT_EQ(r.checked, 42);
}

TEST(ModelGradcheck, FullModelTotalLossWrtEveryParameterAndInput) {
  const ModelConfig cfg = tiny_config();
  torch::manual_seed(23);
  model::DntsModel m(cfg, 3, 3);
  m->to(torch::kDouble);
  m->eval();
  model::Batch b = test::tiny_batch({3, 9, 3, true, 24});
  b.x.requires_grad_(true);
  auto inputs = named_params(*m);
  ASSERT_EQ(inputs.size(), 46u);
  inputs.emplace_back("x", b.x);
  test::GradcheckOptions opt;
  opt.max_entries = 16;
  opt.skip_nonsmooth = true;  // ReLU kinks in the GCN, hypergraph, fusion and routing MLPs
  const auto r = test::gradcheck([&] { return model::dnts_loss(m->forward(b), b, cfg).total; }, inputs, opt);
  EXPECT_TRUE(r.ok) << r.message();
  std::printf("full model: %s\n", r.message().c_str());
  EXPECT_GT(r.checked, 450);
  EXPECT_LT(r.skipped, 5);
}

TEST(ModelGradcheck, EveryAblationTotalLossWrtParametersAndInput) {
  struct Variant {
    const char* name;
    bool gcn, hyper, active, one_stage;
    const char* loss;
    bool pairs;
  };
  for (Variant v : {Variant{"no-gcn", false, true, true, false, "log1p", true},
                    Variant{"no-hypergraph", true, false, true, false, "poisson", true},
                    Variant{"no-activation", true, true, false, false, "tweedie", true},
                    Variant{"one-stage", true, true, true, true, "log1p", true},
                    Variant{"no-pairs", true, true, true, false, "log1p", false}}) {
    SCOPED_TRACE(v.name);
    ModelConfig cfg = tiny_config();
    cfg.gcn = v.gcn;
    cfg.hypergraph = v.hyper;
    cfg.activation = v.active;
    cfg.one_stage = v.one_stage;
    cfg.loss = v.loss;
    torch::manual_seed(25);
    model::DntsModel m(cfg, 3, 3);
    m->to(torch::kDouble);
    m->eval();
    model::Batch b = test::tiny_batch({3, 9, 3, v.pairs, 26});
    b.x.requires_grad_(true);
    auto inputs = named_params(*m);
    inputs.emplace_back("x", b.x);
    test::GradcheckOptions opt;
    opt.max_entries = 5;
    opt.skip_nonsmooth = true;
    const auto r = test::gradcheck([&] { return model::dnts_loss(m->forward(b), b, cfg).total; }, inputs, opt);
    EXPECT_TRUE(r.ok) << r.message();
    std::printf("%s: %s\n", v.name, r.message().c_str());
    EXPECT_GT(r.checked, 100);
  }
}

TEST(ModelGradcheck, TrainingModeGumbelRoutingWithFixedNoise) {
  // Training mode draws Gumbel noise for the relaxed routing weight; re-seeding before every forward
  // fixes the noise, so the relaxed sample sigmoid((ℓ + g1 - g2) / τ) is a smooth function to check.
  const ModelConfig cfg = tiny_config();
  torch::manual_seed(27);
  model::DntsModel m(cfg, 3, 3);
  m->to(torch::kDouble);
  m->train();
  model::Batch b = test::tiny_batch({3, 9, 3, true, 28});
  b.x.requires_grad_(true);
  auto inputs = named_params(*m);
  inputs.emplace_back("x", b.x);
  auto f = [&] {
    torch::manual_seed(29);
    return model::dnts_loss(m->forward(b, /*tau=*/0.7), b, cfg).total;
  };
  // The noise really is fixed, and really is there (the weight differs from eval's probability).
  torch::manual_seed(29);
  const model::ForecastOutput a = m->forward(b, 0.7);
  torch::manual_seed(29);
  const model::ForecastOutput c = m->forward(b, 0.7);
  ASSERT_TRUE(torch::equal(a.route_weight, c.route_weight));
  EXPECT_FALSE(torch::allclose(a.route_weight, torch::sigmoid(a.route_logit)));
  test::GradcheckOptions opt;
  opt.max_entries = 5;
  opt.skip_nonsmooth = true;
  const auto r = test::gradcheck(f, inputs, opt);
  EXPECT_TRUE(r.ok) << r.message();
  std::printf("training mode: %s\n", r.message().c_str());
  EXPECT_GT(r.checked, 150);
}
