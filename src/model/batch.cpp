#include "dnts/model/batch.h"

#include <unordered_map>

#include "dnts/error.h"
#include "dnts/model/subtable.h"
#include "dnts/tree/sampling.h"

namespace dnts::model {

Batch Batch::to(torch::Device device) const {
  Batch b = *this;
  for (torch::Tensor* t : {&b.x, &b.y_hist, &b.edge_src, &b.edge_dst, &b.pair_src, &b.pair_dst, &b.hyper_vertex, &b.hyper_edge, &b.y, &b.s, &b.active,
                           &b.mask, &b.route, &b.route_known, &b.last_scale, &b.mean_scale}) {
    if (t->defined()) *t = t->to(device);
  }
  return b;
}

Batch make_batch(const data::Dataset& ds, const tree::PropagationTable& table, const std::vector<SampleRef>& samples,
                 int64_t window, int64_t horizon, int64_t sample_k, std::mt19937_64* rng, torch::Device device,
                 int32_t target_cutoff) {
  DNTS_CHECK(!samples.empty(), ConfigError, "a batch needs at least one sample");
  Batch b;
  b.samples = samples;
  b.row_offset.push_back(0);
  std::vector<torch::Tensor> xs, hs, ys, ss, as, ms, routes, knowns, lasts, means;
  std::vector<int64_t> src, dst, esrc, edst;
  for (const SampleRef& ref : samples) {
    SubTable st = make_subtable(table, ref.item, ref.origin, window, horizon);
    const int64_t base = b.row_offset.back();
    const int64_t n = int64_t(st.promoters.size());
    xs.push_back(st.features);
    hs.push_back(st.scale_history);
    for (const tree::Link& link : table.items[ref.item].links) {
      // Locals below n joined by the origin; a link first seen later is not known yet.
      if (link.first_bucket <= ref.origin && link.parent < n && link.child < n) {
        esrc.push_back(base + link.parent);
        edst.push_back(base + link.child);
      }
    }
    ys.push_back(st.target_scale);
    ss.push_back(st.target_self);
    as.push_back(st.target_active);
    lasts.push_back(st.last_scale);
    means.push_back(st.mean_scale);
    torch::Tensor hmask = st.horizon_mask.clone();
    for (int64_t h = 0; h < horizon; ++h)
      if (ref.origin + 1 + h > target_cutoff) hmask[h] = 0.0f;  // targets past the split's cutoff
    ms.push_back(hmask.unsqueeze(0).expand({n, horizon}));
    b.row_promoter.insert(b.row_promoter.end(), st.promoters.begin(), st.promoters.end());
    tree::DescendantPairs pairs =
        tree::sample_descendants(ds, table, ref.item, ref.origin, int32_t(window), sample_k, rng);
    for (size_t p = 0; p < pairs.size(); ++p) {
      src.push_back(base + pairs.src[p]);  // sub-table rows are locals 0..n-1 (join order)
      dst.push_back(base + pairs.dst[p]);
    }
    std::vector<float> share, known;
    tree::routing_targets(ds, table, ref.item, ref.origin, horizon, pairs, share, known);
    const int64_t P = int64_t(pairs.size());
    for (int64_t p = 0; p < P; ++p)
      for (int64_t h = 0; h < horizon; ++h)
        if (ref.origin + 1 + h > target_cutoff) known[size_t(p * horizon + h)] = 0.0f;
    routes.push_back(torch::from_blob(share.data(), {P, horizon}, torch::kFloat32).clone());
    knowns.push_back(torch::from_blob(known.data(), {P, horizon}, torch::kFloat32).clone());
    b.row_offset.push_back(base + n);
  }
  b.x = torch::cat(xs, 0);
  b.y_hist = torch::cat(hs, 0);
  b.y = torch::cat(ys, 0);
  b.s = torch::cat(ss, 0);
  b.active = torch::cat(as, 0);
  b.mask = torch::cat(ms, 0).contiguous();
  b.route = torch::cat(routes, 0);
  b.route_known = torch::cat(knowns, 0);
  b.last_scale = torch::cat(lasts, 0);
  b.mean_scale = torch::cat(means, 0);
  auto i64 = torch::TensorOptions().dtype(torch::kInt64);
  b.pair_src = torch::tensor(src, i64).reshape({int64_t(src.size())});
  b.pair_dst = torch::tensor(dst, i64).reshape({int64_t(dst.size())});
  b.edge_src = torch::tensor(esrc, i64).reshape({int64_t(esrc.size())});
  b.edge_dst = torch::tensor(edst, i64).reshape({int64_t(edst.size())});
  // Hyperedges: one per (promoter, origin) joining the promoter's rows across the batch's samples
  // with that origin (rows of a later origin would carry an earlier sample's targets: leakage), then
  // one per sample.
  std::vector<int64_t> hv, he;
  std::unordered_map<uint64_t, int64_t> promoter_edge;
  for (size_t i = 0; i < samples.size(); ++i) {
    for (int64_t r = b.row_offset[i]; r < b.row_offset[i + 1]; ++r) {
      uint64_t key = (uint64_t(uint32_t(samples[i].origin)) << 32) | b.row_promoter[size_t(r)];
      auto [it, inserted] = promoter_edge.emplace(key, int64_t(promoter_edge.size()));
      hv.push_back(r);
      he.push_back(it->second);
    }
  }
  int64_t next = int64_t(promoter_edge.size());
  for (size_t i = 0; i < samples.size(); ++i, ++next) {
    for (int64_t r = b.row_offset[i]; r < b.row_offset[i + 1]; ++r) {
      hv.push_back(r);
      he.push_back(next);
    }
  }
  b.num_hyperedges = next;
  b.hyper_vertex = torch::tensor(hv, i64).reshape({int64_t(hv.size())});
  b.hyper_edge = torch::tensor(he, i64).reshape({int64_t(he.size())});
  return device == torch::kCPU ? b : b.to(device);
}

}  // namespace dnts::model
