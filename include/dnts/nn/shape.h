// Shape and type text for ShapeError messages: "[N, L, F]", "Float on cpu".
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

/// "Float on cpu": dtype and device, for dtype/device mismatch messages.
inline std::string type_str(const torch::Tensor& t) {
  if (!t.defined()) return "undefined";
  return fmt::format("{} on {}", c10::toString(t.scalar_type()), t.device().str());
}

}  // namespace dnts::nn
