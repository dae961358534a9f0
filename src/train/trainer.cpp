#include "dnts/train/trainer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/profiler_legacy.h>

#include <chrono>
#include <limits>
#include <mutex>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <random>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "dnts/data/csv.h"
#include "dnts/error.h"
#include "dnts/model/registry.h"
#include "dnts/model/subtable.h"
#include "dnts/progress.h"
#include "dnts/train/samples.h"

namespace dnts::train {
namespace fs = std::filesystem;

namespace {

constexpr int64_t kCurveColumns = 13;

std::string describe_batch(const model::Batch& b, const data::Dataset& ds, const tree::Frame& frame) {
  std::string s;
  for (size_t i = 0; i < b.samples.size() && i < 4; ++i) {
    s += fmt::format("{}(item '{}', origin {})", i ? ", " : "", ds.items.name(b.samples[i].item),
                     frame.label(b.samples[i].origin));
  }
  if (b.samples.size() > 4) s += fmt::format(" and {} more", b.samples.size() - 4);
  return s;
}

// Checkpoint = model + optimiser + epoch + RNG states + early-stopping state + curve.
void save_checkpoint(const std::string& path, model::Forecaster& model, torch::optim::Adam* opt, int64_t epoch,
                     const std::mt19937_64& rng, int64_t best_epoch, double best_val, int64_t bad_epochs,
                     const std::vector<EpochLog>& curve) {
  torch::serialize::OutputArchive root, m, o;
  model->save(m);
  root.write("model", m);
  if (opt != nullptr) {
    opt->save(o);
    root.write("optimizer", o);
  }
  root.write("epoch", torch::tensor(epoch));
  root.write("best_epoch", torch::tensor(best_epoch));
  root.write("best_val", torch::tensor(best_val, torch::kFloat64));
  root.write("bad_epochs", torch::tensor(bad_epochs));
  std::ostringstream rs;
  rs << rng;
  std::string rstr = rs.str();
  root.write("rng", torch::from_blob(rstr.data(), {int64_t(rstr.size())}, torch::kUInt8).clone());
  root.write("torch_rng", at::detail::getDefaultCPUGenerator().get_state());
  std::vector<double> flat;
  for (const EpochLog& e : curve) {
    flat.insert(flat.end(), {double(e.epoch), e.loss, e.main, e.self, e.desc, e.active, e.val_main, e.val_mae,
                             e.val_wape, e.lr, e.tau, e.seconds, e.batch_seconds});
  }
  flat.resize(std::max<size_t>(flat.size(), 1));  // a valid pointer for an empty curve
  root.write("curve",
             torch::from_blob(flat.data(), {int64_t(curve.size()), kCurveColumns}, torch::kFloat64).clone());
  std::string tmp = data::temp_path_for(path);
  root.save_to(tmp);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw IoError(fmt::format("{}: cannot rename into place", path));
}

struct Resumed {
  int64_t epoch = 0, best_epoch = 0, bad_epochs = 0;
  double best_val = INFINITY;
  std::vector<EpochLog> curve;
};

Resumed load_checkpoint(const std::string& path, model::Forecaster& model, torch::optim::Adam* opt,
                        std::mt19937_64* rng) {
  Resumed r;
  torch::serialize::InputArchive root, m, o;
  try {
    root.load_from(path);
  } catch (const c10::Error& e) {
    throw IoError(fmt::format("{}: cannot read checkpoint: {}", path, e.what_without_backtrace()));
  }
  root.read("model", m);
  model->load(m);
  if (opt != nullptr && model->trainable()) {
    root.read("optimizer", o);
    opt->load(o);
  }
  // InputArchive::read writes into a defined tensor in place: read every key into a fresh one.
  auto read = [&](const char* key) {
    torch::Tensor t;
    root.read(key, t);
    return t;
  };
  r.epoch = read("epoch").item<int64_t>();
  r.best_epoch = read("best_epoch").item<int64_t>();
  r.best_val = read("best_val").item<double>();
  r.bad_epochs = read("bad_epochs").item<int64_t>();
  if (rng != nullptr) {
    torch::Tensor t = read("rng");
    std::istringstream rs(std::string(reinterpret_cast<const char*>(t.data_ptr<uint8_t>()), size_t(t.numel())));
    rs >> *rng;
    at::Generator gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(read("torch_rng"));
  }
  torch::Tensor t = read("curve");
  auto a = t.accessor<double, 2>();
  for (int64_t i = 0; i < t.size(0); ++i) {
    EpochLog e;
    e.epoch = int64_t(a[i][0]);
    e.loss = a[i][1], e.main = a[i][2], e.self = a[i][3], e.desc = a[i][4], e.active = a[i][5];
    e.val_main = a[i][6], e.val_mae = a[i][7], e.val_wape = a[i][8], e.lr = a[i][9], e.tau = a[i][10];
    e.seconds = a[i][11];
    e.batch_seconds = a[i][12];
    r.curve.push_back(e);
  }
  return r;
}

void write_curve(const std::string& run_dir, const std::vector<EpochLog>& curve) {
  std::string csv = "epoch,loss,main,self,desc,active,val_main,val_mae,val_wape,lr,tau,seconds,batch_seconds\n";
  for (const EpochLog& e : curve) {
    csv += fmt::format("{},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.4g},{:.3f},{:.3f}\n", e.epoch,
                       e.loss, e.main, e.self, e.desc, e.active, e.val_main, e.val_mae, e.val_wape, e.lr, e.tau,
                       e.seconds, e.batch_seconds);
  }
  data::write_file_atomic((fs::path(run_dir) / "curve.csv").string(), csv);
  // A PNG of the curves when gnuplot is installed (the CSV is the record).
  if (std::system("command -v gnuplot >/dev/null 2>&1") == 0 && !curve.empty()) {
    std::string script = fmt::format(
        "set terminal pngcairo noenhanced size 900,500; set title 'training and validation loss';"
        "set output '{0}/curve.png'; set datafile separator ',';"
        "set key autotitle columnhead; set xlabel 'epoch'; set logscale y;"
        "plot '{0}/curve.csv' using 1:2 with lines lw 2, '' using 1:3 with lines, '' using 1:7 with lines lw 2",
        run_dir);
    std::string cmd = "gnuplot -e \"" + script + "\" >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "note: gnuplot could not draw curve.png\n");
  }
}

}  // namespace

std::vector<model::Batch> make_batches(const RunConfig& cfg, const data::Dataset& ds,
                                       const tree::PropagationTable& table,
                                       const std::vector<model::SampleRef>& samples, torch::Device device,
                                       int32_t target_cutoff) {
  std::vector<model::Batch> out;
  for (const auto& group : group_batches(samples, cfg.train.batch_samples))
    out.push_back(model::make_batch(ds, table, group, cfg.data.window, cfg.data.horizon, cfg.model.sample_k, nullptr,
                                    device, target_cutoff));
  return out;
}

EvalReport evaluate(model::Forecaster& model, const RunConfig& cfg, const std::vector<model::Batch>& batches) {
  torch::NoGradGuard no_grad;
  model->eval();
  MetricAccumulator acc;
  const std::vector<std::string>& names = baseline_names();
  std::vector<model::Forecaster> baselines;
  for (const std::string& name : names)
    baselines.push_back(model::make_forecaster(model::config_for(name, cfg), model::kNumFeatures, cfg.data.horizon));
  std::vector<MetricAccumulator> base(names.size());
  double main_sum = 0, main_w = 0;
  for (const model::Batch& b : batches) {
    model::ForecastOutput out = model->forward(b);
    model::LossTerms l = model->loss(out, b, cfg.model);
    double cells = b.mask.sum().item<double>();
    main_sum += l.main.item<double>() * cells;
    main_w += cells;
    acc.add(out.y_hat, b.y, b.mask, &b.row_offset, &b.row_promoter);
    for (size_t k = 0; k < names.size(); ++k)
      base[k].add(baselines[k]->forward(b).y_hat, b.y, b.mask, &b.row_offset, &b.row_promoter);
  }
  EvalReport r;
  r.model_name = cfg.model.kind;
  r.model = acc.finish();
  r.model.main = main_w > 0 ? main_sum / main_w : 0.0;
  for (size_t k = 0; k < names.size(); ++k) r.baselines.emplace_back(names[k], base[k].finish());
  return r;
}

EvalReport evaluate(model::Forecaster& model, const RunConfig& cfg, const data::Dataset& ds,
                    const tree::PropagationTable& table, const std::vector<model::SampleRef>& samples,
                    torch::Device device, int32_t target_cutoff) {
  return evaluate(model, cfg, make_batches(cfg, ds, table, samples, device, target_cutoff));
}

model::LossTerms train_step(model::Forecaster& model, torch::optim::Optimizer& opt, const model::Batch& batch,
                            double tau, const TrainConfig& tc, const ModelConfig& mc,
                            const std::function<std::string()>& where) {
  opt.zero_grad();
  model::ForecastOutput out = model->forward(batch, tau);
  model::LossTerms l = model->loss(out, batch, mc);
  const double loss = l.total.item<double>();
  if (!std::isfinite(loss)) {
    throw InternalError(fmt::format("non-finite loss {} at {}: main {}, self {}, desc {}, active {}, horizon total {}. "
                                    "Lower train.lr or check the input amounts.",
                                    loss, where(), l.main.item<double>(), l.self.item<double>(),
                                    l.desc.item<double>(), l.active.item<double>(), l.horizon_total.item<double>()));
  }
  l.total.backward();
  // Gradient norm (clipping when configured): a non-finite gradient stops here, naming this batch.
  const double norm = torch::nn::utils::clip_grad_norm_(
      model->parameters(), tc.clip_norm > 0 ? tc.clip_norm : std::numeric_limits<double>::max());
  if (!std::isfinite(norm)) {
    throw InternalError(fmt::format("non-finite gradient norm at {} (loss {}). Lower train.lr or check the input "
                                    "amounts.",
                                    where(), loss));
  }
  opt.step();
  return l;
}

double tau_at(const ModelConfig& m, int64_t epoch, int64_t epochs) {
  if (epochs <= 1) return m.tau_end;
  double f = double(epoch - 1) / double(epochs - 1);
  return m.tau_start * std::pow(m.tau_end / m.tau_start, f);  // geometric annealing
}

double lr_at(const TrainConfig& t, int64_t epoch) {
  if (t.schedule == "constant" || t.epochs <= 1) return t.lr;
  double f = double(epoch - 1) / double(t.epochs - 1);
  return t.lr * (0.05 + 0.95 * 0.5 * (1 + std::cos(M_PI * f)));  // cosine down to 5 %
}


TrainResult fit(const RunConfig& cfg, const data::Dataset& ds, const tree::PropagationTable& table,
                const TrainOptions& opts) {
  cfg.validate();
  const TrainConfig& tc = cfg.train;
  int threads = tc.threads > 0 ? int(tc.threads) : int(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
  fs::create_directories(fs::path(opts.run_dir) / "checkpoints");
  const std::string cfg_path = (fs::path(opts.run_dir) / "config.resolved.json").string();
  if (opts.resume && fs::exists(cfg_path)) {
    // Resuming with other settings would silently change the trajectory: only train.epochs may differ.
    RunConfig before;
    before.load_file(cfg_path);
    nlohmann::json a = before.to_json(), b = cfg.to_json();
    for (nlohmann::json* j : {&a, &b}) {
      (*j)["train"].erase("epochs");
      (*j)["train"].erase("prefetch");  // where batches are built, not what they hold
    }
    DNTS_CHECK(a == b, ConfigError, "--resume: the settings differ from {} (only train.epochs may change); "
               "diff: {}", cfg_path, nlohmann::json::diff(a, b).dump());
  }
  data::write_file_atomic(cfg_path, cfg.to_json().dump(2) + "\n");
  data::write_file_atomic((fs::path(opts.run_dir) / "run.json").string(),
                          nlohmann::json{{"version", DNTS_VERSION}, {"seed", tc.seed}, {"threads", threads},
                                         {"torch", TORCH_VERSION}}.dump(2) + "\n");
  SampleSplit split = opts.split != nullptr ? *opts.split : make_samples(table, cfg.data);
  DNTS_CHECK(!split.train.empty(), ConfigError, "no training samples: the data is too short for window {} + horizon {}",
             cfg.data.window, cfg.data.horizon);
  std::fprintf(stderr, "train: %zu train, %zu validation, %zu test samples; %d threads\n", split.train.size(),
               split.val.size(), split.test.size(), threads);

  torch::manual_seed(tc.seed);
  std::mt19937_64 rng(tc.seed);
  model::Forecaster model = model::make_forecaster(cfg, model::kNumFeatures, cfg.data.horizon);
  model->to(opts.device);
  // A forecaster without parameters (a statistical baseline) has nothing to fit: no optimiser, no epochs.
  std::unique_ptr<torch::optim::Adam> opt;
  if (model->trainable())
    opt = std::make_unique<torch::optim::Adam>(model->parameters(),
                                               torch::optim::AdamOptions(tc.lr).weight_decay(tc.weight_decay));
  const std::string last_path = (fs::path(opts.run_dir) / "checkpoints" / "last.pt").string();
  const std::string best_path = (fs::path(opts.run_dir) / "checkpoints" / "best.pt").string();
  Resumed state;
  if (opts.resume) {
    DNTS_CHECK(fs::exists(last_path), ConfigError, "--resume: no checkpoint at {}", last_path);
    state = load_checkpoint(last_path, model, opt.get(), &rng);
    std::fprintf(stderr, "train: resumed after epoch %lld\n", static_cast<long long>(state.epoch));
  }
  TrainResult result;
  result.curve = state.curve;
  // Validation batches are deterministic (no sampling randomness): built once, scored every epoch.
  const std::vector<model::Batch> val_batches =
      model->trainable() ? make_batches(cfg, ds, table, split.val, opts.device, split.val_cutoff)
                         : std::vector<model::Batch>{};
  if (!model->trainable()) {
    save_checkpoint(best_path, model, nullptr, 0, rng, 0, 0.0, 0, result.curve);
    save_checkpoint(last_path, model, nullptr, 0, rng, 0, 0.0, 0, result.curve);
  }
  for (int64_t epoch = state.epoch + 1; model->trainable() && epoch <= tc.epochs; ++epoch) {
    if (state.bad_epochs >= tc.patience) break;
    if (opts.stop_after_epoch > 0 && epoch > opts.stop_after_epoch) break;
    auto t0 = std::chrono::steady_clock::now();
    const double lr = lr_at(tc, epoch), tau = tau_at(cfg.model, epoch, tc.epochs);
    for (auto& g : opt->param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);
    const auto batches = shuffled_batches(split.train, tc.batch_samples, rng);
    model->train();
    EpochLog log;
    log.epoch = epoch;
    log.lr = lr;
    log.tau = tau;
    Progress progress(fmt::format("epoch {}/{}", epoch, tc.epochs), int64_t(batches.size()), "batches");
    // DNTS_PROFILE=FILE: a Chrome trace of training batches 10-39 of the first epoch run (every op,
    // forward and backward); `python3 scripts/profile-summary.py FILE` totals it by op.
    const char* profile_path = epoch == state.epoch + 1 ? std::getenv("DNTS_PROFILE") : nullptr;
    std::unique_ptr<torch::autograd::profiler::RecordProfile> profile;
    int64_t batch_index = 0;
    // Batch k+1 is built on another thread while step k runs (train.prefetch). Builds stay sequential
    // and in order, and nothing else draws from `rng` during the loop, so the batches (and the run)
    // are bit-identical to building each one just before its step.
    auto build = [&](size_t k) {
      return model::make_batch(ds, table, batches[k], cfg.data.window, cfg.data.horizon, cfg.model.sample_k, &rng,
                               opts.device, split.train_cutoff);
    };
    std::future<model::Batch> next;
    if (tc.prefetch && !batches.empty()) next = std::async(std::launch::async, build, size_t(0));
    for (size_t k = 0; k < batches.size(); ++k) {
      if (profile_path != nullptr && batch_index == 10)
        profile = std::make_unique<torch::autograd::profiler::RecordProfile>(std::string(profile_path));
      if (batch_index++ == 40) profile.reset();
      auto tb = std::chrono::steady_clock::now();
      model::Batch b = tc.prefetch ? next.get() : build(k);
      if (tc.prefetch && k + 1 < batches.size()) next = std::async(std::launch::async, build, k + 1);
      log.batch_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - tb).count();
      model::LossTerms l = train_step(model, *opt, b, tau, tc, cfg.model, [&] {
        return fmt::format("epoch {}, batch of {}", epoch, describe_batch(b, ds, table.frame));
      });
      const double loss = l.total.item<double>();
      log.loss += loss;
      log.main += l.main.item<double>();
      log.self += l.self.item<double>();
      log.desc += l.desc.item<double>();
      log.active += l.active.item<double>();
      progress.set_note(fmt::format("loss {:.4f} (main {:.4f} self {:.4f} desc {:.4f} act {:.4f} total {:.4f})", loss,
                                    l.main.item<double>(), l.self.item<double>(), l.desc.item<double>(),
                                    l.active.item<double>(), l.horizon_total.item<double>()));
      progress.add(1);
    }
    profile.reset();
    progress.finish();
    const double nb = std::max<double>(1.0, double(batches.size()));
    log.loss /= nb, log.main /= nb, log.self /= nb, log.desc /= nb, log.active /= nb;
    EvalMetrics val = evaluate(model, cfg, val_batches).model;
    log.val_main = val.main;
    log.val_mae = val.mae;
    log.val_wape = val.wape;
    if (!std::isfinite(val.main)) {
      throw InternalError(fmt::format("non-finite validation loss at epoch {}; the last good state is {}", epoch,
                                      last_path));
    }
    log.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    result.curve.push_back(log);
    if (val.main < state.best_val) {
      state.best_val = val.main;
      state.best_epoch = epoch;
      state.bad_epochs = 0;
      save_checkpoint(best_path, model, opt.get(), epoch, rng, state.best_epoch, state.best_val, state.bad_epochs,
                      result.curve);
    } else {
      ++state.bad_epochs;
    }
    save_checkpoint(last_path, model, opt.get(), epoch, rng, state.best_epoch, state.best_val, state.bad_epochs,
                    result.curve);
    write_curve(opts.run_dir, result.curve);
    std::fprintf(stderr, "epoch %lld: loss %.4f (main %.4f) | val main %.4f MAE %.4f WAPE %.3f | lr %.2g tau %.2f | %.1fs (batches %.1fs)%s\n",
                 static_cast<long long>(epoch), log.loss, log.main, val.main, val.mae, val.wape, lr, tau, log.seconds, log.batch_seconds,
                 state.best_epoch == epoch ? " *" : "");
  }
  result.stopped_early = state.bad_epochs >= tc.patience && int64_t(result.curve.size()) < tc.epochs;
  result.best_epoch = state.best_epoch;
  result.best_val = state.best_val;
  // Final metrics with the best checkpoint.
  load_checkpoint(best_path, model, nullptr, nullptr);
  result.val = model->trainable() ? evaluate(model, cfg, val_batches)
                                  : evaluate(model, cfg, ds, table, split.val, opts.device, split.val_cutoff);
  result.test = evaluate(model, cfg, ds, table, split.test, opts.device);
  nlohmann::json metrics = {{"best_epoch", result.best_epoch},
                            {"epochs_run", result.curve.size()},
                            {"stopped_early", result.stopped_early},
                            {"samples", {{"train", split.train.size()}, {"val", split.val.size()}, {"test", split.test.size()}}},
                            {"val", report_json(result.val)},
                            {"test", report_json(result.test)}};
  data::write_file_atomic((fs::path(opts.run_dir) / "metrics.json").string(), metrics.dump(2) + "\n");
  return result;
}

LoadedRun load_run(const std::string& run_dir, torch::Device device) {
  LoadedRun run;
  std::string cfg_path = (fs::path(run_dir) / "config.resolved.json").string();
  DNTS_CHECK(fs::exists(cfg_path), ConfigError, "{}: not a run folder (no config.resolved.json)", run_dir);
  run.cfg.load_file(cfg_path);
  run.model = model::make_forecaster(run.cfg, model::kNumFeatures, run.cfg.data.horizon);
  load_checkpoint((fs::path(run_dir) / "checkpoints" / "best.pt").string(), run.model, nullptr, nullptr);
  run.model->to(device);
  run.model->eval();
  return run;
}

std::vector<model::SampleRef> samples_at_origin(const tree::PropagationTable& table, int32_t origin) {
  std::vector<model::SampleRef> samples;
  for (uint32_t item = 0; item < table.items.size(); ++item)
    if (table.items[item].promoters_at(origin) > 0) samples.push_back({item, origin});
  return samples;
}

std::vector<model::SampleRef> samples_at_age(const tree::PropagationTable& table, int64_t age) {
  DNTS_CHECK(age >= 1, ConfigError, "--age {}: must be >= 1 (the launch bucket is age 1)", age);
  std::vector<model::SampleRef> samples;
  for (uint32_t item = 0; item < table.items.size(); ++item) {
    const tree::ItemTable& it = table.items[item];
    if (it.join_bucket.empty()) continue;
    int64_t t0 = int64_t(it.join_bucket.front()) + age - 1;
    if (t0 < table.frame.num_buckets) samples.push_back({item, int32_t(t0)});
  }
  return samples;
}

int64_t write_forecasts(LoadedRun& run, const data::Dataset& ds, const tree::PropagationTable& table,
                        const std::vector<model::SampleRef>& samples, int64_t horizon, const std::string& path,
                        torch::Device device) {
  torch::NoGradGuard no_grad;
  const RunConfig& cfg = run.cfg;
  DNTS_CHECK(horizon >= 1 && horizon <= cfg.data.horizon, ConfigError,
             "--horizon {}: this run forecasts at most {} buckets", horizon, cfg.data.horizon);
  data::CsvWriter w(path);
  w.raw("item,promoter,day,y_hat,self_sales_hat,p_active\n");
  std::vector<std::string> labels;
  std::unordered_map<uint32_t, std::pair<double, double>> across;  // promoter -> (Σ y_hat, Σ self)
  std::vector<uint32_t> across_order;
  int64_t rows = 0;
  std::string buf;
  for (const auto& group : group_batches(samples, cfg.train.batch_samples)) {
    model::Batch b = model::make_batch(ds, table, group, cfg.data.window, cfg.data.horizon, cfg.model.sample_k,
                                       nullptr, device);
    model::ForecastOutput out = run.model->forward(b);
    torch::Tensor y = out.y_hat.to(torch::kCPU).to(torch::kFloat64).contiguous();
    torch::Tensor s = (out.self_hat.defined() ? out.self_hat : torch::full_like(out.y_hat, NAN)).to(torch::kCPU).to(torch::kFloat64).contiguous();
    torch::Tensor p = out.p_active.to(torch::kCPU).to(torch::kFloat64).contiguous();
    auto ya = y.accessor<double, 2>(), sa = s.accessor<double, 2>(), pa = p.accessor<double, 2>();
    for (size_t i = 0; i < group.size(); ++i) {
      std::string item;
      data::CsvWriter::append_field(item, ds.items.name(group[i].item));
      labels.clear();
      for (int64_t h = 0; h < horizon; ++h) labels.push_back(table.frame.label(group[i].origin + 1 + int32_t(h)));
      for (int64_t r = b.row_offset[i]; r < b.row_offset[i + 1]; ++r) {
        std::string prom;
        data::CsvWriter::append_field(prom, ds.promoters.name(b.row_promoter[size_t(r)]));
        double ty = 0, ts = 0;
        for (int64_t h = 0; h < horizon; ++h) {
          fmt::format_to(std::back_inserter(buf), "{},{},{},{:.6g},{:.6g},{:.6g}\n", item, prom, labels[size_t(h)],
                         ya[r][h], sa[r][h], pa[r][h]);
          ty += ya[r][h];
          ts += sa[r][h];
        }
        fmt::format_to(std::back_inserter(buf), "{},{},total,{:.6g},{:.6g},\n", item, prom, ty, ts);
        rows += horizon + 1;
        auto [it, inserted] = across.emplace(b.row_promoter[size_t(r)], std::make_pair(0.0, 0.0));
        if (inserted) across_order.push_back(b.row_promoter[size_t(r)]);
        it->second.first += ty;
        it->second.second += ts;
      }
      w.raw(buf);
      buf.clear();
    }
  }
  for (uint32_t prom_id : across_order) {
    std::string prom;
    data::CsvWriter::append_field(prom, ds.promoters.name(prom_id));
    fmt::format_to(std::back_inserter(buf), "*,{},total,{:.6g},{:.6g},\n", prom, across[prom_id].first,
                   across[prom_id].second);
    ++rows;
  }
  w.raw(buf);
  w.close();
  return rows;
}

}  // namespace dnts::train
