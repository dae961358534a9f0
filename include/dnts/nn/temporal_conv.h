// Temporal Convolution Module (TCM) of DNTS, METHOD.md §4.1: an MTGNN-style dilated inception
// convolution over each node's L-bucket feature series, gated tanh ⊙ sigmoid, residual blocks, and a
// linear read-out of the last time step. Reference: Wu et al., "Connecting the Dots: Multivariate
// Time Series Forecasting with Graph Neural Networks" (MTGNN, KDD 2020), dilated inception layer.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <ostream>
#include <vector>

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace dnts::nn {

/// Default inception kernel sizes of `TemporalConvOptions::kernels` (MTGNN's).
inline constexpr std::array<int64_t, 4> kDefaultTemporalKernels = {2, 3, 6, 7};

/// Options for `TemporalConv`. Required sizes go to the constructor; the rest are `TORCH_ARG`s.
///
/// Per block b (b = 0 .. layers-1) with dilation d = dilation_base^b:
///   filter = inception_f(x), gate = inception_g(x), h = dropout(tanh(filter) * sigmoid(gate)),
///   x = x + residual_b(h)
/// where an inception concatenates one causal Conv1d branch per kernel size k (left zero padding
/// (k-1)*d, so the length stays L), each with channels / len(kernels) output channels.
///
/// Example:
/// ```
/// dnts::nn::TemporalConv tcm(dnts::nn::TemporalConvOptions(/*in_features=*/10, /*channels=*/32,
///                                                          /*out_dim=*/16).layers(3).dropout(0.1));
/// torch::Tensor emb = tcm(features);  // [N, 28, 10] -> [N, 16]
/// ```
struct TemporalConvOptions {
  TemporalConvOptions(int64_t in_features, int64_t channels, int64_t out_dim)
      : in_features_(in_features), channels_(channels), out_dim_(out_dim) {}

  /// F: input features per time step (>= 1).
  TORCH_ARG(int64_t, in_features);
  /// C: hidden channels of every block; must be divisible by kernels().size().
  TORCH_ARG(int64_t, channels);
  /// D: size of the output embedding per node (>= 1).
  TORCH_ARG(int64_t, out_dim);
  /// Kernel sizes of the parallel inception branches (each >= 1). MTGNN's {2, 3, 6, 7}.
  TORCH_ARG(std::vector<int64_t>, kernels) =
      std::vector<int64_t>(kDefaultTemporalKernels.begin(), kDefaultTemporalKernels.end());
  /// Number of gated residual blocks (>= 1).
  TORCH_ARG(int64_t, layers) = 2;
  /// Block b uses dilation dilation_base^b (>= 1).
  TORCH_ARG(int64_t, dilation_base) = 2;
  /// Dropout probability on the gated output h of every block, in [0, 1). Active in train() only.
  TORCH_ARG(double, dropout) = 0.0;
};

/// Dilated inception temporal convolution: x [N, L, F] -> temporal embedding [N, D].
///
/// Registered names (checkpoint keys; stable API):
///   start.{weight,bias}                    1x1 input projection F -> C          (Conv1d)
///   filter.<b>.<j>.{weight,bias}           block b, branch j (kernel kernels[j]) (Conv1d C -> C/K)
///   gate.<b>.<j>.{weight,bias}             same, gate path                       (Conv1d C -> C/K)
///   residual.<b>.{weight,bias}             1x1 conv on h before the residual add (Conv1d C -> C)
///   head.{weight,bias}                     read-out of the last time step        (Linear C -> D)
class TemporalConvImpl : public torch::nn::Cloneable<TemporalConvImpl> {
 public:
  TemporalConvImpl(int64_t in_features, int64_t channels, int64_t out_dim)
      : TemporalConvImpl(TemporalConvOptions(in_features, channels, out_dim)) {}
  explicit TemporalConvImpl(TemporalConvOptions options);

  /// Validates the options (throws dnts::ConfigError naming every bad field) and (re)builds and
  /// registers every submodule with fresh default-initialised weights.
  void reset() override;

  /// x: [N, L, F] (N nodes, L time steps, oldest first, F = in_features) -> [N, D] (D = out_dim).
  /// Causal: the output depends only on the last receptive_field() steps of x. Works on the
  /// device and floating dtype of x (the module's parameters must match). Throws dnts::ShapeError.
  torch::Tensor forward(const torch::Tensor& x);

  /// Number of trailing time steps the output depends on: 1 + (max(kernels) - 1) * Σ_b base^b.
  int64_t receptive_field() const;

  /// Prints `dnts::nn::TemporalConv(in_features=…, channels=…, …)`.
  void pretty_print(std::ostream& stream) const override;

  /// The options this module was built with.
  TemporalConvOptions options;

  torch::nn::Conv1d start{nullptr};       ///< "start": 1x1 projection F -> C
  torch::nn::ModuleList filter{nullptr};  ///< "filter": per block, a ModuleList of Conv1d branches
  torch::nn::ModuleList gate{nullptr};    ///< "gate": same shapes as `filter`
  torch::nn::ModuleList residual{nullptr};  ///< "residual": per block, a 1x1 Conv1d C -> C
  torch::nn::Linear head{nullptr};        ///< "head": Linear C -> D on the last time step
  // Branches are reached through the ModuleLists at forward time, never cached: clone() replaces the
  // lists' elements in place, which would leave cached holders pointing at the wrong modules.

 private:
  /// The tap index of a block (steps T, taps K, dilation d) on a device: built on first use, then
  /// reused by every forward (constant data; no per-step allocation). Safe under concurrent forwards.
  torch::Tensor taps_index(int64_t steps, int64_t taps, int64_t dilation, const torch::Device& device);
  /// Cache of taps_index; a copy (clone()) starts empty.
  struct TapsCache {
    std::mutex mutex;
    std::map<std::tuple<int64_t, int64_t, int64_t, std::string>, torch::Tensor> index;
    TapsCache() = default;
    TapsCache(const TapsCache&) {}
    TapsCache& operator=(const TapsCache&) { return *this; }
  };
  TapsCache taps_cache_;
};

/// Holder for `TemporalConvImpl` (shared ownership, LibTorch module idiom).
TORCH_MODULE(TemporalConv);

}  // namespace dnts::nn
