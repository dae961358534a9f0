// Parity of the DNTS model with an independent PyTorch implementation, tests/parity/dnts_parity.py
// (written from reading src/model/dnts_model.cpp and src/nn/*.cpp, in plain torch.nn.functional code
// with dense graph operators, never calling the C++): forward outputs, every loss term, and the
// gradients of the total loss w.r.t. every parameter and the input features, in double precision and
// eval mode, for the full model and its ablations. Skips when /usr/bin/python3 cannot import torch
// (the script exits with 77; scripts/install-deps.sh installs python3-torch, the same 1.13 build).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "dnts/config.h"
#include "dnts/model/dnts_model.h"
#include "dnts/model/subtable.h"
#include "support/temp_dir.h"
#include "support/tensor_exchange.h"
#include "support/tiny_batch.h"

using namespace dnts;
using nlohmann::json;

namespace {

constexpr const char* kPython = "/usr/bin/python3";
constexpr int kExitNoTorch = 77;  ///< dnts_parity.py's exit status when it cannot import torch
/// Bound on max|c++ - python| / max(1, max|python|) (absolute for small values, relative for large);
/// both sides run in double, so the measured values are ~1e-15.
/// Much tighter than a float32 bound on purpose: a subtle formula change (e.g. a wrong dilation)
/// moves the loss by only ~1e-5..1e-3 on this tiny model.
constexpr double kTol = 1e-9;
constexpr int64_t kSteps = 9, kHorizon = 3;

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct Diff {
  double abs = 0.0;     ///< max |got - ref|
  double scaled = 0.0;  ///< abs / max(1, max |ref|)
};

Diff diff(const torch::Tensor& got, const torch::Tensor& ref) {
  if (ref.numel() == 0) return {};
  const double abs = (got - ref).abs().max().item<double>();
  return {abs, abs / std::max(1.0, ref.abs().max().item<double>())};
}

ModelConfig small_config() {
  ModelConfig c;
  c.embed_dim = 8;
  c.channels = 8;
  c.kernels = {2, 3};
  c.tcm_layers = 2;
  c.sample_k = 4;
  c.dropout = 0.0;
  c.lambda_self = 0.8;  // not the defaults: the oracle must read them from the manifest
  c.lambda_desc = 0.6;
  c.lambda_active = 0.4;
  c.lambda_total = 0.3;
  return c;
}

std::map<std::string, torch::Tensor> read_section(const std::filesystem::path& dir, const json& entries) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& e : entries) out[e.at("name").get<std::string>()] = test::read_tensor(dir, e);
  return out;
}

/// Largest differences of one case, for the report line.
struct ParityReport {
  double loss = 0.0, output = 0.0, grad = 0.0;
  std::string worst_grad;
  int64_t params = 0, zero_grads = 0;  ///< parameters, and those whose (python) gradient is exactly 0
  std::string skip;                    ///< non-empty: the oracle could not run (no torch), and why
};

// Runs the C++ model on the tiny batch, the Python oracle on the same weights and inputs, and compares.
ParityReport check_parity(const std::string& name, const ModelConfig& cfg, bool pairs, uint64_t seed) {
  ParityReport rep;
  const int64_t features = model::kNumFeatures;
  torch::manual_seed(seed);
  model::DntsModel m(cfg, features, kHorizon);
  m->to(torch::kDouble);
  {
    // Default initialisation shrinks the signal ~3x per layer (std 1/sqrt(3 fan_in)); doubling every
    // weight matrix keeps the deeper layers' inputs at O(1), so a wrong formula upstream shows downstream.
    torch::NoGradGuard no_grad;
    for (auto& p : m->parameters())
      if (p.dim() >= 2) p.mul_(2.0);
  }
  m->eval();  // routing weight = sigmoid(logit), no Gumbel noise, no dropout
  model::Batch b = test::tiny_batch({features, kSteps, kHorizon, pairs, seed + 1});
  b.x.requires_grad_(true);
  const model::ForecastOutput out = m->forward(b);
  const model::LossTerms loss = model::dnts_loss(out, b, cfg);
  loss.total.backward();

  std::map<std::string, torch::Tensor> cpp_out;
  for (const auto& [key, t] : {std::pair<const char*, torch::Tensor>{"y_hat", out.y_hat},
                               {"self_hat", out.self_hat},
                               {"p_active", out.p_active},
                               {"growth", out.growth},
                               {"route_weight", out.route_weight},
                               {"route_logit", out.route_logit},
                               {"active_logit", out.active_logit}})
    if (t.defined()) cpp_out[key] = t.detach();
  std::map<std::string, torch::Tensor> cpp_grad;
  for (const auto& p : m->named_parameters())
    cpp_grad[p.key()] = p.value().grad().defined() ? p.value().grad() : torch::zeros_like(p.value());
  cpp_grad["x"] = b.x.grad();
  const std::map<std::string, double> cpp_loss = {
      {"total", loss.total.item<double>()},   {"main", loss.main.item<double>()},
      {"self", loss.self.item<double>()},     {"desc", loss.desc.item<double>()},
      {"active", loss.active.item<double>()}, {"horizon_total", loss.horizon_total.item<double>()}};

  // Inputs for the oracle, and the C++ results (which the script prints its own diff against).
  test::TempDir dir("parity_" + name);
  std::filesystem::create_directories(dir.path / "cpp");
  json manifest = {{"config", train::model_settings_json(cfg)}, {"num_hyperedges", b.num_hyperedges}};
  manifest["params"] = json::array();
  for (const auto& p : m->named_parameters())
    manifest["params"].push_back(test::write_tensor(dir.path, p.key(), "param." + p.key(), p.value()));
  manifest["batch"] = train::write_batch_tensors(dir.path, "batch", b);
  test::write_text(dir.file("manifest.json"), manifest.dump(1));
  json cpp = {{"losses", cpp_loss}, {"outputs", json::array()}, {"grads", json::array()}};
  for (const auto& [key, t] : cpp_out)
    cpp["outputs"].push_back(test::write_tensor(dir.path / "cpp", key, "out." + key, t));
  for (const auto& [key, t] : cpp_grad)
    cpp["grads"].push_back(test::write_tensor(dir.path / "cpp", key, "grad." + key, t));
  test::write_text((dir.path / "cpp" / "manifest.json").string(), cpp.dump(1));

  const std::string log = dir.file("python.log");
  const std::string cmd = std::string(kPython) + " " +
                          shell_quote(std::string(DNTS_SOURCE_DIR) + "/tests/parity/dnts_parity.py") + " " +
                          shell_quote(dir.str()) + " > " + shell_quote(log) + " 2>&1";
  const int status = std::system(cmd.c_str());
  const int rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (rc == kExitNoTorch) {
    rep.skip = std::string(kPython) + " cannot `import torch`: install python3-torch (scripts/install-deps.sh) to " +
               "run the PyTorch parity oracle. " + test::read_text(log);
    return rep;
  }
  EXPECT_EQ(rc, 0) << cmd << "\n" << test::read_text(log);
  if (rc != 0) return rep;
  const std::filesystem::path py_dir = dir.path / "py";
  const json py = json::parse(test::read_text((py_dir / "manifest.json").string()));

  // Loss terms.
  for (const auto& [key, value] : cpp_loss) {
    const double ref = py.at("losses").at(key).get<double>();
    const double d = std::abs(value - ref) / std::max(1.0, std::abs(ref));
    rep.loss = std::max(rep.loss, d);
    EXPECT_LE(d, kTol) << "loss term " << key << ": c++ " << value << " python " << ref;
  }
  EXPECT_GT(cpp_loss.at("total"), 0.0);
  if (cfg.lambda_total > 0) {
    EXPECT_GT(cpp_loss.at("horizon_total"), 0.0) << "the horizon-total term is not exercised";
  }

  // Forward outputs: the same set defined on both sides, equal values.
  const auto py_out = read_section(py_dir, py.at("outputs"));
  std::set<std::string> cpp_keys, py_keys;
  for (const auto& kv : cpp_out) cpp_keys.insert(kv.first);
  for (const auto& kv : py_out) py_keys.insert(kv.first);
  EXPECT_EQ(cpp_keys, py_keys) << "outputs defined on one side only";
  for (const auto& [key, t] : cpp_out) {
    if (!py_out.count(key)) continue;
    const torch::Tensor& ref = py_out.at(key);
    if (t.sizes() != ref.sizes()) {
      ADD_FAILURE() << "output " << key << ": c++ " << t.sizes() << " python " << ref.sizes();
      continue;
    }
    const Diff d = diff(t, ref);
    rep.output = std::max(rep.output, d.scaled);
    EXPECT_LE(d.scaled, kTol) << "output " << key << ": max|diff| " << d.abs;
  }

  // Gradients of the total loss: every parameter and x; name the worst one.
  const auto py_grad = read_section(py_dir, py.at("grads"));
  EXPECT_EQ(py_grad.size(), cpp_grad.size()) << "the oracle returned a different set of gradients";
  Diff worst;
  for (const auto& [key, g] : cpp_grad) {
    const auto it = py_grad.find(key);
    if (it == py_grad.end()) {
      ADD_FAILURE() << "no python gradient for " << key;
      continue;
    }
    if (g.sizes() != it->second.sizes()) {
      ADD_FAILURE() << "gradient of " << key << ": c++ " << g.sizes() << " python " << it->second.sizes();
      continue;
    }
    if (key != "x") {
      ++rep.params;
      if (it->second.abs().max().item<double>() == 0.0) ++rep.zero_grads;
    }
    const Diff d = diff(g, it->second);
    if (d.scaled >= worst.scaled) {
      worst = d;
      rep.worst_grad = key;
    }
  }
  rep.grad = worst.scaled;
  EXPECT_LE(worst.scaled, kTol) << "worst gradient mismatch: " << rep.worst_grad << " (max|diff| " << worst.abs
                                << ")\npython log:\n"
                                << test::read_text(log);
  std::printf(
      "parity %s: %lld parameters (%lld with zero gradient), max scaled diff: losses %.2e, outputs %.2e, "
      "gradients %.2e (worst %s)\n",
      name.c_str(), static_cast<long long>(rep.params), static_cast<long long>(rep.zero_grads), rep.loss, rep.output,
      rep.grad, rep.worst_grad.c_str());
  return rep;
}

class Parity : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::little_endian_host()) GTEST_SKIP() << "the parity exchange format is little-endian";
  }
};

}  // namespace

TEST_F(Parity, FullModelMatchesPyTorch) {
  const ParityReport r = check_parity("full", small_config(), /*pairs=*/true, 11);
  if (!r.skip.empty()) GTEST_SKIP() << r.skip;
  EXPECT_EQ(r.zero_grads, 0) << "every parameter should get a gradient, or the comparison is vacuous";
  EXPECT_GT(r.params, 40);
}

TEST_F(Parity, NoGcnNoHypergraphNoActivationTweedieMatchesPyTorch) {
  ModelConfig cfg = small_config();
  cfg.gcn = false;
  cfg.hypergraph = false;
  cfg.activation = false;
  cfg.loss = "tweedie";
  cfg.tweedie_power = 1.3;
  cfg.lambda_total = 0.0;  // the horizon-total term switched off
  const ParityReport r = check_parity("lean", cfg, /*pairs=*/true, 12);
  if (!r.skip.empty()) GTEST_SKIP() << r.skip;
  EXPECT_EQ(r.zero_grads, 0);
}

TEST_F(Parity, OneStagePoissonMatchesPyTorch) {
  ModelConfig cfg = small_config();
  cfg.one_stage = true;
  cfg.loss = "poisson";
  const ParityReport r = check_parity("one_stage", cfg, /*pairs=*/true, 13);
  if (!r.skip.empty()) GTEST_SKIP() << r.skip;
  EXPECT_EQ(r.zero_grads, 0);
}

TEST_F(Parity, BatchWithoutPairsMatchesPyTorch) {
  // P = 0: no routing term, the GCN's neighbour mean is 0, the routing MLP gets no gradient.
  const ParityReport r = check_parity("no_pairs", small_config(), /*pairs=*/false, 14);
  if (!r.skip.empty()) GTEST_SKIP() << r.skip;
  EXPECT_EQ(r.zero_grads, 6) << "route.{0,2}.{weight,bias} and sage{1,2}.neigh.weight";
}
