// The engine's dropout (dnts::nn::uniform_dropout) and its relaxed-routing noise draw: the same
// distributions as torch::dropout and as the difference of two Gumbel variables.
#include <gtest/gtest.h>

#include <cmath>

#include <torch/torch.h>

#include "dnts/nn/dropout.h"

TEST(NnUniformDropout, KeepsOneMinusPScaledAndIsIdentityInEval) {
  torch::manual_seed(3);
  const double p = 0.3;
  const torch::Tensor x = torch::ones({400, 500});
  const torch::Tensor y = dnts::nn::uniform_dropout(x, p, /*training=*/true);
  const torch::Tensor kept = y != 0;
  EXPECT_NEAR(kept.to(torch::kDouble).mean().item<double>(), 1 - p, 5e-3);  // 200k draws: sd ~1e-3
  EXPECT_TRUE(torch::allclose(y.masked_select(kept), torch::full({1}, 1.0 / (1 - p))));
  EXPECT_TRUE(torch::equal(dnts::nn::uniform_dropout(x, p, /*training=*/false), x));
  EXPECT_TRUE(torch::equal(dnts::nn::uniform_dropout(x, 0.0, /*training=*/true), x));
  // The gradient is the scaled keep mask.
  torch::Tensor a = torch::randn({50, 40}, torch::kDouble).requires_grad_(true);
  torch::Tensor b = dnts::nn::uniform_dropout(a, p, true);
  b.sum().backward();
  EXPECT_TRUE(torch::allclose(a.grad(), (b.detach() != 0).to(torch::kDouble) / (1 - p)));
  // As a module: active in train() only.
  dnts::nn::UniformDropout m(p);
  m->eval();
  EXPECT_TRUE(torch::equal(m(x), x));
}

TEST(NnUniformDropout, OneUniformLogisticNoiseMatchesTheDifferenceOfTwoGumbels) {
  // DntsModelImpl draws g1 - g2 (two standard Gumbel variables) as log(u / (1 - u)), u ~ U(0, 1):
  // both are standard logistic: mean 0, variance π²/3, P(X <= 1) = σ(1).
  torch::manual_seed(5);
  const int64_t n = 400000;
  torch::Tensor u = torch::rand({n}, torch::kDouble).clamp_(1e-10, 1.0 - 1e-7);
  torch::Tensor one = torch::log(u / (1.0 - u));
  auto gumbel = [&] { return -torch::log(-torch::log(torch::rand({n}, torch::kDouble).clamp(1e-10, 1.0 - 1e-10))); };
  torch::Tensor two = gumbel() - gumbel();
  for (const torch::Tensor& t : {one, two}) {
    EXPECT_NEAR(t.mean().item<double>(), 0.0, 0.015);
    EXPECT_NEAR(t.var().item<double>(), M_PI * M_PI / 3.0, 0.03);
    EXPECT_NEAR((t <= 1.0).to(torch::kDouble).mean().item<double>(), 1.0 / (1.0 + std::exp(-1.0)), 0.003);
  }
}
