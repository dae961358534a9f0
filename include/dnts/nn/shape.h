// Shape text for ShapeError messages: "[N, L, F]".
#pragma once

#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

namespace dnts::nn {

inline std::string shape_str(const torch::Tensor& t) {
  if (!t.defined()) return "(undefined)";
  return fmt::format("[{}]", fmt::join(t.sizes(), ", "));
}

}  // namespace dnts::nn
