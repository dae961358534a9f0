#include "dnts/model/subtable.h"

#include <cmath>

#include "dnts/error.h"

namespace dnts::model {

SubTable make_subtable(const tree::PropagationTable& table, uint32_t item, int32_t t0, int64_t window,
                       int64_t horizon, torch::Device device) {
  DNTS_CHECK(window >= 1 && horizon >= 1, ConfigError, "window ({}) and horizon ({}) must be >= 1", window, horizon);
  DNTS_CHECK(item < table.items.size(), ConfigError, "item index {} out of range ({} items)", item, table.items.size());
  const tree::ItemTable& it = table.items[item];
  const tree::Frame& frame = table.frame;
  SubTable st;
  st.item = item;
  st.origin = t0;
  for (uint32_t l = 0; l < it.num_promoters(); ++l) {
    if (it.join_bucket[l] <= t0) {
      st.locals.push_back(l);
      st.promoters.push_back(it.promoters[l]);
    }
  }
  const int64_t n = int64_t(st.locals.size()), L = window, H = horizon, F = kNumFeatures;
  const int32_t first_in = static_cast<int32_t>(t0 - L + 1);
  // Item-level self-sales per input bucket.
  std::vector<double> item_s(size_t(L), 0.0);
  for (const tree::Cell& c : it.cells) {
    if (c.bucket >= first_in && c.bucket <= t0) item_s[size_t(c.bucket - first_in)] += c.self_sales;
  }
  std::vector<float> feat(size_t(n * L * F), 0.0f);
  std::vector<float> ty(size_t(n * H), 0.0f), ts(size_t(n * H), 0.0f), ta(size_t(n * H), 0.0f);
  std::vector<float> last(size_t(n), 0.0f), mean(size_t(n), 0.0f), hist(size_t(n * L), 0.0f);
  const int32_t launch = it.join_bucket.empty() ? t0 : it.join_bucket.front();  // the item's first bucket
  for (int64_t k = 0; k < L; ++k) {
    int32_t b = first_in + int32_t(k);
    int64_t start = frame.bucket_start(b) + frame.axis.tz.offset_s;  // local wall time
    int64_t day = start >= 0 ? start / 86400 : (start - 86399) / 86400;
    double week = (double(((day + 3) % 7 + 7) % 7) + double(start - day * 86400) / 86400.0) / 7.0;  // 0 = Monday
    double hour = frame.axis.whole_days() ? 0.0 : double(start - day * 86400) / 86400.0;
    for (int64_t r = 0; r < n; ++r) {
      float* f = &feat[size_t((r * L + k) * F)];
      f[kLogItemScale] = float(std::log1p(item_s[size_t(k)]));
      f[kWeekSin] = float(std::sin(2 * M_PI * week));
      f[kWeekCos] = float(std::cos(2 * M_PI * week));
      f[kDaySin] = float(std::sin(2 * M_PI * hour));
      f[kDayCos] = float(std::cos(2 * M_PI * hour));
    }
  }
  for (int64_t r = 0; r < n; ++r) {
    uint32_t l = st.locals[size_t(r)];
    int32_t join = it.join_bucket[l];
    for (int64_t k = 0; k < L; ++k) {
      int32_t b = first_in + int32_t(k);
      float* f = &feat[size_t((r * L + k) * F)];
      if (b >= join) {
        f[kJoined] = 1.0f;
        f[kLogAge] = float(std::log1p(double(b - join)));
      }
    }
    double history = 0;  // Σ y up to t0 (the window may start later than the launch)
    for (const tree::Cell* c = it.cells_begin(l); c != it.cells_end(l); ++c) {
      if (c->bucket <= t0) history += c->scale;
      if (c->bucket == t0) last[size_t(r)] = float(c->scale);
      if (c->bucket >= first_in && c->bucket <= t0) {
        float* f = &feat[size_t((r * L + (c->bucket - first_in)) * F)];
        f[kLogSelfSales] = float(std::log1p(c->self_sales));
        f[kLogScale] = float(std::log1p(c->scale));
        f[kActive] = c->self_sales > 0 ? 1.0f : 0.0f;
        f[kLogChildren] = float(std::log1p(double(c->children_joined)));
        hist[size_t(r * L + (c->bucket - first_in))] = float(c->scale);
      } else if (c->bucket > t0 && c->bucket <= t0 + H) {
        size_t h = size_t(r * H + (c->bucket - t0 - 1));
        ty[h] = float(c->scale);
        ts[h] = float(c->self_sales);
        ta[h] = c->self_sales > 0 ? 1.0f : 0.0f;
      }
    }
    mean[size_t(r)] = float(history / double(t0 - launch + 1));
    // Cumulative descendants per input bucket (walk the cells again in order).
    double cum = 0;
    const tree::Cell* c = it.cells_begin(l);
    for (int64_t k = 0; k < L; ++k) {
      int32_t b = first_in + int32_t(k);
      while (c != it.cells_end(l) && c->bucket <= b) cum += (c++)->new_descendants;
      feat[size_t((r * L + k) * F + kLogDescendants)] = float(std::log1p(cum));
    }
  }
  auto opts = torch::TensorOptions().dtype(torch::kFloat32);
  st.features = torch::from_blob(feat.data(), {n, L, F}, opts).clone().to(device);
  st.scale_history = torch::from_blob(hist.data(), {n, L}, opts).clone().to(device);
  st.target_scale = torch::from_blob(ty.data(), {n, H}, opts).clone().to(device);
  st.target_self = torch::from_blob(ts.data(), {n, H}, opts).clone().to(device);
  st.target_active = torch::from_blob(ta.data(), {n, H}, opts).clone().to(device);
  st.last_scale = torch::from_blob(last.data(), {n}, opts).clone().to(device);
  st.mean_scale = torch::from_blob(mean.data(), {n}, opts).clone().to(device);
  std::vector<float> mask(static_cast<size_t>(H));
  for (int64_t h = 0; h < H; ++h) mask[size_t(h)] = (t0 + 1 + h) < frame.num_buckets ? 1.0f : 0.0f;
  st.horizon_mask = torch::from_blob(mask.data(), {H}, opts).clone().to(device);
  return st;
}

}  // namespace dnts::model
