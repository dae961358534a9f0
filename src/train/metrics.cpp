#include "dnts/train/metrics.h"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace dnts::train {

void MetricAccumulator::add(const torch::Tensor& pred, const torch::Tensor& y, const torch::Tensor& mask) {
  torch::NoGradGuard no_grad;
  torch::Tensor p = pred.to(torch::kFloat64), t = y.to(torch::kFloat64), m = mask.to(torch::kFloat64);
  torch::Tensor err = (p - t) * m;
  torch::Tensor log_err = (torch::log1p(p) - torch::log1p(t)) * m;
  // One host transfer for the cell sums.
  torch::Tensor cell = torch::stack({err.abs().sum(), err.pow(2).sum(), log_err.pow(2).sum(), (t * m).sum(), m.sum()})
                           .cpu();
  auto c = cell.accessor<double, 1>();
  abs_ += c[0], sq_ += c[1], sq_log_ += c[2], sum_y_ += c[3];
  cells_ += int64_t(std::llround(c[4]));
  torch::Tensor scored = m.sum(1) > 0;  // rows with at least one scored cell
  torch::Tensor tp = (p * m).sum(1), ty = (t * m).sum(1);
  torch::Tensor terr = (tp - ty) * scored;
  torch::Tensor tlog = (torch::log1p(tp) - torch::log1p(ty)) * scored;
  torch::Tensor tot = torch::stack({terr.abs().sum(), terr.pow(2).sum(), tlog.pow(2).sum(), ty.sum(),
                                    scored.to(torch::kFloat64).sum()})
                          .cpu();
  auto a = tot.accessor<double, 1>();
  t_abs_ += a[0], t_sq_ += a[1], t_sq_log_ += a[2], t_sum_y_ += a[3];
  rows_ += int64_t(std::llround(a[4]));
}

EvalMetrics MetricAccumulator::finish() const {
  EvalMetrics m;
  m.cells = cells_;
  m.rows = rows_;
  if (cells_ > 0) {
    m.mae = abs_ / double(cells_);
    m.rmse = std::sqrt(sq_ / double(cells_));
    m.rmsle = std::sqrt(sq_log_ / double(cells_));
    m.wape = sum_y_ > 0 ? abs_ / sum_y_ : NAN;
  }
  if (rows_ > 0) {
    m.total_mae = t_abs_ / double(rows_);
    m.total_rmse = std::sqrt(t_sq_ / double(rows_));
    m.total_rmsle = std::sqrt(t_sq_log_ / double(rows_));
    m.total_wape = t_sum_y_ > 0 ? t_abs_ / t_sum_y_ : NAN;
  }
  return m;
}

const std::vector<std::string>& baseline_names() {
  static const std::vector<std::string> names = {"zero", "last", "mean_rate"};
  return names;
}

std::vector<torch::Tensor> baseline_forecasts(const torch::Tensor& last_scale, const torch::Tensor& mean_scale,
                                              int64_t horizon) {
  const int64_t n = last_scale.size(0);
  return {torch::zeros({n, horizon}, last_scale.options()), last_scale.unsqueeze(1).expand({n, horizon}),
          mean_scale.unsqueeze(1).expand({n, horizon})};
}

nlohmann::json metrics_json(const EvalMetrics& m) {
  return {{"main", m.main},
          {"cell", {{"mae", m.mae}, {"rmse", m.rmse}, {"wape", m.wape}, {"rmsle", m.rmsle}, {"n", m.cells}}},
          {"total",
           {{"mae", m.total_mae}, {"rmse", m.total_rmse}, {"wape", m.total_wape}, {"rmsle", m.total_rmsle}, {"n", m.rows}}}};
}

nlohmann::json report_json(const EvalReport& r) {
  nlohmann::json j = {{"dnts", metrics_json(r.model)}};
  for (const auto& [name, m] : r.baselines) {
    nlohmann::json b = metrics_json(m);
    b.erase("main");
    j[name] = b;
  }
  return j;
}

std::string format_report(const EvalReport& r, const std::string& title) {
  std::string s = fmt::format("{} ({} cells, {} (item, origin, promoter) horizon totals)\n", title, r.model.cells,
                              r.model.rows);
  s += fmt::format("  {:<10} {:>10} {:>10} {:>8} {:>8} | {:>10} {:>10} {:>8} {:>8}\n", "forecast", "MAE", "RMSE", "WAPE",
                   "RMSLE", "total MAE", "total RMSE", "WAPE", "RMSLE");
  auto line = [&](const std::string& name, const EvalMetrics& m) {
    s += fmt::format("  {:<10} {:>10.4f} {:>10.4f} {:>8.4f} {:>8.4f} | {:>10.4f} {:>10.4f} {:>8.4f} {:>8.4f}\n", name,
                     m.mae, m.rmse, m.wape, m.rmsle, m.total_mae, m.total_rmse, m.total_wape, m.total_rmsle);
  };
  line("dnts", r.model);
  for (const auto& [name, m] : r.baselines) line(name, m);
  return s;
}

}  // namespace dnts::train
