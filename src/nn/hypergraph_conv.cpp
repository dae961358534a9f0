// Global Hypergraph Module layer (METHOD.md §4.3; HGNN, Feng et al. AAAI 2019, eq. 11).
#include "dnts/nn/hypergraph_conv.h"

#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "dnts/error.h"
#include "dnts/nn/shape.h"

namespace dnts::nn {
namespace {

// d^-1/2 where d > 0, else 0 (never Inf/NaN). d: [K] -> [K]
torch::Tensor inv_sqrt_or_zero(const torch::Tensor& d) {
  return torch::where(d > 0, d.clamp_min(1.0).rsqrt(), torch::zeros_like(d));
}

}  // namespace

HypergraphConvImpl::HypergraphConvImpl(HypergraphConvOptions options_) : options(std::move(options_)) { reset(); }

void HypergraphConvImpl::reset() {
  std::vector<std::string> bad;
  if (options.in_dim() < 1) bad.push_back(fmt::format("in_dim = {}: must be >= 1", options.in_dim()));
  if (options.out_dim() < 1) bad.push_back(fmt::format("out_dim = {}: must be >= 1", options.out_dim()));
  DNTS_CHECK(bad.empty(), ConfigError, "HypergraphConvOptions: {}", fmt::join(bad, "; "));
  theta = register_module(
      "theta", torch::nn::Linear(torch::nn::LinearOptions(options.in_dim(), options.out_dim()).bias(options.bias())));
}

// x: [N, Din], vertex: [Q] int64, hyperedge: [Q] int64, num_hyperedges: E -> [N, Dout]
torch::Tensor HypergraphConvImpl::forward(const torch::Tensor& x, const torch::Tensor& vertex,
                                          const torch::Tensor& hyperedge, int64_t num_hyperedges) {
  const int64_t in_dim = options.in_dim();
  DNTS_CHECK(x.defined() && x.dim() == 2 && x.size(1) == in_dim, ShapeError,
             "HypergraphConv: x must be [N, Din = {}], got {}", in_dim, shape_str(x));
  const torch::Tensor& weight = theta->weight;
  DNTS_CHECK(x.scalar_type() == weight.scalar_type() && x.device() == weight.device(), ShapeError,
             "HypergraphConv: x must be {} like the parameters, got {}", type_str(weight), type_str(x));
  DNTS_CHECK(vertex.defined() && vertex.dim() == 1 && vertex.scalar_type() == torch::kLong &&
                 vertex.device() == x.device(),
             ShapeError, "HypergraphConv: vertex must be [Q] Long on {}, got {} {}", x.device().str(),
             shape_str(vertex), type_str(vertex));
  DNTS_CHECK(hyperedge.defined() && hyperedge.dim() == 1 && hyperedge.scalar_type() == torch::kLong &&
                 hyperedge.device() == x.device(),
             ShapeError, "HypergraphConv: hyperedge must be [Q] Long on {}, got {} {}", x.device().str(),
             shape_str(hyperedge), type_str(hyperedge));
  DNTS_CHECK(vertex.size(0) == hyperedge.size(0), ShapeError,
             "HypergraphConv: vertex and hyperedge must both be [Q], got vertex {} and hyperedge {}",
             shape_str(vertex), shape_str(hyperedge));
  DNTS_CHECK(num_hyperedges >= 0, ShapeError, "HypergraphConv: num_hyperedges must be >= 0, got {}",
             num_hyperedges);
  const int64_t rows = x.size(0);
  const int64_t pairs = vertex.size(0);
  if (pairs > 0) {  // one host sync for all four bounds
    const torch::Tensor bounds =
        torch::stack({vertex.min(), vertex.max(), hyperedge.min(), hyperedge.max()}).cpu();
    const auto b = bounds.accessor<int64_t, 1>();
    DNTS_CHECK(b[0] >= 0 && b[1] < rows, ShapeError,
               "HypergraphConv: vertex must hold rows in [0, N = {}), got [{}, {}]", rows, b[0], b[1]);
    DNTS_CHECK(b[2] >= 0 && b[3] < num_hyperedges, ShapeError,
               "HypergraphConv: hyperedge must hold ids in [0, E = {}), got [{}, {}]", num_hyperedges, b[2], b[3]);
  }

  // Degrees (unit hyperedge weights; a repeated pair counts with its multiplicity, like H's entry).
  const torch::Tensor ones = torch::ones({pairs}, x.options());
  const torch::Tensor dv = torch::zeros({rows}, x.options()).index_add(0, vertex, ones);               // [N]
  const torch::Tensor de = torch::zeros({num_hyperedges}, x.options()).index_add(0, hyperedge, ones);  // [E]
  const torch::Tensor dv_inv_sqrt = inv_sqrt_or_zero(dv).unsqueeze(1);                                 // [N, 1]
  const torch::Tensor de_inv = torch::where(de > 0, de.clamp_min(1.0).reciprocal(), torch::zeros_like(de))
                                   .unsqueeze(1);  // [E, 1]

  // Dv^-1/2 H De^-1 Hᵀ Dv^-1/2 (X Θ), right to left, O(Q · Dout).
  const int64_t out_dim = options.out_dim();
  const torch::Tensor xw = torch::linear(x, weight) * dv_inv_sqrt;  // [N, Dout]
  const torch::Tensor edge = torch::zeros({num_hyperedges, out_dim}, x.options())
                                 .index_add(0, hyperedge, xw.index_select(0, vertex)) *
                             de_inv;  // [E, Dout]
  torch::Tensor out = torch::zeros({rows, out_dim}, x.options()).index_add(0, vertex, edge.index_select(0, hyperedge)) *
                      dv_inv_sqrt;  // [N, Dout]
  if (options.bias()) out = out + theta->bias;
  return options.relu() ? torch::relu(out) : out;
}

void HypergraphConvImpl::pretty_print(std::ostream& stream) const {
  stream << fmt::format("dnts::nn::HypergraphConv(in_dim={}, out_dim={}, bias={}, relu={})", options.in_dim(),
                        options.out_dim(), options.bias(), options.relu());
}

}  // namespace dnts::nn
