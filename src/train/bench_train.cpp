// `dnts bench train` (include/dnts/train/bench.h): C++ training steps against the PyTorch Python
// peer bench/py/dnts_train_peer.py on the same weights and batches, timed in the same run.
#include "dnts/train/bench.h"

#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <unistd.h>

#include <fmt/format.h>
#include <torch/torch.h>

#include "dnts/data/csv.h"
#include "dnts/error.h"
#include "dnts/model/registry.h"
#include "dnts/model/subtable.h"
#include "dnts/train/samples.h"
#include "dnts/train/tensor_exchange.h"
#include "dnts/train/trainer.h"

namespace dnts::train {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int kExitNoTorch = 77;  ///< the peer's exit status when it cannot import torch
constexpr size_t kFirstSteps = 5;  ///< loss agreement is judged on the first steps (float32 rounding drifts after)

/// Per-step seconds -> median, p90, mean (without the first, warm-up step when there are more), total.
json timing_json(const std::vector<double>& seconds) {
  std::vector<double> s(seconds.size() > 1 ? seconds.begin() + 1 : seconds.begin(), seconds.end());
  json j = {{"steps_timed", s.size()}};
  double total = 0;
  for (double v : seconds) total += v;
  j["total_s"] = total;
  if (s.empty()) return j;
  std::sort(s.begin(), s.end());
  auto at = [&](double q) { return s[std::min(s.size() - 1, size_t(std::floor(q * double(s.size() - 1) + 0.5)))]; };
  double sum = 0;
  for (double v : s) sum += v;
  j["median_ms"] = 1e3 * at(0.5);
  j["p90_ms"] = 1e3 * at(0.9);
  j["mean_ms"] = 1e3 * sum / double(s.size());
  return j;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// The batch's floating tensors in `dtype` (index tensors unchanged).
model::Batch with_dtype(model::Batch b, torch::ScalarType dtype) {
  for (torch::Tensor* t : {&b.x, &b.y, &b.s, &b.active, &b.mask, &b.route, &b.route_known})
    if (t->defined()) *t = t->to(dtype);
  return b;
}

struct CppRun {
  std::vector<double> loss, seconds;
};

/// `steps` training steps from the initial weights with a fresh optimiser, as `fit` takes them.
CppRun run_cpp(model::Forecaster& model, const std::vector<torch::Tensor>& initial,
               const std::vector<model::Batch>& batches, const std::vector<size_t>& schedule, const std::string& mode,
               const RunConfig& cfg, double tau) {
  {
    torch::NoGradGuard no_grad;
    auto params = model->parameters();
    for (size_t i = 0; i < params.size(); ++i) params[i].copy_(initial[i]);
  }
  torch::optim::Adam opt(model->parameters(),
                         torch::optim::AdamOptions(lr_at(cfg.train, 1)).weight_decay(cfg.train.weight_decay));
  torch::manual_seed(cfg.train.seed);
  if (mode == "train") {
    model->train();
  } else {
    model->eval();
  }
  CppRun run;
  for (size_t step = 0; step < schedule.size(); ++step) {
    const auto t0 = std::chrono::steady_clock::now();
    model::LossTerms l = train_step(model, opt, batches[schedule[step]], tau, cfg.train, cfg.model,
                                    [&] { return fmt::format("bench step {}", step); });
    const double loss = l.total.item<double>();
    run.seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    run.loss.push_back(loss);
  }
  return run;
}

/// A temporary folder removed at scope exit (unless the user named the folder).
struct ExportDir {
  fs::path path;
  bool remove = false;
  explicit ExportDir(const std::string& dir) {
    if (!dir.empty()) {
      path = dir;
    } else {
      path = fs::temp_directory_path() / fmt::format("dnts-bench-train-{}", ::getpid());
      remove = true;
    }
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~ExportDir() {
    std::error_code ec;
    if (remove) fs::remove_all(path, ec);
  }
};

const char* side_label(const std::string& variant) {
  if (variant == "dnts") return "C++ dnts (one GEMM per TCM block)";
  if (variant == "natural") return "Python, natural PyTorch (conv2d per branch)";
  if (variant == "gemm") return "Python, same algorithm as C++";
  return "?";
}

}  // namespace

BenchTrainReport bench_train(const RunConfig& cfg, const data::Dataset& ds, const tree::PropagationTable& table,
                             const BenchTrainOptions& opts) {
  cfg.validate();
  DNTS_CHECK(cfg.model.kind == "dnts", ConfigError,
             "bench train: model.kind = '{}': the Python peer implements DNTS (and its ablation switches) only",
             cfg.model.kind);
  DNTS_CHECK(opts.dtype == "float32" || opts.dtype == "float64", ConfigError,
             "bench train: --dtype {}: must be float32 or float64", opts.dtype);
  DNTS_CHECK(opts.steps >= 0, ConfigError, "bench train: --steps {}: must be >= 0 (0 = one full epoch)", opts.steps);
  DNTS_CHECK(opts.threads >= 1, ConfigError, "bench train: --threads {}: must be >= 1", opts.threads);
  DNTS_CHECK(!opts.modes.empty(), ConfigError, "bench train: give at least one mode (exact, train)");
  for (const std::string& m : opts.modes)
    DNTS_CHECK(m == "exact" || m == "train", ConfigError, "bench train: mode '{}': must be exact or train", m);
  DNTS_CHECK(opts.python.empty() || little_endian_host(), ConfigError,
             "bench train: the exchange format is little-endian; this host is not");
  const torch::ScalarType dtype = opts.dtype == "float64" ? torch::kDouble : torch::kFloat;
  torch::set_num_threads(int(opts.threads));

  // The first epoch's batches in training order, built once (the trainer's RNG stream for seed).
  SampleSplit split = make_samples(table, cfg.data);
  DNTS_CHECK(!split.train.empty(), ConfigError, "bench train: no training samples");
  std::mt19937_64 rng(cfg.train.seed);
  const auto groups = shuffled_batches(split.train, cfg.train.batch_samples, rng);
  const size_t epoch_batches = groups.size();
  const size_t steps = opts.steps > 0 ? size_t(opts.steps) : epoch_batches;
  const size_t distinct = std::min(steps, epoch_batches);
  std::vector<model::Batch> batches;
  std::vector<double> build_seconds;
  double rows = 0, pairs = 0, incidences = 0;
  for (size_t k = 0; k < distinct; ++k) {
    const auto t0 = std::chrono::steady_clock::now();
    model::Batch b = model::make_batch(ds, table, groups[k], cfg.data.window, cfg.data.horizon, cfg.model.sample_k,
                                       &rng, torch::kCPU, split.train_cutoff);
    build_seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    rows += double(b.rows());
    pairs += double(b.pairs());
    incidences += double(b.hyper_vertex.size(0));
    batches.push_back(with_dtype(std::move(b), dtype));
  }
  std::vector<size_t> schedule(steps);
  for (size_t s = 0; s < steps; ++s) schedule[s] = s % epoch_batches;

  torch::manual_seed(cfg.train.seed);
  model::Forecaster model = model::make_forecaster(cfg, model::kNumFeatures, cfg.data.horizon);
  model->to(dtype);
  std::vector<torch::Tensor> initial;
  for (const auto& p : model->parameters()) initial.push_back(p.detach().clone());
  const double tau = tau_at(cfg.model, 1, cfg.train.epochs);

  BenchTrainReport rep;
  json& j = rep.json;
  j["settings"] = {{"steps", steps},
                   {"threads", opts.threads},
                   {"dtype", opts.dtype},
                   {"modes", opts.modes},
                   {"seed", cfg.train.seed},
                   {"batch_samples", cfg.train.batch_samples},
                   {"window", cfg.data.window},
                   {"horizon", cfg.data.horizon},
                   {"torch_cpp", TORCH_VERSION}};
  j["data"] = {{"train_samples", split.train.size()},
               {"batches_per_epoch", epoch_batches},
               {"batches_built", distinct},
               {"rows_mean", rows / double(distinct)},
               {"pairs_mean", pairs / double(distinct)},
               {"incidences_mean", incidences / double(distinct)}};
  j["batch_build"] = timing_json(build_seconds);
  j["batch_build"].erase("steps_timed");

  json sides = json::array();
  std::map<std::string, std::vector<double>> cpp_loss;
  for (const std::string& mode : opts.modes) {
    CppRun r = run_cpp(model, initial, batches, schedule, mode, cfg, tau);
    json s = timing_json(r.seconds);
    s["variant"] = "dnts";
    s["mode"] = mode;
    s["loss"] = r.loss;
    s["seconds"] = r.seconds;
    cpp_loss[mode] = r.loss;
    sides.push_back(s);
  }

  // The peer: the same steps on the same weights and batches.
  ExportDir dir(opts.export_dir);
  if (opts.python.empty()) rep.python_skip = "no Python peer (--python '')";
  if (!opts.python.empty() || !opts.export_dir.empty()) {
    json manifest = {{"model", model_settings_json(cfg.model)},
                     {"dtype", opts.dtype},
                     {"threads", opts.threads},
                     {"modes", opts.modes},
                     {"variants", {"natural", "gemm"}},
                     {"seed", cfg.train.seed},
                     {"tau", tau},
                     {"optim", {{"lr", lr_at(cfg.train, 1)},
                                {"weight_decay", cfg.train.weight_decay},
                                {"betas", {0.9, 0.999}},
                                {"eps", 1e-8},
                                {"clip_norm", cfg.train.clip_norm}}},
                     {"schedule", schedule}};
    manifest["params"] = json::array();
    size_t i = 0;
    for (const auto& p : model->named_parameters())
      manifest["params"].push_back(write_tensor(dir.path, p.key(), "param." + p.key(), initial[i++]));
    manifest["batches"] = json::array();
    for (size_t k = 0; k < batches.size(); ++k) {
      manifest["batches"].push_back(
          json{{"num_hyperedges", batches[k].num_hyperedges},
               {"tensors", write_batch_tensors(dir.path, fmt::format("batch{}", k), batches[k])}});
    }
    data::write_file_atomic((dir.path / "manifest.json").string(), manifest.dump(1) + "\n");
  }
  if (!opts.python.empty()) {
    const fs::path log = dir.path / "peer.log";
    const std::string cmd = shell_quote(opts.python) + " " + shell_quote(opts.peer) + " " +
                            shell_quote(dir.path.string()) + " > " + shell_quote(log.string()) + " 2>&1";
    const int status = std::system(cmd.c_str());
    const int rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (rc == kExitNoTorch) {
      rep.python_skip = fmt::format("{} cannot import torch: {}", opts.python, read_file(log));
    } else if (rc != 0) {
      throw InternalError(fmt::format("bench train: the Python peer failed (exit {}): {}\n{}", rc, cmd,
                                      read_file(log)));
    } else {
      rep.python_ran = true;
      const json peer = json::parse(read_file(dir.path / "peer.json"));
      j["python"] = {{"torch", peer.at("torch")}, {"threads", peer.at("threads")}};
      for (const json& s : peer.at("runs")) {
        json t = timing_json(s.at("seconds").get<std::vector<double>>());
        for (const char* key : {"variant", "mode", "loss", "seconds"}) t[key] = s.at(key);
        sides.push_back(t);
      }
    }
  }

  // Ratios in this run, per mode: Python time / C++ time (> 1: C++ faster).
  for (json& s : sides) {
    if (s.contains("median_ms")) s["epoch_s_extrapolated"] = s["median_ms"].get<double>() * 1e-3 * double(epoch_batches);
    for (const json& c : sides) {
      if (c["variant"] != "dnts" || c["mode"] != s["mode"] || !c.contains("median_ms") || !s.contains("median_ms"))
        continue;
      s["speedup_median"] = s["median_ms"].get<double>() / c["median_ms"].get<double>();
      s["speedup_total"] = s["total_s"].get<double>() / c["total_s"].get<double>();
    }
  }
  // Loss curves in exact mode, step by step.
  json agreement = json::object();
  if (cpp_loss.count("exact")) {
    const std::vector<double>& ref = cpp_loss["exact"];
    for (const json& s : sides) {
      if (s["variant"] == "dnts" || s["mode"] != "exact") continue;
      const auto py = s["loss"].get<std::vector<double>>();
      std::vector<double> rel;
      double first = 0, all = 0;
      for (size_t k = 0; k < std::min(py.size(), ref.size()); ++k) {
        rel.push_back(std::abs(ref[k] - py[k]) / std::max(std::abs(py[k]), 1e-12));
        if (!std::isfinite(rel.back())) rel.back() = INFINITY;
        all = std::max(all, rel.back());
        if (k < kFirstSteps) first = std::max(first, rel.back());
      }
      DNTS_CHECK(py.size() == ref.size(), InternalError, "bench train: the peer ran {} steps, C++ {}", py.size(),
                 ref.size());
      agreement[s["variant"].get<std::string>()] = {{"first_steps", first}, {"all_steps", all}, {"per_step", rel}};
      rep.loss_rel_diff_first = std::max(rep.loss_rel_diff_first, first);
      rep.loss_rel_diff_all = std::max(rep.loss_rel_diff_all, all);
    }
  }
  j["sides"] = sides;
  j["loss_rel_diff"] = agreement;
  if (!rep.python_ran) j["python"] = {{"skipped", rep.python_skip}};

  // The table.
  std::string& t = rep.text;
  t += fmt::format("bench train: {} step(s) per side and mode, from the first epoch's batches ({} per epoch, {} "
                   "training samples; {:.0f} rows, {:.0f} descendant pairs, {:.0f} hypergraph incidences per batch "
                   "on average)\n",
                   steps, epoch_batches, split.train.size(), rows / double(distinct), pairs / double(distinct),
                   incidences / double(distinct));
  t += fmt::format("settings: {} thread(s) on both sides, {}, seed {}, Adam lr {:.3g}, clip {}, torch {} (C++)",
                   opts.threads, opts.dtype, cfg.train.seed, lr_at(cfg.train, 1), cfg.train.clip_norm, TORCH_VERSION);
  if (rep.python_ran) t += fmt::format(" / {} (Python)", j["python"]["torch"].get<std::string>());
  t += "\n";
  t += fmt::format("C++ batch building (not in the step times; dnts train overlaps it with the step): median {:.1f} ms "
                   "per batch\n\n",
                   j["batch_build"].value("median_ms", 0.0));
  t += fmt::format("{:<44} {:<6} {:>10} {:>9} {:>10} {:>12} {:>9}\n", "side", "mode", "median ms", "p90 ms",
                   "total s", "epoch s (ex)", "vs C++");
  for (const std::string& mode : opts.modes) {
    for (const json& s : sides) {
      if (s["mode"] != mode) continue;
      t += fmt::format("{:<44} {:<6} {:>10.2f} {:>9.2f} {:>10.3f} {:>12.1f} {:>9}\n",
                       side_label(s["variant"].get<std::string>()), mode, s.value("median_ms", 0.0),
                       s.value("p90_ms", 0.0), s.value("total_s", 0.0), s.value("epoch_s_extrapolated", 0.0),
                       s["variant"] == "dnts" ? std::string("1.00x")
                                              : fmt::format("{:.2f}x", s.value("speedup_median", 0.0)));
    }
  }
  t += fmt::format("(median / p90 over steps 2..{}; 'epoch s (ex)' = median x {} batches; 'vs C++' = Python median / "
                   "C++ median in this run; {})\n",
                   steps, epoch_batches,
                   opts.steps == 0 ? "steps = one full epoch, so 'total s' is a measured epoch of training steps"
                                   : "'total s' = all steps");
  if (!agreement.empty()) {
    t += "loss curves, exact mode (no dropout, no Gumbel noise, Adam updates), max |C++ - Python| / |Python| per step:";
    for (auto it = agreement.begin(); it != agreement.end(); ++it)
      t += fmt::format(" {} {:.2e} over the first {} step(s), {:.2e} over all {};", it.key(),
                       it.value()["first_steps"].get<double>(), std::min(kFirstSteps, steps),
                       it.value()["all_steps"].get<double>(), steps);
    t.back() = '\n';
  }
  if (!rep.python_ran) t += "Python peer not run: " + rep.python_skip + "\n";
  return rep;
}

}  // namespace dnts::train
