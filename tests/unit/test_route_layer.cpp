// The routing MLP's first layer in its two forms (route_first_layer): concatenated pairs, or the
// z_m and z_c blocks computed on the rows and gathered. Same values and gradients.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "dnts/model/dnts_model.h"

TEST(Model, FactoredRoutingLayerEqualsTheConcatenation) {
  torch::manual_seed(41);
  const int64_t N = 7, D = 5, P = 20;  // P > 2N: the form the model takes for many pairs
  auto opts = torch::TensorOptions().dtype(torch::kDouble);
  torch::Tensor src = torch::randint(0, N, {P}, torch::kLong), dst = torch::randint(0, N, {P}, torch::kLong);
  std::vector<torch::Tensor> grads[2], outs;
  for (bool factored : {false, true}) {
    torch::manual_seed(43);
    torch::Tensor z = torch::randn({N, D}, opts).requires_grad_(true);
    torch::Tensor w = torch::randn({D, 3 * D}, opts).requires_grad_(true);
    torch::Tensor b = torch::randn({D}, opts).requires_grad_(true);
    torch::Tensor out = dnts::model::route_first_layer(z, src, dst, w, b, factored);
    ASSERT_EQ(out.sizes(), (std::vector<int64_t>{P, D}));
    (out * torch::arange(P * D, opts).reshape({P, D})).sum().backward();
    outs.push_back(out.detach());
    grads[factored] = {z.grad(), w.grad(), b.grad()};
  }
  EXPECT_TRUE(torch::allclose(outs[0], outs[1], 1e-12, 1e-12));
  for (size_t k = 0; k < 3; ++k) EXPECT_TRUE(torch::allclose(grads[0][k], grads[1][k], 1e-12, 1e-10)) << k;
}
