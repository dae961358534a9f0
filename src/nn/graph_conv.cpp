#include "dnts/nn/graph_conv.h"

#include <torch/torch.h>

namespace dnts::nn {

torch::Tensor normalized_propagate(const torch::Tensor& h, const torch::Tensor& src, const torch::Tensor& dst) {
  const int64_t n = h.size(0);
  torch::Tensor from = torch::cat({src, dst}), to = torch::cat({dst, src});  // both directions
  torch::Tensor deg = torch::ones({n}, h.options()).index_add(0, to, torch::ones({from.size(0)}, h.options()));
  torch::Tensor inv_sqrt = deg.rsqrt();
  torch::Tensor coef = (inv_sqrt.index_select(0, to) * inv_sqrt.index_select(0, from)).unsqueeze(1);
  torch::Tensor out = h * (inv_sqrt * inv_sqrt).unsqueeze(1);  // self-loop: 1 / deg
  return out.index_add(0, to, h.index_select(0, from) * coef);
}

}  // namespace dnts::nn
