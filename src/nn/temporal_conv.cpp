// Temporal Convolution Module (METHOD.md §4.1; MTGNN dilated inception, Wu et al. KDD 2020).
#include "dnts/nn/temporal_conv.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "dnts/error.h"
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

// One inception: parallel causal branches, each left-padded by (k-1)*d so the length stays L.
// h: [N, C, L] -> [N, C, L] (branches concatenated along channels, in kernels() order).
torch::Tensor inception(torch::nn::ModuleListImpl& branches, const torch::Tensor& h) {
  std::vector<torch::Tensor> parts;
  parts.reserve(branches.size());
  for (size_t j = 0; j < branches.size(); ++j) {
    auto* conv = branches[j]->as<torch::nn::Conv1d>();
    const int64_t k = conv->options.kernel_size()->at(0);
    const int64_t d = conv->options.dilation()->at(0);
    parts.push_back(conv->forward(torch::constant_pad_nd(h, {(k - 1) * d, 0}, 0)));
  }
  return torch::cat(parts, 1);
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
  const int64_t steps = x.size(1);

  torch::Tensor h = start->forward(x.transpose(1, 2));  // [N, C, L]
  for (int64_t block = 0; block < options.layers(); ++block) {
    auto& filter_block = *filter[static_cast<size_t>(block)]->as<torch::nn::ModuleList>();
    auto& gate_block = *gate[static_cast<size_t>(block)]->as<torch::nn::ModuleList>();
    torch::Tensor z = torch::tanh(inception(filter_block, h)) * torch::sigmoid(inception(gate_block, h));  // [N, C, L]
    if (options.dropout() > 0.0) z = torch::dropout(z, options.dropout(), is_training());
    h = h + residual[static_cast<size_t>(block)]->as<torch::nn::Conv1d>()->forward(z);  // [N, C, L]
  }
  return head->forward(h.select(2, steps - 1));  // [N, C] -> [N, D]
}

void TemporalConvImpl::pretty_print(std::ostream& stream) const {
  stream << fmt::format(
      "dnts::nn::TemporalConv(in_features={}, channels={}, out_dim={}, kernels=[{}], layers={}, "
      "dilation_base={}, dropout={})",
      options.in_features(), options.channels(), options.out_dim(), fmt::join(options.kernels(), ", "),
      options.layers(), options.dilation_base(), options.dropout());
}

}  // namespace dnts::nn
