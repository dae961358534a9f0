// Local Spatial Module (LSM) layer of DNTS, METHOD.md §4.2: an inductive GraphSAGE-style convolution
// over the DFS-sampled descendants of each node (own embedding and mean of the sampled descendants'
// embeddings, each with its own weights). Reference: Hamilton, Ying, Leskovec, "Inductive
// Representation Learning on Large Graphs" (NeurIPS 2017), mean aggregator, eq. for h_v^k.
#pragma once

#include <cstdint>
#include <ostream>

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace dnts::nn {

/// Options for `SageConv`.
///
///   out[m] = act( W_self x[m] + W_neigh · mean_{p : src[p] = m} x[dst[p]] + b )
///
/// with the mean taken as 0 for a row with no pairs, and act = ReLU when relu() is set.
///
/// Example:
/// ```
/// dnts::nn::SageConv gcn(dnts::nn::SageConvOptions(/*in_dim=*/16, /*out_dim=*/16).relu(false));
/// torch::Tensor h = gcn(x, src, dst);  // [N, 16], [P], [P] -> [N, 16]
/// ```
struct SageConvOptions {
  SageConvOptions(int64_t in_dim, int64_t out_dim) : in_dim_(in_dim), out_dim_(out_dim) {}

  /// Din: input embedding size per node (>= 1).
  TORCH_ARG(int64_t, in_dim);
  /// Dout: output embedding size per node (>= 1).
  TORCH_ARG(int64_t, out_dim);
  /// Adds the learnable bias b (held by the `self` linear map).
  TORCH_ARG(bool, bias) = true;
  /// Applies ReLU to the output; false gives the plain affine aggregate (e.g. for a last layer).
  TORCH_ARG(bool, relu) = true;
};

/// GraphSAGE mean-aggregator convolution over (node, sampled descendant) pairs, sparse: O(P · Din).
///
/// Registered names (checkpoint keys; stable API):
///   self.weight [Dout, Din], self.bias [Dout] (when bias)   W_self and b
///   neigh.weight [Dout, Din]                                W_neigh (no bias of its own)
class SageConvImpl : public torch::nn::Cloneable<SageConvImpl> {
 public:
  SageConvImpl(int64_t in_dim, int64_t out_dim) : SageConvImpl(SageConvOptions(in_dim, out_dim)) {}
  explicit SageConvImpl(SageConvOptions options);

  /// Validates the options (dnts::ConfigError) and (re)builds `self` and `neigh`.
  void reset() override;

  /// x: [N, Din] node embeddings; src, dst: [P] int64 on x's device, pair p meaning "row dst[p] is a
  /// sampled descendant of row src[p]" (values in [0, N); duplicates count with multiplicity)
  /// -> [N, Dout]. Throws dnts::ShapeError on a broken contract (shapes, dtypes, devices, range).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& src, const torch::Tensor& dst);

  /// Prints `dnts::nn::SageConv(in_dim=…, out_dim=…, bias=…, relu=…)`.
  void pretty_print(std::ostream& stream) const override;

  /// The options this module was built with.
  SageConvOptions options;

  torch::nn::Linear self{nullptr};
  torch::nn::Linear neigh{nullptr};
};

/// Holder for `SageConvImpl` (shared ownership, LibTorch module idiom).
TORCH_MODULE(SageConv);

}  // namespace dnts::nn
