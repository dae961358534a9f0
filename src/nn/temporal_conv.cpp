// Temporal Convolution Module (METHOD.md §4.1; MTGNN dilated inception, Wu et al. KDD 2020).
#include "dnts/nn/temporal_conv.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "dnts/error.h"
#include "dnts/nn/dropout.h"
#include "dnts/nn/shape.h"

namespace dnts::nn {
namespace {

// Collects every bad field before throwing once (STYLE point 6).
void validate(const TemporalConvOptions& o) {
  std::vector<std::string> bad;
  if (o.in_features() < 1) bad.push_back(fmt::format("in_features = {}: must be >= 1", o.in_features()));
  if (o.channels() < 1) bad.push_back(fmt::format("channels = {}: must be >= 1", o.channels()));
  if (o.out_dim() < 1) bad.push_back(fmt::format("out_dim = {}: must be >= 1", o.out_dim()));
  if (o.kernels().empty()) {
    bad.push_back("kernels = []: must hold at least one kernel size");
  } else {
    if (std::any_of(o.kernels().begin(), o.kernels().end(), [](int64_t k) { return k < 1; }))
      bad.push_back(fmt::format("kernels = [{}]: every size must be >= 1", fmt::join(o.kernels(), ", ")));
    const auto n = static_cast<int64_t>(o.kernels().size());
    if (o.channels() >= 1 && o.channels() % n != 0)
      bad.push_back(fmt::format("channels = {}: must be divisible by len(kernels) = {}", o.channels(), n));
  }
  if (o.layers() < 1) bad.push_back(fmt::format("layers = {}: must be >= 1", o.layers()));
  if (o.dilation_base() < 1) bad.push_back(fmt::format("dilation_base = {}: must be >= 1", o.dilation_base()));
  if (!(o.dropout() >= 0.0 && o.dropout() < 1.0))
    bad.push_back(fmt::format("dropout = {}: must be in [0, 1)", o.dropout()));
  DNTS_CHECK(bad.empty(), ConfigError, "TemporalConvOptions: {}", fmt::join(bad, "; "));
}

// One block's filter and gate inceptions as a single weight: every branch (kernel k, dilation d) reads
// the taps t - m*d, m < k, of its input; with K = max(kernels) all branches share the taps
// m < K, and branch k's weight is its Conv1d weight left-padded with K - k zero taps. Rows: filter
// branches then gate branches, in kernels() order, so the output splits into [filter | gate].
// Returns {weight [2C, K*C] ordered (tap q, channel c) with q = K-1-m, bias [2C]}.
std::pair<torch::Tensor, torch::Tensor> block_weight(torch::nn::ModuleListImpl& filter_block,
                                                     torch::nn::ModuleListImpl& gate_block, int64_t k_max) {
  std::vector<torch::Tensor> w, b;
  for (torch::nn::ModuleListImpl* list : {&filter_block, &gate_block}) {
    for (size_t j = 0; j < list->size(); ++j) {
      auto* conv = (*list)[j]->as<torch::nn::Conv1d>();
      const int64_t k = conv->options.kernel_size()->at(0);
      w.push_back(torch::constant_pad_nd(conv->weight, {k_max - k, 0}, 0));  // [C/K, C, K]
      b.push_back(conv->bias);
    }
  }
  torch::Tensor weight = torch::cat(w, 0);  // [2C, C, K]
  return {weight.permute({0, 2, 1}).reshape({weight.size(0), -1}), torch::cat(b, 0)};
}

}  // namespace

TemporalConvImpl::TemporalConvImpl(TemporalConvOptions options_) : options(std::move(options_)) {
  reset();
}

void TemporalConvImpl::reset() {
  validate(options);
  const int64_t channels = options.channels();
  const int64_t branch_channels = channels / static_cast<int64_t>(options.kernels().size());

  start = register_module("start", torch::nn::Conv1d(torch::nn::Conv1dOptions(options.in_features(), channels, 1)));
  filter = register_module("filter", torch::nn::ModuleList());
  gate = register_module("gate", torch::nn::ModuleList());
  residual = register_module("residual", torch::nn::ModuleList());
  int64_t dilation = 1;
  for (int64_t block = 0; block < options.layers(); ++block) {
    torch::nn::ModuleList filter_block, gate_block;
    for (int64_t k : options.kernels()) {
      const auto branch = torch::nn::Conv1dOptions(channels, branch_channels, k).dilation(dilation);
      filter_block->push_back(torch::nn::Conv1d(branch));
      gate_block->push_back(torch::nn::Conv1d(branch));
    }
    filter->push_back(filter_block);
    gate->push_back(gate_block);
    residual->push_back(torch::nn::Conv1d(torch::nn::Conv1dOptions(channels, channels, 1)));
    dilation *= options.dilation_base();
  }
  head = register_module("head", torch::nn::Linear(channels, options.out_dim()));
}

int64_t TemporalConvImpl::receptive_field() const {
  const int64_t k_max = *std::max_element(options.kernels().begin(), options.kernels().end());
  int64_t dilation = 1, span = 0;
  for (int64_t block = 0; block < options.layers(); ++block) {
    span += dilation;
    dilation *= options.dilation_base();
  }
  return 1 + (k_max - 1) * span;
}

// x: [N, L, F] -> [N, D]
torch::Tensor TemporalConvImpl::forward(const torch::Tensor& x) {
  const int64_t in_features = options.in_features();
  DNTS_CHECK(x.defined() && x.dim() == 3 && x.size(1) >= 1 && x.size(2) == in_features, ShapeError,
             "TemporalConv: x must be [N, L >= 1, F = {}], got {}", in_features, shape_str(x));
  const torch::Tensor& weight = head->weight;
  DNTS_CHECK(x.scalar_type() == weight.scalar_type() && x.device() == weight.device(), ShapeError,
             "TemporalConv: x must be {} on {} like the parameters, got {} on {}",
             c10::toString(weight.scalar_type()), weight.device().str(), c10::toString(x.scalar_type()),
             x.device().str());
  const int64_t steps = x.size(1), channels = options.channels(), blocks = options.layers();
  const int64_t k_max = *std::max_element(options.kernels().begin(), options.kernels().end());
  // The read-out uses the last step only, so block b is computed only at the steps the blocks after
  // it read: the last block at t = L-1, each earlier one from first[b] = first[b+1] - (K-1)*d[b+1]
  // (clamped at 0). Each block is one GEMM over its taps (block_weight) instead of 2K small
  // convolutions: the same sums; a DNTS training step on CED Weibo went from 326 ms to 87 ms
  // (DNTS_PROFILE trace, scripts/profile-summary.py), mostly from the convolutions.
  std::vector<int64_t> dilation(static_cast<size_t>(blocks)), first(static_cast<size_t>(blocks));
  for (int64_t b = 0, d = 1; b < blocks; ++b, d *= options.dilation_base()) dilation[size_t(b)] = d;
  first[size_t(blocks - 1)] = steps - 1;
  for (int64_t b = blocks - 1; b > 0; --b)
    first[size_t(b - 1)] = std::max<int64_t>(0, first[size_t(b)] - (k_max - 1) * dilation[size_t(b)]);
  // h holds steps [h_first, L) as [N, T, C].
  int64_t h_first = std::max<int64_t>(0, first[0] - (k_max - 1) * dilation[0]);
  torch::Tensor h = torch::nn::functional::linear(x.narrow(1, h_first, steps - h_first),
                                                  start->weight.squeeze(2), start->bias);
  for (int64_t block = 0; block < blocks; ++block) {
    auto& filter_block = *filter[static_cast<size_t>(block)]->as<torch::nn::ModuleList>();
    auto& gate_block = *gate[static_cast<size_t>(block)]->as<torch::nn::ModuleList>();
    const int64_t d = dilation[size_t(block)], out_first = first[size_t(block)], T = steps - out_first;
    // Input steps [in_first, L) with in_first = out_first - (K-1)*d; steps before 0 are the causal zero padding.
    const int64_t in_first = out_first - (k_max - 1) * d;
    torch::Tensor hp = h.narrow(1, std::max(in_first, h_first) - h_first, steps - std::max(in_first, h_first));
    if (in_first < 0) hp = torch::constant_pad_nd(hp, {0, 0, -in_first, 0}, 0);
    // taps[n, t, q, c] = hp[n, t + q*d, c]: output step out_first + t reads input step out_first + t - (K-1-q)*d.
    const torch::Tensor idx = taps_index(T, k_max, d, x.device());
    torch::Tensor taps = hp.index_select(1, idx).reshape({-1, k_max * channels});  // [N*T, K*C]
    auto [w, bias] = block_weight(filter_block, gate_block, k_max);
    torch::Tensor fg = torch::addmm(bias, taps, w.t()).view({h.size(0), T, 2 * channels});
    // chunk, not two narrows: its backward concatenates the two halves' gradients in one pass, where
    // each narrow's would zero-fill a full [N, T, 2C] gradient, copy its half in, and add the two.
    const std::vector<torch::Tensor> filter_gate = fg.chunk(2, 2);
    torch::Tensor z = torch::tanh(filter_gate[0]) * torch::sigmoid(filter_gate[1]);
    z = uniform_dropout(z, options.dropout(), is_training());
    auto* res = residual[static_cast<size_t>(block)]->as<torch::nn::Conv1d>();
    h = h.narrow(1, out_first - h_first, T) + torch::nn::functional::linear(z, res->weight.squeeze(2), res->bias);
    h_first = out_first;
  }
  return head->forward(h.select(1, h.size(1) - 1));  // [N, C] -> [N, D]
}

torch::Tensor TemporalConvImpl::taps_index(int64_t steps, int64_t taps, int64_t dilation,
                                          const torch::Device& device) {
  std::lock_guard<std::mutex> lock(taps_cache_.mutex);
  torch::Tensor& idx = taps_cache_.index[{steps, taps, dilation, device.str()}];
  if (!idx.defined()) {
    const auto options = torch::TensorOptions().dtype(torch::kLong).device(device);
    idx = (torch::arange(steps, options).unsqueeze(1) + torch::arange(taps, options) * dilation).reshape(-1);
  }
  return idx;
}

void TemporalConvImpl::pretty_print(std::ostream& stream) const {
  stream << fmt::format(
      "dnts::nn::TemporalConv(in_features={}, channels={}, out_dim={}, kernels=[{}], layers={}, "
      "dilation_base={}, dropout={})",
      options.in_features(), options.channels(), options.out_dim(), fmt::join(options.kernels(), ", "),
      options.layers(), options.dilation_base(), options.dropout());
}

}  // namespace dnts::nn
