// Local Spatial Module layer (METHOD.md §4.2; GraphSAGE mean aggregator, Hamilton et al. NeurIPS 2017).
#include "dnts/nn/sage_conv.h"

#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "dnts/error.h"
#include "dnts/nn/shape.h"

namespace dnts::nn {
SageConvImpl::SageConvImpl(SageConvOptions options_) : options(std::move(options_)) { reset(); }

void SageConvImpl::reset() {
  std::vector<std::string> bad;
  if (options.in_dim() < 1) bad.push_back(fmt::format("in_dim = {}: must be >= 1", options.in_dim()));
  if (options.out_dim() < 1) bad.push_back(fmt::format("out_dim = {}: must be >= 1", options.out_dim()));
  DNTS_CHECK(bad.empty(), ConfigError, "SageConvOptions: {}", fmt::join(bad, "; "));
  self = register_module(
      "self", torch::nn::Linear(torch::nn::LinearOptions(options.in_dim(), options.out_dim()).bias(options.bias())));
  neigh = register_module(
      "neigh", torch::nn::Linear(torch::nn::LinearOptions(options.in_dim(), options.out_dim()).bias(false)));
}

// x: [N, Din], src: [P] int64, dst: [P] int64 -> [N, Dout]
torch::Tensor SageConvImpl::forward(const torch::Tensor& x, const torch::Tensor& src, const torch::Tensor& dst) {
  const int64_t in_dim = options.in_dim();
  DNTS_CHECK(x.defined() && x.dim() == 2 && x.size(1) == in_dim, ShapeError,
             "SageConv: x must be [N, Din = {}], got {}", in_dim, shape_str(x));
  const torch::Tensor& weight = self->weight;
  DNTS_CHECK(x.scalar_type() == weight.scalar_type() && x.device() == weight.device(), ShapeError,
             "SageConv: x must be {} like the parameters, got {}", type_str(weight), type_str(x));
  DNTS_CHECK(src.defined() && src.dim() == 1 && src.scalar_type() == torch::kLong && src.device() == x.device(),
             ShapeError, "SageConv: src must be [P] Long on {}, got {} {}", x.device().str(), shape_str(src),
             type_str(src));
  DNTS_CHECK(dst.defined() && dst.dim() == 1 && dst.scalar_type() == torch::kLong && dst.device() == x.device(),
             ShapeError, "SageConv: dst must be [P] Long on {}, got {} {}", x.device().str(), shape_str(dst),
             type_str(dst));
  DNTS_CHECK(src.size(0) == dst.size(0), ShapeError, "SageConv: src and dst must both be [P], got src {} and dst {}",
             shape_str(src), shape_str(dst));
  const int64_t rows = x.size(0);
  const int64_t pairs = src.size(0);
  if (pairs > 0) {  // one host sync for all four bounds
    const torch::Tensor bounds = torch::stack({src.min(), src.max(), dst.min(), dst.max()}).cpu();
    const auto b = bounds.accessor<int64_t, 1>();
    DNTS_CHECK(b[0] >= 0 && b[1] < rows, ShapeError, "SageConv: src must hold rows in [0, N = {}), got [{}, {}]",
               rows, b[0], b[1]);
    DNTS_CHECK(b[2] >= 0 && b[3] < rows, ShapeError, "SageConv: dst must hold rows in [0, N = {}), got [{}, {}]",
               rows, b[2], b[3]);
  }

  // mean_{p: src[p] = m} x[dst[p]], 0 for a row without pairs: O(P · Din), no N x N matrix.
  const torch::Tensor sum =
      torch::zeros({rows, in_dim}, x.options()).index_add(0, src, x.index_select(0, dst));  // [N, Din]
  const torch::Tensor count =
      torch::zeros({rows}, x.options()).index_add(0, src, torch::ones({pairs}, x.options()));  // [N]
  const torch::Tensor mean = sum / count.clamp_min(1.0).unsqueeze(1);                        // [N, Din]
  torch::Tensor out = self->forward(x) + neigh->forward(mean);                               // [N, Dout]
  return options.relu() ? torch::relu(out) : out;
}

void SageConvImpl::pretty_print(std::ostream& stream) const {
  stream << fmt::format("dnts::nn::SageConv(in_dim={}, out_dim={}, bias={}, relu={})", options.in_dim(),
                        options.out_dim(), options.bias(), options.relu());
}

}  // namespace dnts::nn
