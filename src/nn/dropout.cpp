#include "dnts/nn/dropout.h"

#include <torch/torch.h>

namespace dnts::nn {

torch::Tensor uniform_dropout(const torch::Tensor& x, double p, bool training) {
  if (!training || p <= 0.0) return x;
  // One uniform draw and two in-place passes build the scaled keep mask; the product carries the
  // gradient x.grad = grad ⊙ mask, as torch::dropout's does.
  return x * torch::rand_like(x).ge_(p).mul_(1.0 / (1.0 - p));
}

}  // namespace dnts::nn
