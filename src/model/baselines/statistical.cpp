// Statistical baselines: forecasts computed from each row's own history, no parameters, never trained.
// All read the same L-bucket input window as the deep models (Batch::y_hist, raw y), except the mean
// rate, which is the mean since the item's launch (Batch::mean_scale). Buckets before the promoter
// joined the item are not part of its history (Croston, TSB); a row that never sold forecasts 0.
#include "dnts/data/time.h"
#include "dnts/error.h"
#include "dnts/model/forecaster.h"
#include "dnts/model/subtable.h"

namespace dnts::model {
namespace {

ForecastOutput constant_output(torch::Tensor y_hat) {
  ForecastOutput out;
  out.p_active = torch::ones_like(y_hat);
  out.y_hat = std::move(y_hat);
  return out;
}

/// [N] -> [N, H]
torch::Tensor repeat(const torch::Tensor& v, int64_t horizon) { return v.unsqueeze(1).expand({v.size(0), horizon}).contiguous(); }

class ZeroImpl : public ForecasterImpl {
 public:
  explicit ZeroImpl(int64_t horizon) : ForecasterImpl("zero"), horizon_(horizon) {}
  ForecastOutput forward(const Batch& b, double) override {
    return constant_output(torch::zeros({b.rows(), horizon_}, b.y_hist.options()));
  }

 private:
  int64_t horizon_;
};

class LastImpl : public ForecasterImpl {
 public:
  explicit LastImpl(int64_t horizon) : ForecasterImpl("last"), horizon_(horizon) {}
  ForecastOutput forward(const Batch& b, double) override {
    return constant_output(repeat(b.y_hist.select(1, b.y_hist.size(1) - 1), horizon_));
  }

 private:
  int64_t horizon_;
};

class MeanRateImpl : public ForecasterImpl {
 public:
  explicit MeanRateImpl(int64_t horizon) : ForecasterImpl("mean_rate"), horizon_(horizon) {}
  ForecastOutput forward(const Batch& b, double) override { return constant_output(repeat(b.mean_scale, horizon_)); }

 private:
  int64_t horizon_;
};

/// The seasonal period in buckets: model.season, or a week of day buckets, or a day of finer ones.
int64_t season_of(const RunConfig& cfg) {
  if (cfg.model.season > 0) return cfg.model.season;
  const int64_t width = data::TimeAxis::parse_width(cfg.data.bucket, "data.bucket");
  if (width >= 86400) return std::max<int64_t>(1, 7 * 86400 / width);
  return std::max<int64_t>(1, 86400 / width);
}

/// ŷ(t0 + h) = y(t0 + h - P·ceil(h / P)): the same phase one season back.
class SeasonalNaiveImpl : public ForecasterImpl {
 public:
  SeasonalNaiveImpl(const RunConfig& cfg, int64_t horizon)
      : ForecasterImpl("seasonal_naive"), horizon_(horizon), season_(season_of(cfg)) {
    DNTS_CHECK(season_ <= cfg.data.window, ConfigError,
               "seasonal_naive: the season ({} buckets) is longer than the input window data.window = {}", season_,
               cfg.data.window);
  }
  ForecastOutput forward(const Batch& b, double) override {
    const int64_t L = b.y_hist.size(1);
    std::vector<int64_t> idx;
    for (int64_t h = 0; h < horizon_; ++h) idx.push_back(L - season_ + h % season_);
    torch::Tensor index = torch::tensor(idx, torch::TensorOptions().dtype(torch::kInt64).device(b.y_hist.device()));
    return constant_output(b.y_hist.index_select(1, index));
  }

 private:
  int64_t horizon_, season_;
};

class MovingAverageImpl : public ForecasterImpl {
 public:
  MovingAverageImpl(const RunConfig& cfg, int64_t horizon)
      : ForecasterImpl("moving_average"), horizon_(horizon),
        width_(cfg.model.ma_window > 0 ? cfg.model.ma_window : season_of(cfg)) {
    DNTS_CHECK(width_ <= cfg.data.window, ConfigError,
               "moving_average: {} buckets averaged but the input window data.window is {}", width_, cfg.data.window);
  }
  ForecastOutput forward(const Batch& b, double) override {
    const int64_t L = b.y_hist.size(1);
    return constant_output(repeat(b.y_hist.narrow(1, L - width_, width_).mean(1), horizon_));
  }

 private:
  int64_t horizon_, width_;
};

/// Croston (1972): demand sizes z and inter-demand intervals q smoothed at demand occurrences only;
/// the forecast is z / q per bucket. Initialised at the first demand in the window (z = its size,
/// q = buckets since the promoter joined or the window began).
class CrostonImpl : public ForecasterImpl {
 public:
  CrostonImpl(const RunConfig& cfg, int64_t horizon)
      : ForecasterImpl("croston"), horizon_(horizon), alpha_(cfg.model.smoothing_alpha) {}
  ForecastOutput forward(const Batch& b, double) override {
    const torch::Tensor y = b.y_hist.to(torch::kFloat64);
    const torch::Tensor joined = b.x.select(2, kJoined).to(torch::kFloat64) > 0.5;
    const int64_t N = y.size(0), L = y.size(1);
    auto opts = y.options();
    torch::Tensor z = torch::zeros({N}, opts), q = torch::ones({N}, opts), since = torch::zeros({N}, opts);
    torch::Tensor seen = torch::zeros({N}, opts.dtype(torch::kBool));
    for (int64_t k = 0; k < L; ++k) {
      torch::Tensor yk = y.select(1, k), in = joined.select(1, k);
      since = since + in.to(torch::kFloat64);
      torch::Tensor demand = in & (yk > 0);
      torch::Tensor first = demand & ~seen, later = demand & seen;
      z = torch::where(first, yk, torch::where(later, z + alpha_ * (yk - z), z));
      q = torch::where(first, since, torch::where(later, q + alpha_ * (since - q), q));
      since = torch::where(demand, torch::zeros_like(since), since);
      seen = seen | demand;
    }
    torch::Tensor rate = torch::where(seen, z / q, torch::zeros_like(z));
    return constant_output(repeat(rate, horizon_).to(b.y_hist.scalar_type()));
  }

 private:
  int64_t horizon_;
  double alpha_;
};

/// TSB (Teunter, Syntetos & Babai 2011): the demand probability p is smoothed every bucket (towards 1
/// on a demand, towards 0 otherwise) and the demand size z at demands; the forecast is p · z. p starts
/// at the share of buckets with demand since joining, z at the mean demand size.
class TsbImpl : public ForecasterImpl {
 public:
  TsbImpl(const RunConfig& cfg, int64_t horizon)
      : ForecasterImpl("tsb"), horizon_(horizon), alpha_(cfg.model.smoothing_alpha), beta_(cfg.model.smoothing_beta) {}
  ForecastOutput forward(const Batch& b, double) override {
    const torch::Tensor y = b.y_hist.to(torch::kFloat64);
    const torch::Tensor joined = b.x.select(2, kJoined).to(torch::kFloat64) > 0.5;
    const torch::Tensor demand = joined & (y > 0);
    const torch::Tensor periods = joined.to(torch::kFloat64).sum(1), demands = demand.to(torch::kFloat64).sum(1);
    torch::Tensor p = demands / periods.clamp_min(1.0);
    torch::Tensor z = (y * demand).sum(1) / demands.clamp_min(1.0);
    for (int64_t k = 0; k < y.size(1); ++k) {
      torch::Tensor in = joined.select(1, k), d = demand.select(1, k), yk = y.select(1, k);
      p = torch::where(in, p + beta_ * (d.to(torch::kFloat64) - p), p);
      z = torch::where(d, z + alpha_ * (yk - z), z);
    }
    return constant_output(repeat(p * z, horizon_).to(b.y_hist.scalar_type()));
  }

 private:
  int64_t horizon_;
  double alpha_, beta_;
};

}  // namespace

Forecaster make_zero(const RunConfig&, int64_t, int64_t horizon) { return std::make_shared<ZeroImpl>(horizon); }
Forecaster make_last(const RunConfig&, int64_t, int64_t horizon) { return std::make_shared<LastImpl>(horizon); }
Forecaster make_mean_rate(const RunConfig&, int64_t, int64_t horizon) { return std::make_shared<MeanRateImpl>(horizon); }
Forecaster make_seasonal_naive(const RunConfig& cfg, int64_t, int64_t horizon) {
  return std::make_shared<SeasonalNaiveImpl>(cfg, horizon);
}
Forecaster make_moving_average(const RunConfig& cfg, int64_t, int64_t horizon) {
  return std::make_shared<MovingAverageImpl>(cfg, horizon);
}
Forecaster make_croston(const RunConfig& cfg, int64_t, int64_t horizon) { return std::make_shared<CrostonImpl>(cfg, horizon); }
Forecaster make_tsb(const RunConfig& cfg, int64_t, int64_t horizon) { return std::make_shared<TsbImpl>(cfg, horizon); }

}  // namespace dnts::model
