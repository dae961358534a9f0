// Test support: a finite-difference gradient checker for custom layers and losses (STYLE point 13;
// after ggml's test-backend-ops grad mode). Compares autograd gradients of a scalar double-precision
// function with central (or 4-point) differences on a deterministic sample of entries per tensor.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <torch/torch.h>

namespace dnts::test {

/// Knobs of `gradcheck`. An entry passes when |analytic - numeric| <= atol + rtol * max(|analytic|, |numeric|).
struct GradcheckOptions {
  double eps = 1e-6;             ///< finite-difference step
  double rtol = 1e-6;            ///< relative tolerance
  double atol = 1e-8;            ///< absolute tolerance (for entries whose gradient is ~0)
  int64_t max_entries = 32;      ///< entries checked per tensor at most; beyond, a seeded sample
  bool four_point = false;       ///< (-f(x+2h) + 8 f(x+h) - 8 f(x-h) + f(x-2h)) / 12h instead of central
  bool skip_nonsmooth = false;   ///< skip entries whose one-sided differences disagree (ReLU kinks)
  double nonsmooth_tol = 1e-3;   ///< non-smooth when |fwd - bwd| > nonsmooth_tol * (1 + |central|)
  uint64_t seed = 0;             ///< seed of the entry sample (deterministic: std::mt19937_64)
};

/// Outcome of `gradcheck`: pass/fail plus the worst entry (largest error relative to its tolerance).
struct GradcheckResult {
  bool ok = true;
  int64_t checked = 0;               ///< entries compared
  int64_t skipped = 0;               ///< entries skipped as non-smooth
  std::string worst_tensor;          ///< name of the tensor holding the worst entry
  int64_t worst_index = -1;          ///< its flat index
  std::vector<int64_t> worst_multi;  ///< its multi-index
  double analytic = 0.0;             ///< autograd value there
  double numeric = 0.0;              ///< finite-difference value there
  double ratio = 0.0;                ///< |analytic - numeric| / tolerance; > 1 fails

  std::string message() const {
    if (worst_index < 0) return fmt::format("gradcheck: nothing checked ({} skipped)", skipped);
    return fmt::format(
        "gradcheck {}: worst entry {}[{}] (flat {}): analytic = {:.12e}, numeric = {:.12e}, |diff| = {:.3e}, "
        "error/tolerance = {:.3g}; {} entries checked, {} skipped as non-smooth",
        ok ? "passed" : "FAILED", worst_tensor, fmt::join(worst_multi, ", "), worst_index, analytic, numeric,
        std::abs(analytic - numeric), ratio, checked, skipped);
  }
};

/// A tensor to check, with the name used in reports (e.g. a module's parameter key).
using NamedTensor = std::pair<std::string, torch::Tensor>;

namespace detail {

// Deterministic sample of `cap` distinct flat indices out of n (all of them when n <= cap), sorted.
inline std::vector<int64_t> sample_indices(int64_t n, int64_t cap, uint64_t seed) {
  std::vector<int64_t> idx(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) idx[static_cast<size_t>(i)] = i;
  if (n <= cap) return idx;
  std::mt19937_64 rng(seed);
  for (int64_t i = 0; i < cap; ++i) {  // partial Fisher-Yates with an explicit, portable draw
    const int64_t j = i + static_cast<int64_t>(rng() % static_cast<uint64_t>(n - i));
    std::swap(idx[static_cast<size_t>(i)], idx[static_cast<size_t>(j)]);
  }
  idx.resize(static_cast<size_t>(cap));
  std::sort(idx.begin(), idx.end());
  return idx;
}

inline double eval_scalar(const std::function<torch::Tensor()>& f) {
  torch::NoGradGuard no_grad;
  const torch::Tensor out = f();
  if (!out.defined() || out.numel() != 1 || out.scalar_type() != torch::kDouble)
    throw std::invalid_argument("gradcheck: the function must return a scalar double tensor");
  return out.item<double>();
}

inline std::vector<int64_t> unravel(int64_t flat, torch::IntArrayRef sizes) {
  std::vector<int64_t> multi(sizes.size());
  for (size_t d = sizes.size(); d-- > 0;) {
    multi[d] = flat % sizes[d];
    flat /= sizes[d];
  }
  return multi;
}

}  // namespace detail

/// Checks d f() / d t for every t in `inputs` (leaf double tensors with requires_grad, contiguous, on
/// any device). `f` must rebuild its graph on every call and be deterministic (eval mode: no dropout).
inline GradcheckResult gradcheck(const std::function<torch::Tensor()>& f, const std::vector<NamedTensor>& inputs,
                                 const GradcheckOptions& opt = {}) {
  std::vector<torch::Tensor> tensors;
  for (const auto& [name, t] : inputs) {
    if (!t.defined() || t.scalar_type() != torch::kDouble || !t.requires_grad() || !t.is_contiguous())
      throw std::invalid_argument("gradcheck: '" + name + "' must be a contiguous double tensor requiring grad");
    tensors.push_back(t);
  }

  // Analytic gradients; an input the function does not use has gradient 0.
  const torch::Tensor out = f();
  if (!out.defined() || out.numel() != 1 || out.scalar_type() != torch::kDouble)
    throw std::invalid_argument("gradcheck: the function must return a scalar double tensor");
  std::vector<torch::Tensor> grads = torch::autograd::grad({out}, tensors, /*grad_outputs=*/{},
                                                           /*retain_graph=*/false, /*create_graph=*/false,
                                                           /*allow_unused=*/true);
  const double f0 = detail::eval_scalar(f);

  GradcheckResult res;
  res.ratio = -1.0;
  for (size_t ti = 0; ti < tensors.size(); ++ti) {
    const torch::Tensor& t = tensors[ti];
    const torch::Tensor g = grads[ti].defined() ? grads[ti].detach().to(torch::kCPU).contiguous()
                                                : torch::zeros(t.sizes(), torch::kDouble);
    torch::Tensor flat = t.detach().view({-1});  // shares storage with t
    const auto picks = detail::sample_indices(t.numel(), opt.max_entries, opt.seed + 0x9E3779B97F4A7C15ULL * ti);
    for (int64_t idx : picks) {
      torch::Tensor cell = flat.narrow(0, idx, 1);
      double x0 = 0.0;
      {
        torch::NoGradGuard no_grad;
        x0 = cell.item<double>();
      }
      auto at = [&](double v) {
        {
          torch::NoGradGuard no_grad;
          cell.fill_(v);
        }
        const double y = detail::eval_scalar(f);
        torch::NoGradGuard no_grad;
        cell.fill_(x0);  // restores the exact original value
        return y;
      };
      const double xp = x0 + opt.eps, xm = x0 - opt.eps;
      const double fp = at(xp), fm = at(xm);
      const double h = (xp - xm) / 2.0;  // the step actually taken
      double numeric = (fp - fm) / (xp - xm);
      if (opt.skip_nonsmooth) {
        const double fwd = (fp - f0) / (xp - x0), bwd = (f0 - fm) / (x0 - xm);
        if (std::abs(fwd - bwd) > opt.nonsmooth_tol * (1.0 + std::abs(numeric))) {
          ++res.skipped;
          continue;
        }
      }
      if (opt.four_point) numeric = (-at(x0 + 2 * h) + 8 * fp - 8 * fm + at(x0 - 2 * h)) / (12 * h);
      const double analytic = g.view({-1})[idx].item<double>();
      const double tol = opt.atol + opt.rtol * std::max(std::abs(analytic), std::abs(numeric));
      const double ratio = std::abs(analytic - numeric) / tol;
      ++res.checked;
      if (!(ratio <= 1.0)) res.ok = false;  // NaN fails too
      const bool worse = std::isnan(ratio) ? !std::isnan(res.ratio) : (!std::isnan(res.ratio) && ratio > res.ratio);
      if (worse) {
        res.ratio = ratio;
        res.worst_tensor = inputs[ti].first;
        res.worst_index = idx;
        res.worst_multi = detail::unravel(idx, t.sizes());
        res.analytic = analytic;
        res.numeric = numeric;
      }
    }
  }
  if (res.ratio < 0.0) res.ratio = 0.0;
  return res;
}

/// Same, naming the inputs input0, input1, ...
inline GradcheckResult gradcheck(const std::function<torch::Tensor()>& f, const std::vector<torch::Tensor>& inputs,
                                 const GradcheckOptions& opt = {}) {
  std::vector<NamedTensor> named;
  for (size_t i = 0; i < inputs.size(); ++i) named.emplace_back("input" + std::to_string(i), inputs[i]);
  return gradcheck(f, named, opt);
}

}  // namespace dnts::test
