// The three neural layers of DNTS (METHOD.md §4.1-4.3): golden values against dense references written
// here from the formulas, shape contracts, gradients (backward fills every parameter, finite-difference
// checks in double), sparse vs dense agreement, causality of the temporal convolution, checkpoint keys
// and save/load round trips. Also checks the gradient checker itself.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "dnts/error.h"
#include "dnts/nn/hypergraph_conv.h"
#include "dnts/nn/sage_conv.h"
#include "dnts/nn/temporal_conv.h"
#include "support/gradcheck.h"

using namespace dnts;
using torch::indexing::Slice;

namespace {

const auto kF64 = torch::TensorOptions().dtype(torch::kDouble);
const auto kI64 = torch::TensorOptions().dtype(torch::kLong);

// Deterministic weights: every parameter gets scale * sin(0.7 * arange + 0.3 * salt), salt = its rank.
void fill_pattern(torch::nn::Module& module, double scale = 0.5) {
  torch::NoGradGuard no_grad;
  int64_t salt = 0;
  for (auto& param : module.named_parameters()) {
    torch::Tensor& p = param.value();
    const auto v = (torch::arange(p.numel(), kF64) * 0.7 + 0.3 * static_cast<double>(salt++)).sin() * scale;
    p.copy_(v.reshape(p.sizes()));
  }
}

// A deterministic input pattern of the given shape, values in [-1, 1].
torch::Tensor pattern(std::vector<int64_t> shape, double phase = 0.0) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return (torch::arange(n, kF64) * 1.3 + phase).cos().reshape(shape);
}

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

torch::Tensor longs(const std::vector<int64_t>& v) { return torch::tensor(v, kI64); }

torch::Tensor param(torch::nn::Module& m, const std::string& key) { return m.named_parameters()[key]; }

std::vector<std::string> keys(const torch::nn::Module& m) {
  std::vector<std::string> out;
  for (const auto& p : m.named_parameters()) out.push_back(p.key());
  return out;
}

std::vector<test::NamedTensor> named_params(const torch::nn::Module& m, const std::string& prefix) {
  std::vector<test::NamedTensor> out;
  for (const auto& p : m.named_parameters()) out.emplace_back(prefix + p.key(), p.value());
  return out;
}

template <typename Err, typename Fn>
void expect_throw_with(Fn&& fn, const std::vector<std::string>& fragments) {
  try {
    fn();
    ADD_FAILURE() << "expected an exception";
  } catch (const Err& e) {
    const std::string what = e.what();
    for (const auto& f : fragments) EXPECT_NE(what.find(f), std::string::npos) << "missing '" << f << "' in: " << what;
  }
}

// Backward of a weighted sum fills every parameter's grad with finite, not-all-zero values.
void expect_all_grads(torch::nn::Module& m, const torch::Tensor& out) {
  m.zero_grad();
  (out * pattern(out.sizes().vec(), 0.5).to(out.dtype())).sum().backward();
  for (const auto& p : m.named_parameters()) {
    const torch::Tensor& g = p.value().grad();
    ASSERT_TRUE(g.defined()) << p.key();
    EXPECT_EQ(g.sizes(), p.value().sizes()) << p.key();
    EXPECT_TRUE(torch::isfinite(g).all().item<bool>()) << p.key();
    EXPECT_GT(g.abs().sum().item<double>(), 0.0) << p.key();
  }
}

// ---- dense references, written from the formulas with explicit loops ----

// SageConv: X W_selfᵀ + D^-1 A X W_neighᵀ + b with A[m, c] = #pairs (m, c), D = diag(row sums).
torch::Tensor dense_sage(const torch::Tensor& x, const std::vector<int64_t>& src, const std::vector<int64_t>& dst,
                         nn::SageConvImpl& m) {
  const int64_t n = x.size(0);
  torch::Tensor a = torch::zeros({n, n}, kF64);
  for (size_t p = 0; p < src.size(); ++p) a[src[p]][dst[p]] += 1.0;
  torch::Tensor d_inv = torch::zeros({n}, kF64);
  for (int64_t i = 0; i < n; ++i) {
    const double deg = a[i].sum().item<double>();
    d_inv[i] = deg > 0 ? 1.0 / deg : 0.0;
  }
  const torch::Tensor xd = x.to(torch::kDouble);
  torch::Tensor out = xd.matmul(m.self->weight.to(torch::kDouble).t()) +
                      torch::diag(d_inv).matmul(a).matmul(xd).matmul(m.neigh->weight.to(torch::kDouble).t());
  if (m.options.bias()) out = out + m.self->bias.to(torch::kDouble);
  return m.options.relu() ? torch::relu(out) : out;
}

// HypergraphConv: Dv^-1/2 H De^-1 Hᵀ Dv^-1/2 X Θᵀ + b with H[v, e] = #pairs (v, e), W = I.
torch::Tensor dense_hgnn(const torch::Tensor& x, const std::vector<int64_t>& vertex,
                         const std::vector<int64_t>& hyperedge, int64_t num_edges, nn::HypergraphConvImpl& m) {
  const int64_t n = x.size(0);
  torch::Tensor h = torch::zeros({n, num_edges}, kF64);
  for (size_t q = 0; q < vertex.size(); ++q) h[vertex[q]][hyperedge[q]] += 1.0;
  torch::Tensor dv = torch::zeros({n}, kF64), de = torch::zeros({num_edges}, kF64);
  for (int64_t v = 0; v < n; ++v) {
    const double deg = h[v].sum().item<double>();
    dv[v] = deg > 0 ? 1.0 / std::sqrt(deg) : 0.0;
  }
  for (int64_t e = 0; e < num_edges; ++e) {
    const double deg = h.index({Slice(), e}).sum().item<double>();
    de[e] = deg > 0 ? 1.0 / deg : 0.0;
  }
  const torch::Tensor op = torch::diag(dv).matmul(h).matmul(torch::diag(de)).matmul(h.t()).matmul(torch::diag(dv));
  torch::Tensor out = op.matmul(x.to(torch::kDouble)).matmul(m.theta->weight.to(torch::kDouble).t());
  if (m.options.bias()) out = out + m.theta->bias.to(torch::kDouble);
  return m.options.relu() ? torch::relu(out) : out;
}

// Causal dilated conv by loops: in [N, Cin, L], w [Cout, Cin, k], b [Cout] -> [N, Cout, L],
// out[n, o, t] = b[o] + Σ_c Σ_j w[o, c, j] · in[n, c, t - (k-1-j)·d] (zero before t = 0).
torch::Tensor loop_conv(const torch::Tensor& in, const torch::Tensor& w, const torch::Tensor& b, int64_t d) {
  const int64_t n = in.size(0), cin = in.size(1), len = in.size(2), cout = w.size(0), k = w.size(2);
  const torch::Tensor ic = in.to(torch::kDouble).contiguous(), wc = w.to(torch::kDouble).contiguous(),
                      bc = b.to(torch::kDouble).contiguous();
  auto ia = ic.accessor<double, 3>();
  auto wa = wc.accessor<double, 3>();
  auto ba = bc.accessor<double, 1>();
  torch::Tensor out = torch::zeros({n, cout, len}, kF64);
  auto oa = out.accessor<double, 3>();
  for (int64_t node = 0; node < n; ++node)
    for (int64_t o = 0; o < cout; ++o)
      for (int64_t t = 0; t < len; ++t) {
        double s = ba[o];
        for (int64_t c = 0; c < cin; ++c)
          for (int64_t j = 0; j < k; ++j) {
            const int64_t src_t = t - (k - 1 - j) * d;
            if (src_t >= 0) s += wa[o][c][j] * ia[node][c][src_t];
          }
        oa[node][o][t] = s;
      }
  return out;
}

// TemporalConv by loops, from METHOD.md §4.1 and the options (dropout off).
torch::Tensor loop_tcm(const torch::Tensor& x, nn::TemporalConvImpl& m) {
  const auto& o = m.options;
  torch::Tensor h = loop_conv(x.transpose(1, 2), param(m, "start.weight"), param(m, "start.bias"), 1);
  int64_t d = 1;
  for (int64_t b = 0; b < o.layers(); ++b) {
    std::vector<torch::Tensor> f, g;
    for (size_t j = 0; j < o.kernels().size(); ++j) {
      const std::string fk = "filter." + std::to_string(b) + "." + std::to_string(j);
      const std::string gk = "gate." + std::to_string(b) + "." + std::to_string(j);
      f.push_back(loop_conv(h, param(m, fk + ".weight"), param(m, fk + ".bias"), d));
      g.push_back(loop_conv(h, param(m, gk + ".weight"), param(m, gk + ".bias"), d));
    }
    const torch::Tensor z = torch::tanh(torch::cat(f, 1)) * torch::sigmoid(torch::cat(g, 1));
    const std::string rk = "residual." + std::to_string(b);
    h = h + loop_conv(z, param(m, rk + ".weight"), param(m, rk + ".bias"), 1);
    d *= o.dilation_base();
  }
  const torch::Tensor last = h.index({Slice(), Slice(), h.size(2) - 1});
  return last.matmul(param(m, "head.weight").to(torch::kDouble).t()) + param(m, "head.bias").to(torch::kDouble);
}

// A random (src, dst) pair list over n rows, with duplicates and some rows left without pairs.
std::pair<std::vector<int64_t>, std::vector<int64_t>> random_pairs(int64_t n, int64_t count, std::mt19937_64& rng) {
  std::vector<int64_t> a, b;
  for (int64_t p = 0; p < count; ++p) {
    a.push_back(static_cast<int64_t>(rng() % static_cast<uint64_t>(std::max<int64_t>(1, n - 2))));  // last 2 rows: none
    b.push_back(static_cast<int64_t>(rng() % static_cast<uint64_t>(n)));
  }
  return {a, b};
}

}  // namespace

// ================================ SageConv ================================

TEST(NnSageConv, GoldenHandComputed) {
  nn::SageConv m(nn::SageConvOptions(1, 1));
  {
    torch::NoGradGuard no_grad;
    m->self->weight.fill_(2.0);
    m->neigh->weight.fill_(3.0);
    m->self->bias.fill_(0.5);
  }
  // Row 0 has descendants 1 and 2, row 1 has 2, row 2 has none (mean = 0, not NaN).
  const torch::Tensor out = m(torch::tensor({{1.0f}, {2.0f}, {4.0f}}), longs({0, 0, 1}), longs({1, 2, 2}));
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{3, 1}));
  EXPECT_FLOAT_EQ(out[0][0].item<float>(), 2 * 1 + 3 * 3 + 0.5f);
  EXPECT_FLOAT_EQ(out[1][0].item<float>(), 2 * 2 + 3 * 4 + 0.5f);
  EXPECT_FLOAT_EQ(out[2][0].item<float>(), 2 * 4 + 0.5f);
}

TEST(NnSageConv, GoldenMatchesDenseMeanAdjacency) {
  nn::SageConv m(nn::SageConvOptions(3, 4));
  fill_pattern(*m);
  const torch::Tensor x = pattern({6, 3}).to(torch::kFloat);
  const std::vector<int64_t> src = {0, 0, 0, 1, 3, 3, 4}, dst = {1, 2, 2, 3, 4, 5, 0};  // 2: none; (0, 2) twice
  const torch::Tensor out = m(x, longs(src), longs(dst));
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{6, 4}));
  EXPECT_EQ(out.scalar_type(), torch::kFloat);
  const torch::Tensor ref = dense_sage(x, src, dst, *m);
  EXPECT_TRUE(torch::allclose(out.to(torch::kDouble), ref, /*rtol=*/1e-5, /*atol=*/1e-6)) << out << ref;
  EXPECT_GT(out.abs().sum().item<double>(), 0.0);
}

TEST(NnSageConv, NoPairsGivesSelfTermOnly) {
  nn::SageConv m(nn::SageConvOptions(3, 2).relu(false));
  const torch::Tensor x = pattern({4, 3}).to(torch::kFloat);
  const torch::Tensor out = m(x, longs({}), longs({}));
  EXPECT_TRUE(torch::isfinite(out).all().item<bool>());
  EXPECT_TRUE(torch::allclose(out, m->self(x)));
}

TEST(NnSageConv, SparseMatchesDenseOnRandomInputs) {
  for (uint64_t seed = 0; seed < 5; ++seed) {
    torch::manual_seed(seed);
    std::mt19937_64 rng(seed);
    const int64_t n = 4 + static_cast<int64_t>(rng() % 9), din = 1 + static_cast<int64_t>(rng() % 5);
    nn::SageConv m(nn::SageConvOptions(din, 3).relu(seed % 2 == 0).bias(seed != 3));
    m->to(torch::kDouble);
    const auto [src, dst] = random_pairs(n, static_cast<int64_t>(rng() % 25), rng);
    const torch::Tensor x = torch::randn({n, din}, kF64);
    const torch::Tensor out = m(x, longs(src), longs(dst));
    EXPECT_LT(max_abs_diff(out, dense_sage(x, src, dst, *m)), 1e-10) << "seed " << seed;
  }
}

TEST(NnSageConv, ShapeErrorsNameExpectedAndActual) {
  nn::SageConv m(nn::SageConvOptions(4, 2));
  const torch::Tensor x = torch::zeros({5, 4});
  expect_throw_with<ShapeError>([&] { m(torch::zeros({5, 3}), longs({0}), longs({1})); },
                                {"SageConv: x must be [N, Din = 4]", "got [5, 3]"});
  expect_throw_with<ShapeError>([&] { m(torch::zeros({5}), longs({0}), longs({1})); }, {"got [5]"});
  expect_throw_with<ShapeError>([&] { m(x, longs({0, 1, 2}), longs({1, 2})); },
                                {"src and dst must both be [P]", "got src [3] and dst [2]"});
  expect_throw_with<ShapeError>([&] { m(x, torch::zeros({2, 1}, kI64), longs({1})); },
                                {"src must be [P] Long", "got [2, 1]"});
  expect_throw_with<ShapeError>([&] { m(x, longs({0}).to(torch::kInt), longs({1})); }, {"src must be [P] Long", "Int"});
  expect_throw_with<ShapeError>([&] { m(x, longs({0, 7}), longs({1, 1})); },
                                {"src must hold rows in [0, N = 5)", "got [0, 7]"});
  expect_throw_with<ShapeError>([&] { m(x, longs({0}), longs({-1})); }, {"dst must hold rows in [0, N = 5)"});
  expect_throw_with<ShapeError>([&] { m(x.to(torch::kDouble), longs({0}), longs({1})); },
                                {"x must be Float on cpu like the parameters", "got Double on cpu"});
  expect_throw_with<ConfigError>([&] { nn::SageConv(nn::SageConvOptions(0, -1)); },
                                 {"in_dim = 0: must be >= 1", "out_dim = -1: must be >= 1"});
}

TEST(NnSageConv, BackwardFillsEveryParameterGrad) {
  torch::manual_seed(1);
  nn::SageConv m(nn::SageConvOptions(3, 4).relu(false));
  expect_all_grads(*m, m(torch::randn({5, 3}), longs({0, 1, 1}), longs({1, 2, 4})));
}

TEST(NnSageConv, GradcheckDouble) {
  torch::manual_seed(2);
  nn::SageConv m(nn::SageConvOptions(3, 4));
  m->to(torch::kDouble);
  const torch::Tensor x = torch::randn({6, 3}, kF64).requires_grad_(true);
  const torch::Tensor src = longs({0, 0, 1, 3, 3, 3, 4}), dst = longs({1, 2, 3, 4, 5, 5, 0});
  const torch::Tensor w = torch::randn({6, 4}, kF64);
  auto inputs = named_params(*m, "");
  inputs.emplace_back("x", x);
  test::GradcheckOptions opt;
  opt.skip_nonsmooth = true;
  const auto r = test::gradcheck([&] { return (m(x, src, dst) * w).sum(); }, inputs, opt);
  EXPECT_TRUE(r.ok) << r.message();
  EXPECT_GT(r.checked, 30);
}

// ============================= HypergraphConv =============================

TEST(NnHypergraphConv, GoldenHandComputed) {
  // Hyperedge 0 = {0, 1}, hyperedge 1 empty, vertex 2 in no hyperedge.
  nn::HypergraphConv m(nn::HypergraphConvOptions(1, 1));
  {
    torch::NoGradGuard no_grad;
    m->theta->weight.fill_(1.0);
    m->theta->bias.fill_(0.25);
  }
  const torch::Tensor out = m(torch::tensor({{1.0f}, {3.0f}, {5.0f}}), longs({0, 1}), longs({0, 0}), 2);
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{3, 1}));
  EXPECT_FLOAT_EQ(out[0][0].item<float>(), (1 + 3) / 2.0f + 0.25f);  // 1/sqrt(1) · 1/2 · (x0 + x1) · 1/sqrt(1)
  EXPECT_FLOAT_EQ(out[1][0].item<float>(), (1 + 3) / 2.0f + 0.25f);
  EXPECT_FLOAT_EQ(out[2][0].item<float>(), 0.25f);                    // degree 0: bias only, no NaN
}

TEST(NnHypergraphConv, GoldenMatchesDenseHgnnFormula) {
  nn::HypergraphConv m(nn::HypergraphConvOptions(3, 2));
  fill_pattern(*m);
  const torch::Tensor x = pattern({6, 3}, 0.2).to(torch::kFloat);
  // 6 vertices, 4 hyperedges: vertex 5 is in none (degree 0), hyperedge 2 is empty; (1, 0) repeated.
  const std::vector<int64_t> vertex = {0, 1, 2, 1, 3, 4, 0, 2, 1}, edge = {0, 0, 0, 1, 1, 1, 3, 3, 0};
  const torch::Tensor out = m(x, longs(vertex), longs(edge), 4);
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{6, 2}));
  EXPECT_TRUE(torch::isfinite(out).all().item<bool>());
  const torch::Tensor ref = dense_hgnn(x, vertex, edge, 4, *m);
  EXPECT_TRUE(torch::allclose(out.to(torch::kDouble), ref, 1e-5, 1e-6)) << out << ref;
  EXPECT_TRUE(torch::allclose(out[5], torch::relu(m->theta->bias)));  // degree-0 vertex
}

TEST(NnHypergraphConv, NoPairsGivesBiasOnly) {
  nn::HypergraphConv m(nn::HypergraphConvOptions(3, 2).relu(false));
  const torch::Tensor out = m(pattern({4, 3}).to(torch::kFloat), longs({}), longs({}), 0);
  EXPECT_TRUE(torch::allclose(out, m->theta->bias.expand({4, 2})));
}

TEST(NnHypergraphConv, SparseMatchesDenseOnRandomInputs) {
  for (uint64_t seed = 0; seed < 5; ++seed) {
    torch::manual_seed(seed);
    std::mt19937_64 rng(seed + 100);
    const int64_t n = 4 + static_cast<int64_t>(rng() % 9), e = 1 + static_cast<int64_t>(rng() % 6);
    const int64_t din = 1 + static_cast<int64_t>(rng() % 5);
    nn::HypergraphConv m(nn::HypergraphConvOptions(din, 3).relu(seed % 2 == 1).bias(seed != 2));
    m->to(torch::kDouble);
    std::vector<int64_t> vertex, edge;
    const int64_t q = static_cast<int64_t>(rng() % 30);
    for (int64_t i = 0; i < q; ++i) {
      vertex.push_back(static_cast<int64_t>(rng() % static_cast<uint64_t>(n - 1)));  // last vertex: degree 0
      edge.push_back(static_cast<int64_t>(rng() % static_cast<uint64_t>(e)));
    }
    const torch::Tensor x = torch::randn({n, din}, kF64);
    const torch::Tensor out = m(x, longs(vertex), longs(edge), e + 1);  // hyperedge e: always empty
    EXPECT_LT(max_abs_diff(out, dense_hgnn(x, vertex, edge, e + 1, *m)), 1e-10) << "seed " << seed;
  }
}

TEST(NnHypergraphConv, ShapeErrorsNameExpectedAndActual) {
  nn::HypergraphConv m(nn::HypergraphConvOptions(4, 2));
  const torch::Tensor x = torch::zeros({3, 4});
  expect_throw_with<ShapeError>([&] { m(torch::zeros({3, 5}), longs({0}), longs({0}), 1); },
                                {"HypergraphConv: x must be [N, Din = 4]", "got [3, 5]"});
  expect_throw_with<ShapeError>([&] { m(x, longs({0, 1}), longs({0}), 1); },
                                {"vertex and hyperedge must both be [Q]", "got vertex [2] and hyperedge [1]"});
  expect_throw_with<ShapeError>([&] { m(x, longs({0, 1}), longs({0, 2}), 2); },
                                {"hyperedge must hold ids in [0, E = 2)", "got [0, 2]"});
  expect_throw_with<ShapeError>([&] { m(x, longs({3}), longs({0}), 2); },
                                {"vertex must hold rows in [0, N = 3)", "got [3, 3]"});
  expect_throw_with<ShapeError>([&] { m(x, longs({0}), torch::zeros({1}), 1); },
                                {"hyperedge must be [Q] Long", "Float"});
  expect_throw_with<ShapeError>([&] { m(x, longs({}), longs({}), -1); }, {"num_hyperedges must be >= 0, got -1"});
}

TEST(NnHypergraphConv, BackwardFillsEveryParameterGrad) {
  torch::manual_seed(3);
  nn::HypergraphConv m(nn::HypergraphConvOptions(3, 4).relu(false));
  expect_all_grads(*m, m(torch::randn({5, 3}), longs({0, 1, 2, 2, 4}), longs({0, 0, 1, 2, 2}), 4));
}

TEST(NnHypergraphConv, GradcheckDouble) {
  torch::manual_seed(4);
  nn::HypergraphConv m(nn::HypergraphConvOptions(3, 4));
  m->to(torch::kDouble);
  const torch::Tensor x = torch::randn({6, 3}, kF64).requires_grad_(true);
  const torch::Tensor vertex = longs({0, 1, 2, 1, 3, 4, 0, 2}), edge = longs({0, 0, 0, 1, 1, 1, 3, 3});
  const torch::Tensor w = torch::randn({6, 4}, kF64);
  auto inputs = named_params(*m, "");
  inputs.emplace_back("x", x);
  test::GradcheckOptions opt;
  opt.skip_nonsmooth = true;
  const auto r = test::gradcheck([&] { return (m(x, vertex, edge, 4) * w).sum(); }, inputs, opt);
  EXPECT_TRUE(r.ok) << r.message();
  EXPECT_GT(r.checked, 25);
}

// ============================== TemporalConv ==============================

TEST(NnTemporalConv, GoldenMatchesLoopReference) {
  // Two configurations: small kernels, and the default {2, 3, 6, 7} with kernels longer than L.
  for (const bool defaults : {false, true}) {
    auto opt = nn::TemporalConvOptions(3, defaults ? 8 : 4, 2);
    if (!defaults) opt.kernels({2, 3}).layers(2).dilation_base(2);
    nn::TemporalConv m(opt);
    fill_pattern(*m);
    const torch::Tensor x = pattern({2, 6, 3}, 0.1).to(torch::kFloat);
    const torch::Tensor out = m(x);
    ASSERT_EQ(out.sizes(), (std::vector<int64_t>{2, 2}));
    const torch::Tensor ref = loop_tcm(x, *m);
    EXPECT_TRUE(torch::allclose(out.to(torch::kDouble), ref, 1e-5, 1e-6)) << out << ref;
    m->to(torch::kDouble);
    EXPECT_LT(max_abs_diff(m(x.to(torch::kDouble)), loop_tcm(x, *m)), 1e-12);
  }
}

TEST(NnTemporalConv, CausalWithExactReceptiveField) {
  torch::manual_seed(5);
  nn::TemporalConv m(nn::TemporalConvOptions(2, 8, 3));  // kernels {2,3,6,7}, 2 layers, base 2
  m->to(torch::kDouble);
  const int64_t rf = m->receptive_field();
  ASSERT_EQ(rf, 1 + 6 * (1 + 2));
  const int64_t len = rf + 6;
  const torch::Tensor x = torch::randn({3, len, 2}, kF64);
  const torch::Tensor base = m(x);
  auto bumped = [&](int64_t t) {
    torch::Tensor y = x.clone();
    y.index({Slice(), t, Slice()}) += 1.0;
    return m(y);
  };
  EXPECT_GT(max_abs_diff(bumped(len - 1), base), 1e-6);   // the last step matters
  EXPECT_GT(max_abs_diff(bumped(len - rf), base), 1e-9);  // so does the oldest step inside the field
  for (int64_t t = 0; t < len - rf; ++t) EXPECT_EQ(max_abs_diff(bumped(t), base), 0.0) << "t = " << t;
  // Truncating history beyond the receptive field changes nothing; cutting into it does.
  EXPECT_LT(max_abs_diff(m(x.index({Slice(), Slice(len - rf), Slice()})), base), 1e-12);
  EXPECT_GT(max_abs_diff(m(x.index({Slice(), Slice(len - rf + 1), Slice()})), base), 1e-9);
  // Inputs shorter than one kernel work (zero left padding).
  EXPECT_EQ(m(x.index({Slice(), Slice(len - 1), Slice()})).sizes(), (std::vector<int64_t>{3, 3}));
}

TEST(NnTemporalConv, DropoutOnlyInTraining) {
  torch::manual_seed(6);
  nn::TemporalConv m(nn::TemporalConvOptions(2, 4, 3).kernels({2, 3}).dropout(0.5));
  const torch::Tensor x = torch::randn({4, 7, 2});
  m->eval();
  EXPECT_TRUE(torch::equal(m(x), m(x)));
  m->train();
  EXPECT_FALSE(torch::equal(m(x), m(x)));
}

TEST(NnTemporalConv, ShapeAndOptionErrors) {
  nn::TemporalConv m(nn::TemporalConvOptions(3, 4, 2).kernels({2, 3}));
  expect_throw_with<ShapeError>([&] { m(torch::zeros({4, 3})); },
                                {"TemporalConv: x must be [N, L >= 1, F = 3]", "got [4, 3]"});
  expect_throw_with<ShapeError>([&] { m(torch::zeros({2, 5, 4})); }, {"got [2, 5, 4]"});
  expect_throw_with<ShapeError>([&] { m(torch::zeros({2, 0, 3})); }, {"got [2, 0, 3]"});
  expect_throw_with<ShapeError>([&] { m(torch::zeros({2, 5, 3}, kF64)); },
                                {"x must be Float on cpu like the parameters", "got Double on cpu"});
  expect_throw_with<ConfigError>(
      [&] { nn::TemporalConv(nn::TemporalConvOptions(3, 6, 2).layers(0).dropout(1.0)); },
      {"TemporalConvOptions: ", "channels = 6: must be divisible by len(kernels) = 4", "layers = 0: must be >= 1",
       "dropout = 1: must be in [0, 1)"});
  expect_throw_with<ConfigError>([&] { nn::TemporalConv(nn::TemporalConvOptions(3, 4, 2).kernels({})); },
                                 {"kernels = []"});
  expect_throw_with<ConfigError>([&] { nn::TemporalConv(nn::TemporalConvOptions(3, 4, 2).kernels({2, 0})); },
                                 {"kernels = [2, 0]: every size must be >= 1"});
}

TEST(NnTemporalConv, BackwardFillsEveryParameterGrad) {
  torch::manual_seed(7);
  nn::TemporalConv m(nn::TemporalConvOptions(3, 8, 2).dropout(0.1));  // training mode: dropout active
  expect_all_grads(*m, m(torch::randn({4, 9, 3})));
}

TEST(NnTemporalConv, GradcheckDouble) {
  torch::manual_seed(8);
  nn::TemporalConv m(nn::TemporalConvOptions(2, 4, 3));  // default kernels {2,3,6,7}: one channel each
  m->to(torch::kDouble);
  const torch::Tensor x = torch::randn({3, 10, 2}, kF64).requires_grad_(true);
  const torch::Tensor w = torch::randn({3, 3}, kF64);
  auto inputs = named_params(*m, "");
  inputs.emplace_back("x", x);
  test::GradcheckOptions opt;
  opt.max_entries = 12;
  const auto r = test::gradcheck([&] { return (m(x) * w).sum(); }, inputs, opt);
  EXPECT_TRUE(r.ok) << r.message();
  EXPECT_EQ(r.skipped, 0);
  EXPECT_GT(r.checked, 150);
}

// ================================ Together ================================

TEST(NnPipeline, GradcheckTcmSageHypergraph) {
  torch::manual_seed(9);
  nn::TemporalConv tcm(nn::TemporalConvOptions(2, 4, 3).kernels({2, 3}));
  nn::SageConv sage(nn::SageConvOptions(3, 3));
  nn::HypergraphConv hyper(nn::HypergraphConvOptions(3, 2).relu(false));
  tcm->to(torch::kDouble);
  sage->to(torch::kDouble);
  hyper->to(torch::kDouble);
  const torch::Tensor x = torch::randn({5, 6, 2}, kF64).requires_grad_(true);
  const torch::Tensor src = longs({0, 0, 1, 2}), dst = longs({1, 2, 3, 4});
  const torch::Tensor vertex = longs({0, 1, 2, 3, 3, 4}), edge = longs({0, 0, 1, 1, 2, 2});
  const torch::Tensor w = torch::randn({5, 2}, kF64);
  auto inputs = named_params(*tcm, "tcm.");
  for (auto& p : named_params(*sage, "sage.")) inputs.push_back(p);
  for (auto& p : named_params(*hyper, "hyper.")) inputs.push_back(p);
  inputs.emplace_back("x", x);
  test::GradcheckOptions opt;
  opt.max_entries = 8;
  opt.skip_nonsmooth = true;
  const auto r = test::gradcheck(
      [&] { return (hyper(sage(tcm(x), src, dst), vertex, edge, 3) * w).sum(); }, inputs, opt);
  EXPECT_TRUE(r.ok) << r.message();
  EXPECT_GT(r.checked, 100);
}

// Checkpoint keys are stable API (STYLE point 5): renaming one needs a loader shim.
TEST(NnLayers, RegisteredParameterNamesAreStable) {
  EXPECT_EQ(keys(*nn::SageConv(nn::SageConvOptions(3, 2))),
            (std::vector<std::string>{"self.weight", "self.bias", "neigh.weight"}));
  EXPECT_EQ(keys(*nn::SageConv(nn::SageConvOptions(3, 2).bias(false))),
            (std::vector<std::string>{"self.weight", "neigh.weight"}));
  EXPECT_EQ(keys(*nn::HypergraphConv(nn::HypergraphConvOptions(3, 2))),
            (std::vector<std::string>{"theta.weight", "theta.bias"}));
  std::vector<std::string> tcm = {"start.weight", "start.bias"};
  for (const char* path : {"filter", "gate"})
    for (const char* key : {".0.0.", ".0.1.", ".1.0.", ".1.1."})
      for (const char* leaf : {"weight", "bias"}) tcm.push_back(std::string(path) + key + leaf);
  for (const char* key : {"residual.0.", "residual.1."})
    for (const char* leaf : {"weight", "bias"}) tcm.push_back(std::string(key) + leaf);
  tcm.insert(tcm.end(), {"head.weight", "head.bias"});
  nn::TemporalConv m(nn::TemporalConvOptions(3, 4, 2).kernels({2, 3}));
  EXPECT_EQ(keys(*m), tcm);
  EXPECT_EQ(param(*m, "filter.1.1.weight").sizes(), (std::vector<int64_t>{2, 4, 3}));
  EXPECT_EQ(m->filter[1]->as<torch::nn::ModuleList>()->ptr<torch::nn::Conv1dImpl>(1)->options.dilation()->at(0), 2);
}

TEST(NnLayers, SaveLoadAndCloneAreBitIdentical) {
  torch::manual_seed(10);
  const torch::Tensor x3 = torch::randn({4, 8, 3}), x2 = torch::randn({4, 3});
  const torch::Tensor src = longs({0, 1, 1}), dst = longs({2, 3, 0});
  auto round_trip = [](auto module, auto fresh, auto&& run) {
    std::stringstream buffer;
    torch::save(module, buffer);
    ASSERT_FALSE(torch::equal(run(module), run(fresh)));  // fresh weights differ before loading
    torch::load(fresh, buffer);
    EXPECT_TRUE(torch::equal(run(module), run(fresh)));
    auto copy = std::dynamic_pointer_cast<typename decltype(module)::ContainedType>(module->clone());
    ASSERT_TRUE(copy);
    EXPECT_TRUE(torch::equal(run(module), run(decltype(module)(copy))));
  };
  const auto tcm_opt = nn::TemporalConvOptions(3, 8, 2);
  round_trip(nn::TemporalConv(tcm_opt), nn::TemporalConv(tcm_opt), [&](nn::TemporalConv m) { return m(x3); });
  round_trip(nn::SageConv(3, 5), nn::SageConv(3, 5), [&](nn::SageConv m) { return m(x2, src, dst); });
  round_trip(nn::HypergraphConv(3, 5), nn::HypergraphConv(3, 5),
             [&](nn::HypergraphConv m) { return m(x2, src, dst, 4); });
}

TEST(NnLayers, CudaMatchesCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  torch::manual_seed(11);
  nn::TemporalConv tcm(nn::TemporalConvOptions(3, 8, 4));
  nn::SageConv sage(4, 4);
  nn::HypergraphConv hyper(4, 2);
  const torch::Tensor x = torch::randn({5, 9, 3});
  const torch::Tensor src = longs({0, 1, 3}), dst = longs({1, 2, 4}), v = longs({0, 1, 4}), e = longs({0, 0, 1});
  const torch::Tensor cpu = hyper(sage(tcm(x), src, dst), v, e, 2);
  const torch::Device cuda(torch::kCUDA);
  tcm->to(cuda);
  sage->to(cuda);
  hyper->to(cuda);
  const torch::Tensor gpu = hyper(sage(tcm(x.to(cuda)), src.to(cuda), dst.to(cuda)), v.to(cuda), e.to(cuda), 2);
  EXPECT_TRUE(torch::allclose(gpu.cpu(), cpu, 1e-4, 1e-5));
}

// ============================ gradcheck itself ============================

TEST(NnGradcheck, CatchesAWrongGradient) {
  const torch::Tensor x = torch::tensor({0.5, -1.5, 2.0}, kF64).requires_grad_(true);
  // Autograd sees d/dx = x, the truth is 2x.
  const auto r = test::gradcheck([&] { return (x.detach() * x).sum(); }, {{"x", x}});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.worst_tensor, "x");
  EXPECT_EQ(r.worst_index, 2);
  EXPECT_NEAR(r.analytic, 2.0, 1e-12);
  EXPECT_NEAR(r.numeric, 4.0, 1e-6);
  EXPECT_NE(r.message().find("FAILED: worst entry x[2] (flat 2)"), std::string::npos) << r.message();
}

TEST(NnGradcheck, SkipsKinksOnlyWhenAsked) {
  const torch::Tensor x = torch::tensor({0.0, 1.0, -1.0, 2.0}, kF64).requires_grad_(true);
  auto f = [&] { return torch::relu(x).sum(); };
  EXPECT_FALSE(test::gradcheck(f, {{"x", x}}).ok);  // central difference at the kink: 0.5 vs 0
  test::GradcheckOptions opt;
  opt.skip_nonsmooth = true;
  const auto r = test::gradcheck(f, {{"x", x}}, opt);
  EXPECT_TRUE(r.ok) << r.message();
  EXPECT_EQ(r.skipped, 1);
  EXPECT_EQ(r.checked, 3);
  EXPECT_TRUE(torch::equal(x, torch::tensor({0.0, 1.0, -1.0, 2.0}, kF64)));  // restored exactly
}

TEST(NnGradcheck, SamplesAtMostTheCapDeterministically) {
  torch::manual_seed(3);
  const torch::Tensor x = torch::randn({40, 25}, kF64).requires_grad_(true);
  test::GradcheckOptions opt;
  opt.max_entries = 10;
  opt.four_point = true;
  // f sums 1,000 cubes (|f| up to ~1e3): its rounding error divided by eps is ~1e-7, so an entry with
  // a small gradient needs an absolute tolerance above that (this test is about the sampling).
  opt.atol = 1e-6;
  auto f = [&] { return (x * x * x).sum(); };
  const auto a = test::gradcheck(f, std::vector<torch::Tensor>{x}, opt);
  const auto b = test::gradcheck(f, std::vector<torch::Tensor>{x}, opt);
  EXPECT_TRUE(a.ok) << a.message();
  EXPECT_EQ(a.checked, 10);
  EXPECT_EQ(a.worst_index, b.worst_index);
  EXPECT_EQ(a.worst_tensor, "input0");
}
