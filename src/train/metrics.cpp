#include "dnts/train/metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace dnts::train {
namespace {

/// Indices by predicted value, largest first; ties grouped. Returns group boundaries into `order`.
std::vector<size_t> tie_groups(const std::vector<double>& pred, std::vector<size_t>& order) {
  order.resize(pred.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return pred[a] > pred[b]; });
  std::vector<size_t> bounds{0};
  for (size_t i = 1; i < order.size(); ++i)
    if (pred[order[i]] != pred[order[i - 1]]) bounds.push_back(i);
  bounds.push_back(order.size());
  return bounds;
}

std::vector<double> average_ranks(const std::vector<double>& v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> rank(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && v[order[j]] == v[order[i]]) ++j;
    double r = 0.5 * double(i + j - 1) + 1.0;  // positions i..j-1, 1-based mean
    for (size_t t = i; t < j; ++t) rank[order[t]] = r;
    i = j;
  }
  return rank;
}

}  // namespace

double smape_term(double pred, double actual) {
  double den = std::abs(pred) + std::abs(actual);
  return den > 0 ? 2.0 * std::abs(pred - actual) / den : 0.0;
}

double ndcg_at_k(const std::vector<double>& pred, const std::vector<double>& actual, int64_t k) {
  const size_t kk = std::min(pred.size(), size_t(std::max<int64_t>(k, 0)));
  std::vector<double> ideal = actual;
  std::sort(ideal.begin(), ideal.end(), std::greater<double>());
  double idcg = 0;
  for (size_t p = 0; p < kk; ++p) idcg += ideal[p] / std::log2(double(p) + 2.0);
  if (!(idcg > 0)) return NAN;
  std::vector<size_t> order;
  std::vector<size_t> bounds = tie_groups(pred, order);
  double dcg = 0;
  for (size_t g = 0; g + 1 < bounds.size() && bounds[g] < kk; ++g) {
    double gain = 0;
    for (size_t i = bounds[g]; i < bounds[g + 1]; ++i) gain += actual[order[i]];
    gain /= double(bounds[g + 1] - bounds[g]);
    for (size_t p = bounds[g]; p < std::min(bounds[g + 1], kk); ++p) dcg += gain / std::log2(double(p) + 2.0);
  }
  return dcg / idcg;
}

double recall_at_k(const std::vector<double>& pred, const std::vector<double>& actual, int64_t k) {
  const size_t kk = std::min(pred.size(), size_t(std::max<int64_t>(k, 0)));
  if (kk == 0) return NAN;
  std::vector<double> sorted = actual;
  std::sort(sorted.begin(), sorted.end(), std::greater<double>());
  const double threshold = sorted[kk - 1];
  auto relevant = [&](size_t i) { return actual[i] > 0 && actual[i] >= threshold; };
  double n_relevant = 0;
  for (size_t i = 0; i < actual.size(); ++i) n_relevant += relevant(i) ? 1 : 0;
  if (n_relevant == 0) return NAN;
  std::vector<size_t> order;
  std::vector<size_t> bounds = tie_groups(pred, order);
  double hits = 0;
  for (size_t g = 0; g + 1 < bounds.size() && bounds[g] < kk; ++g) {
    double rel = 0;
    for (size_t i = bounds[g]; i < bounds[g + 1]; ++i) rel += relevant(order[i]) ? 1 : 0;
    double slots = double(std::min(bounds[g + 1], kk) - bounds[g]);
    hits += rel * slots / double(bounds[g + 1] - bounds[g]);
  }
  return hits / std::min(double(kk), n_relevant);
}

double spearman(const std::vector<double>& pred, const std::vector<double>& actual) {
  const size_t n = pred.size();
  if (n < 2) return NAN;
  std::vector<double> rp = average_ranks(pred), ra = average_ranks(actual);
  double mp = 0, ma = 0;
  for (size_t i = 0; i < n; ++i) mp += rp[i], ma += ra[i];
  mp /= double(n), ma /= double(n);
  double cov = 0, vp = 0, va = 0;
  for (size_t i = 0; i < n; ++i) {
    cov += (rp[i] - mp) * (ra[i] - ma);
    vp += (rp[i] - mp) * (rp[i] - mp);
    va += (ra[i] - ma) * (ra[i] - ma);
  }
  if (va == 0) return NAN;
  if (vp == 0) return 0.0;
  return cov / std::sqrt(vp * va);
}

void MetricAccumulator::add(const torch::Tensor& pred, const torch::Tensor& y, const torch::Tensor& mask,
                            const std::vector<int64_t>* row_offset, const std::vector<uint32_t>* row_promoter) {
  torch::NoGradGuard no_grad;
  auto cpu = [](const torch::Tensor& t) { return t.detach().to(torch::kCPU, torch::kFloat64).contiguous(); };
  torch::Tensor P = cpu(pred), Y = cpu(y), M = cpu(mask);
  const int64_t N = P.size(0), H = P.size(1);
  if (h_cells_.empty()) {
    for (auto* v : {&h_abs_, &h_sq_, &h_sq_log_, &h_smape_, &h_sum_y_}) v->assign(size_t(H), 0.0);
    h_cells_.assign(size_t(H), 0);
  }
  auto p = P.accessor<double, 2>(), t = Y.accessor<double, 2>(), m = M.accessor<double, 2>();
  std::vector<double> tp(size_t(N), 0.0), ty(size_t(N), 0.0);
  std::vector<char> scored(size_t(N), 0);
  for (int64_t i = 0; i < N; ++i) {
    for (int64_t h = 0; h < H; ++h) {
      if (m[i][h] == 0) continue;
      const double e = p[i][h] - t[i][h], le = std::log1p(p[i][h]) - std::log1p(t[i][h]), s = smape_term(p[i][h], t[i][h]);
      abs_ += std::abs(e), sq_ += e * e, sq_log_ += le * le, smape_ += s, sum_y_ += t[i][h];
      ++cells_;
      const size_t hh = size_t(h);
      h_abs_[hh] += std::abs(e), h_sq_[hh] += e * e, h_sq_log_[hh] += le * le, h_smape_[hh] += s;
      h_sum_y_[hh] += t[i][h];
      ++h_cells_[hh];
      tp[size_t(i)] += p[i][h];
      ty[size_t(i)] += t[i][h];
      scored[size_t(i)] = 1;
    }
    if (!scored[size_t(i)]) continue;
    const double e = tp[size_t(i)] - ty[size_t(i)], le = std::log1p(tp[size_t(i)]) - std::log1p(ty[size_t(i)]);
    t_abs_ += std::abs(e), t_sq_ += e * e, t_sq_log_ += le * le, t_smape_ += smape_term(tp[size_t(i)], ty[size_t(i)]);
    t_sum_y_ += ty[size_t(i)];
    ++rows_;
    if (row_promoter != nullptr) {
      auto& acc = across_[(*row_promoter)[size_t(i)]];
      acc.first += tp[size_t(i)];
      acc.second += ty[size_t(i)];
    }
  }
  if (row_offset == nullptr) return;
  std::vector<double> gp, gy;
  for (size_t g = 0; g + 1 < row_offset->size(); ++g) {
    gp.clear(), gy.clear();
    double sales = 0;
    for (int64_t r = (*row_offset)[g]; r < (*row_offset)[g + 1]; ++r) {
      if (!scored[size_t(r)]) continue;
      gp.push_back(tp[size_t(r)]);
      gy.push_back(ty[size_t(r)]);
      sales += ty[size_t(r)];
    }
    if (gp.size() < 2 || !(sales > 0)) continue;
    ++r_groups_;
    double v = ndcg_at_k(gp, gy, k_item_);
    if (std::isfinite(v)) r_ndcg_ += v, ++r_ndcg_n_;
    v = recall_at_k(gp, gy, k_item_);
    if (std::isfinite(v)) r_recall_ += v, ++r_recall_n_;
    v = spearman(gp, gy);
    if (std::isfinite(v)) r_spearman_ += v, ++r_spearman_n_;
  }
}

EvalMetrics MetricAccumulator::finish() const {
  EvalMetrics m;
  m.cells = cells_;
  m.rows = rows_;
  if (cells_ > 0) {
    m.mae = abs_ / double(cells_);
    m.rmse = std::sqrt(sq_ / double(cells_));
    m.rmsle = std::sqrt(sq_log_ / double(cells_));
    m.smape = smape_ / double(cells_);
    m.wape = sum_y_ > 0 ? abs_ / sum_y_ : NAN;
  }
  if (rows_ > 0) {
    m.total_mae = t_abs_ / double(rows_);
    m.total_rmse = std::sqrt(t_sq_ / double(rows_));
    m.total_rmsle = std::sqrt(t_sq_log_ / double(rows_));
    m.total_smape = t_smape_ / double(rows_);
    m.total_wape = t_sum_y_ > 0 ? t_abs_ / t_sum_y_ : NAN;
  }
  for (size_t h = 0; h < h_cells_.size(); ++h) {
    const double n = double(h_cells_[h]);
    m.h_cells.push_back(h_cells_[h]);
    m.h_mae.push_back(n > 0 ? h_abs_[h] / n : NAN);
    m.h_rmse.push_back(n > 0 ? std::sqrt(h_sq_[h] / n) : NAN);
    m.h_rmsle.push_back(n > 0 ? std::sqrt(h_sq_log_[h] / n) : NAN);
    m.h_smape.push_back(n > 0 ? h_smape_[h] / n : NAN);
    m.h_wape.push_back(h_sum_y_[h] > 0 ? h_abs_[h] / h_sum_y_[h] : NAN);
  }
  m.rank_item.k = k_item_;
  m.rank_item.groups = r_groups_;
  if (r_ndcg_n_ > 0) m.rank_item.ndcg = r_ndcg_ / double(r_ndcg_n_);
  if (r_recall_n_ > 0) m.rank_item.recall = r_recall_ / double(r_recall_n_);
  if (r_spearman_n_ > 0) m.rank_item.spearman = r_spearman_ / double(r_spearman_n_);
  m.rank_across.k = k_across_;
  if (!across_.empty()) {
    std::vector<uint32_t> ids;
    for (const auto& kv : across_) ids.push_back(kv.first);
    std::sort(ids.begin(), ids.end());
    std::vector<double> ap, ay;
    double sales = 0;
    for (uint32_t id : ids) {
      ap.push_back(across_.at(id).first);
      ay.push_back(across_.at(id).second);
      sales += ay.back();
    }
    if (ap.size() >= 2 && sales > 0) {
      m.rank_across.groups = 1;
      m.rank_across.ndcg = ndcg_at_k(ap, ay, k_across_);
      m.rank_across.recall = recall_at_k(ap, ay, k_across_);
      m.rank_across.spearman = spearman(ap, ay);
    }
  }
  return m;
}

const std::vector<std::string>& baseline_names() {
  static const std::vector<std::string> names = {"zero", "last", "mean_rate"};
  return names;
}

nlohmann::json rank_json(const RankMetrics& r) {
  return {{"k", r.k}, {"ndcg", r.ndcg}, {"recall", r.recall}, {"spearman", r.spearman}, {"groups", r.groups}};
}

nlohmann::json metrics_json(const EvalMetrics& m) {
  nlohmann::json by_h = nlohmann::json::array();
  for (size_t h = 0; h < m.h_cells.size(); ++h) {
    by_h.push_back({{"h", h + 1}, {"mae", m.h_mae[h]}, {"rmse", m.h_rmse[h]}, {"wape", m.h_wape[h]},
                    {"smape", m.h_smape[h]}, {"rmsle", m.h_rmsle[h]}, {"n", m.h_cells[h]}});
  }
  return {{"main", m.main},
          {"cell",
           {{"mae", m.mae}, {"rmse", m.rmse}, {"wape", m.wape}, {"smape", m.smape}, {"rmsle", m.rmsle}, {"n", m.cells}}},
          {"total",
           {{"mae", m.total_mae}, {"rmse", m.total_rmse}, {"wape", m.total_wape}, {"smape", m.total_smape},
            {"rmsle", m.total_rmsle}, {"n", m.rows}}},
          {"by_horizon", by_h},
          {"rank_item", rank_json(m.rank_item)},
          {"rank_across", rank_json(m.rank_across)}};
}

nlohmann::json report_json(const EvalReport& r) {
  nlohmann::json j = {{r.model_name, metrics_json(r.model)}};
  for (const auto& [name, m] : r.baselines) j[name] = metrics_json(m);
  return j;
}

std::string format_report(const EvalReport& r, const std::string& title) {
  std::string s = fmt::format("{} ({} cells, {} (item, origin, promoter) horizon totals, {} ranked (item, origin) groups)\n",
                              title, r.model.cells, r.model.rows, r.model.rank_item.groups);
  s += fmt::format("  {:<14} {:>8} {:>8} {:>7} {:>7} {:>7} | {:>9} {:>9} {:>7} {:>7} {:>7} | {:>7} {:>7} {:>7}\n",
                   "forecast", "MAE", "RMSE", "WAPE", "sMAPE", "RMSLE", "total MAE", "tot RMSE", "WAPE", "sMAPE",
                   "RMSLE", fmt::format("NDCG@{}", r.model.rank_item.k), fmt::format("rec@{}", r.model.rank_item.k),
                   "Spearm");
  auto line = [&](const std::string& name, const EvalMetrics& m) {
    s += fmt::format(
        "  {:<14} {:>8.4f} {:>8.4f} {:>7.4f} {:>7.4f} {:>7.4f} | {:>9.4f} {:>9.4f} {:>7.4f} {:>7.4f} {:>7.4f} | {:>7.4f} "
        "{:>7.4f} {:>7.4f}\n",
        name, m.mae, m.rmse, m.wape, m.smape, m.rmsle, m.total_mae, m.total_rmse, m.total_wape, m.total_smape,
        m.total_rmsle, m.rank_item.ndcg, m.rank_item.recall, m.rank_item.spearman);
  };
  line(r.model_name, r.model);
  for (const auto& [name, m] : r.baselines) line(name, m);
  return s;
}

}  // namespace dnts::train
