// Global Hypergraph Module (GHM) layer of DNTS, METHOD.md §4.3: HGNN hypergraph convolution over
// (item, promoter) vertices and per-promoter / per-item hyperedges, computed sparsely from incidence
// pairs. Reference: Feng, You, Zhang, Ji, Gao, "Hypergraph Neural Networks" (AAAI 2019), eq. (11):
// X' = σ(Dv^-1/2 H W De^-1 Hᵀ Dv^-1/2 X Θ).
#pragma once

#include <cstdint>
#include <ostream>

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace dnts::nn {

/// Options for `HypergraphConv`.
///
///   X' = act( Dv^-1/2 H De^-1 Hᵀ Dv^-1/2 X Θ + b )
///
/// with H the N x E incidence matrix (entries = multiplicity of the (vertex, hyperedge) pair), unit
/// hyperedge weights (W = I), Dv = H 1 and De = Hᵀ 1. Vertices or hyperedges of degree 0 contribute 0
/// (never NaN/Inf), so an isolated vertex gets act(b). The bias is added after the propagation, as in
/// PyTorch Geometric's HypergraphConv (propagating it would scale it by the operator).
///
/// Example:
/// ```
/// dnts::nn::HypergraphConv ghm(dnts::nn::HypergraphConvOptions(/*in_dim=*/32, /*out_dim=*/16));
/// torch::Tensor g = ghm(x, vertex, hyperedge, /*num_hyperedges=*/E);  // [N, 32] -> [N, 16]
/// ```
struct HypergraphConvOptions {
  HypergraphConvOptions(int64_t in_dim, int64_t out_dim) : in_dim_(in_dim), out_dim_(out_dim) {}

  /// Din: input embedding size per vertex (>= 1).
  TORCH_ARG(int64_t, in_dim);
  /// Dout: output embedding size per vertex (>= 1).
  TORCH_ARG(int64_t, out_dim);
  /// Adds the learnable bias b (held by `theta`, applied after the propagation).
  TORCH_ARG(bool, bias) = true;
  /// Applies ReLU (σ) to the output.
  TORCH_ARG(bool, relu) = true;
};

/// HGNN convolution from Q incidence pairs, sparse: O(Q · Dout) plus the N x Din x Dout projection.
///
/// Registered names (checkpoint keys; stable API):
///   theta.weight [Dout, Din], theta.bias [Dout] (when bias)
class HypergraphConvImpl : public torch::nn::Cloneable<HypergraphConvImpl> {
 public:
  HypergraphConvImpl(int64_t in_dim, int64_t out_dim)
      : HypergraphConvImpl(HypergraphConvOptions(in_dim, out_dim)) {}
  explicit HypergraphConvImpl(HypergraphConvOptions options);

  /// Validates the options (dnts::ConfigError) and (re)builds `theta`.
  void reset() override;

  /// x: [N, Din] vertex embeddings; vertex, hyperedge: [Q] int64 on x's device, pair q meaning
  /// "vertex[q] belongs to hyperedge[q]" (vertex in [0, N), hyperedge in [0, num_hyperedges));
  /// num_hyperedges: E >= 0 -> [N, Dout]. Throws dnts::ShapeError on a broken contract.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& vertex, const torch::Tensor& hyperedge,
                        int64_t num_hyperedges);

  /// Prints `dnts::nn::HypergraphConv(in_dim=…, out_dim=…, bias=…, relu=…)`.
  void pretty_print(std::ostream& stream) const override;

  /// The options this module was built with.
  HypergraphConvOptions options;

  torch::nn::Linear theta{nullptr};
};

/// Holder for `HypergraphConvImpl` (shared ownership, LibTorch module idiom).
TORCH_MODULE(HypergraphConv);

}  // namespace dnts::nn
