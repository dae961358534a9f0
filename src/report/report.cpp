#include "dnts/report/report.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "dnts/error.h"

namespace dnts::report {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string esc(std::string_view s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  DNTS_CHECK(in.good(), IoError, "{}: cannot read", p.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json read_json(const fs::path& p) {
  try {
    return json::parse(read_file(p));
  } catch (const json::exception& e) {
    throw IoError(fmt::format("{}: not valid JSON: {}", p.string(), e.what()));
  }
}

double num(const json& v) { return v.is_number() ? v.get<double>() : NAN; }

// ---- The comparison columns (the same as the backtest's summary).

struct Column {
  const char* key;
  const char* heading;
  bool lower_better;
  const char* group;  ///< metrics_json section
  const char* field;
};

const std::vector<Column>& columns() {
  static const std::vector<Column> kColumns = {
      {"total_wape", "WAPE", true, "total", "wape"},         {"total_mae", "MAE", true, "total", "mae"},
      {"total_rmse", "RMSE", true, "total", "rmse"},         {"total_smape", "sMAPE", true, "total", "smape"},
      {"total_rmsle", "RMSLE", true, "total", "rmsle"},      {"cell_mae", "MAE", true, "cell", "mae"},
      {"cell_rmse", "RMSE", true, "cell", "rmse"},           {"cell_wape", "WAPE", true, "cell", "wape"},
      {"cell_smape", "sMAPE", true, "cell", "smape"},        {"cell_rmsle", "RMSLE", true, "cell", "rmsle"},
      {"ndcg_item", "NDCG", false, "rank_item", "ndcg"},     {"recall_item", "recall", false, "rank_item", "recall"},
      {"spearman_item", "Spearman", false, "rank_item", "spearman"},
      {"ndcg_across", "NDCG", false, "rank_across", "ndcg"}, {"recall_across", "recall", false, "rank_across", "recall"},
      {"spearman_across", "Spearman", false, "rank_across", "spearman"},
  };
  return kColumns;
}

struct Stat {
  double mean = NAN, sd = 0;
  int64_t n = 0;
};
struct Row {
  std::string model;
  std::map<std::string, Stat> v;
};

Row row_from_metrics(const std::string& model, const json& m) {
  Row r{model, {}};
  for (const Column& c : columns()) {
    double x = m.contains(c.group) ? num(m[c.group].value(c.field, json())) : NAN;
    r.v[c.key] = {x, 0.0, std::isfinite(x) ? 1 : 0};
  }
  return r;
}

std::string table_html(const std::string& id, const std::vector<Row>& rows, int64_t k_item, int64_t k_across) {
  std::map<std::string, double> best;
  for (const Column& c : columns()) {
    double b = NAN;
    for (const Row& r : rows) {
      double x = r.v.at(c.key).mean;
      if (!std::isfinite(x)) continue;
      if (!std::isfinite(b) || (c.lower_better ? x < b : x > b)) b = x;
    }
    best[c.key] = b;
  }
  std::string h = fmt::format("<table class=\"cmp\" id=\"{}\"><thead><tr><th rowspan=\"2\">forecaster</th>"
                              "<th colspan=\"5\">horizon totals</th><th colspan=\"5\">cells (row, bucket)</th>"
                              "<th colspan=\"3\">ranking per item (k = {})</th><th colspan=\"3\">ranking across items (k = {})</th></tr><tr>",
                              esc(id), k_item, k_across);
  for (const Column& c : columns())
    h += fmt::format("<th data-col=\"{}\" title=\"{}; {} is better; click to sort\">{}</th>", c.key, c.key,
                     c.lower_better ? "lower" : "higher", c.heading);
  h += "</tr></thead><tbody>\n";
  for (const Row& r : rows) {
    h += fmt::format("<tr><th class=\"model\">{}</th>", esc(r.model));
    for (const Column& c : columns()) {
      const Stat& s = r.v.at(c.key);
      if (!std::isfinite(s.mean)) {
        h += fmt::format("<td data-col=\"{}\" data-value=\"\">–</td>", c.key);
        continue;
      }
      std::string text = s.n > 1 ? fmt::format("{:.4f}<small> ± {:.4f}</small>", s.mean, s.sd) : fmt::format("{:.4f}", s.mean);
      h += fmt::format("<td data-col=\"{}\" data-value=\"{:.17g}\"{}>{}</td>", c.key, s.mean,
                       s.mean == best[c.key] ? " class=\"best\"" : "", text);
    }
    h += "</tr>\n";
  }
  h += "</tbody></table>\n";
  return h;
}

// ---- SVG line charts.

const char* color(size_t i) {
  static const char* kPalette[] = {"#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
                                   "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39",
                                   "#7b4173", "#3182bd", "#e6550d"};
  return kPalette[i % (sizeof(kPalette) / sizeof(kPalette[0]))];
}

struct Series {
  std::string name;
  std::vector<double> y;
  std::string stroke;
  double width = 1.6;
};

double nice_step(double range) {
  if (!(range > 0)) return 1;
  double raw = range / 5, mag = std::pow(10, std::floor(std::log10(raw))), f = raw / mag;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

std::string line_chart(const std::string& title, const std::string& xlabel, const std::vector<Series>& series,
                       int x0 = 1) {
  const double W = 640, H = 300, L = 60, R = 170, T = 28, B = 40;
  size_t n = 0;
  double lo = 0, hi = 0;
  for (const Series& s : series) {
    n = std::max(n, s.y.size());
    for (double v : s.y)
      if (std::isfinite(v)) hi = std::max(hi, v), lo = std::min(lo, v);
  }
  if (n == 0) return "";
  const double step = nice_step(hi - lo);
  hi = std::ceil(hi / step) * step;
  if (hi <= lo) hi = lo + 1;
  auto X = [&](size_t i) { return L + (n > 1 ? double(i) / double(n - 1) : 0.5) * (W - L - R); };
  auto Y = [&](double v) { return T + (1 - (v - lo) / (hi - lo)) * (H - T - B); };
  std::string s = fmt::format("<svg class=\"chart\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\">"
                              "<title>{}</title><text x=\"{}\" y=\"16\" class=\"ct\">{}</text>",
                              W, H, W, H, esc(title), L, esc(title));
  for (double v = lo; v <= hi + step * 1e-9; v += step) {
    s += fmt::format("<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" class=\"grid\"/>"
                     "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">{:.3g}</text>",
                     L, W - R, Y(v), Y(v), L - 6, Y(v) + 4, v);
  }
  const size_t every = std::max<size_t>(1, n / 10);
  for (size_t i = 0; i < n; i += every)
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"middle\">{}</text>", X(i), H - B + 16,
                     int(i) + x0);
  s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"middle\">{}</text>", (L + W - R) / 2,
                   H - 6, esc(xlabel));
  for (size_t k = 0; k < series.size(); ++k) {
    const Series& se = series[k];
    std::string pts;
    for (size_t i = 0; i < se.y.size(); ++i)
      if (std::isfinite(se.y[i])) pts += fmt::format("{:.1f},{:.1f} ", X(i), Y(se.y[i]));
    s += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"><title>{}</title></polyline>",
                     pts, se.stroke, se.width, esc(se.name));
    const double ly = T + 14.0 * double(k);
    s += fmt::format("<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" stroke-width=\"3\"/>"
                     "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"leg\">{}</text>",
                     W - R + 10, W - R + 26, ly, ly, se.stroke, W - R + 30, ly + 4, esc(se.name));
  }
  return s + "</svg>\n";
}

// ---- Sections per kind of folder.

std::string config_html(const json& cfg) {
  return "<details><summary>configuration</summary><pre class=\"cfg\">" + esc(cfg.dump(2)) + "</pre></details>\n";
}

std::string backtest_section(const fs::path& dir, const json& j, int idx) {
  const std::vector<std::string> models = j.at("models").get<std::vector<std::string>>();
  const int64_t k_item = j.value("k_item", 10), k_across = j.value("k_across", 100);
  std::string h = fmt::format("<section class=\"run\" id=\"run-{}\"><h2>Backtest: {}</h2>\n<p>{} protocol, {} buckets, "
                              "{} test samples, {} block(s) (refit every {} origins; 0 = once), seeds {}.</p>\n",
                              idx, esc(dir.string()), esc(j.value("protocol", "")), esc(j.value("bucket", "")),
                              j.value("test_samples", 0), j.value("blocks", 1), j.value("refit", 0), j.value("seeds", 1));
  const json& summary = j.at("summary");
  for (const json& hz : j.at("horizons")) {
    const std::string key = std::to_string(hz.get<int64_t>());
    std::vector<Row> rows;
    for (const std::string& m : models) {
      Row r{m, {}};
      for (const Column& c : columns()) {
        const json& v = summary.at(m).at(key).at(c.key);
        r.v[c.key] = {num(v.at("mean")), num(v.at("std")), v.value("n", int64_t(0))};
      }
      rows.push_back(r);
    }
    h += fmt::format("<h3>Horizon {} buckets</h3>\n", key);
    h += table_html(fmt::format("cmp-{}-h{}", idx, key), rows, k_item, k_across);
  }
  // Error by horizon bucket, longest horizon, mean over seeds.
  const int64_t longest = j.at("horizons").back().get<int64_t>();
  for (const char* metric : {"mae", "wape"}) {
    std::vector<Series> series;
    for (size_t mi = 0; mi < models.size(); ++mi) {
      std::vector<double> sum(size_t(longest), 0.0);
      int seeds = 0;
      for (const json& s : j.at("scores")) {
        if (s.at("model") != models[mi] || s.at("horizon").get<int64_t>() != longest) continue;
        const json& bh = s.at("metrics").at("by_horizon");
        for (size_t t = 0; t < bh.size() && t < sum.size(); ++t) sum[t] += num(bh[t].at(metric));
        ++seeds;
      }
      for (double& v : sum) v /= std::max(1, seeds);
      series.push_back({models[mi], sum, color(mi), models[mi].rfind("dnts", 0) == 0 ? 2.6 : 1.4});
    }
    h += line_chart(fmt::format("{} by horizon bucket", metric == std::string("mae") ? "MAE" : "WAPE"), "horizon bucket",
                    series);
  }
  // Forecast vs actual for the top promoters (Σ over their items and origins), mean over seeds.
  std::map<std::string, std::map<std::string, std::pair<std::vector<double>, int>>> pred;
  std::map<std::string, std::vector<double>> actual;
  std::vector<std::string> order;
  for (const json& s : j.at("top_promoters")) {
    const std::string p = s.at("promoter"), m = s.at("model");
    if (!actual.count(p)) actual[p] = s.at("y").get<std::vector<double>>(), order.push_back(p);
    auto& slot = pred[p][m];
    std::vector<double> y = s.at("y_hat").get<std::vector<double>>();
    if (slot.first.empty()) slot.first.assign(y.size(), 0.0);
    for (size_t t = 0; t < y.size(); ++t) slot.first[t] += y[t];
    ++slot.second;
  }
  if (!order.empty()) {
    h += "<h3>Forecast vs actual: top promoters by actual total</h3>\n<p>Σ over each promoter's test (item, origin) rows "
         "per horizon bucket, on the scored cells only: a later bucket lies inside the data for fewer origins, so the "
         "sums fall towards the end for every forecaster alike.</p>\n<div class=\"grid\">";
    for (size_t i = 0; i < order.size() && i < 6; ++i) {
      std::vector<Series> series{{"actual", actual[order[i]], "#000", 3.0}};
      for (size_t mi = 0; mi < models.size(); ++mi) {
        auto it = pred[order[i]].find(models[mi]);
        if (it == pred[order[i]].end()) continue;
        std::vector<double> y = it->second.first;
        for (double& v : y) v /= std::max(1, it->second.second);
        series.push_back({models[mi], y, color(mi), models[mi].rfind("dnts", 0) == 0 ? 2.4 : 1.2});
      }
      h += line_chart("promoter " + order[i] + ": Σ y per horizon bucket", "horizon bucket", series);
    }
    h += "</div>\n";
  }
  if (fs::exists(dir / "config.json")) h += config_html(read_json(dir / "config.json"));
  return h + "</section>\n";
}

std::string curve_chart(const fs::path& csv) {
  if (!fs::exists(csv)) return "";
  std::istringstream in(read_file(csv));
  std::string line;
  std::getline(in, line);
  std::vector<double> loss, val;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ls(line);
    for (std::string x; std::getline(ls, x, ',');) f.push_back(x);
    if (f.size() < 7) continue;
    loss.push_back(std::strtod(f[1].c_str(), nullptr));
    val.push_back(std::strtod(f[6].c_str(), nullptr));
  }
  return line_chart("training loss and validation main loss by epoch", "epoch",
                    {{"training loss", loss, color(1), 2.0}, {"validation main", val, color(0), 2.0}});
}

std::string run_section(const fs::path& dir, const json& report_val, const json& report_test, const fs::path& model_dir,
                        const std::string& heading, int idx) {
  std::string h = fmt::format("<section class=\"run\" id=\"run-{}\"><h2>{}: {}</h2>\n", idx, heading, esc(dir.string()));
  int64_t k_item = 10, k_across = 100;
  for (const auto& [split, rep] : {std::pair<const char*, const json*>{"test", &report_test}, {"validation", &report_val}}) {
    if (rep->is_null()) continue;
    std::vector<Row> rows;
    for (const auto& [name, m] : rep->items()) {
      rows.push_back(row_from_metrics(name, m));
      if (m.contains("rank_item")) k_item = m["rank_item"].value("k", k_item), k_across = m["rank_across"].value("k", k_across);
    }
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
      return std::isfinite(a.v.at("total_wape").mean) && (!std::isfinite(b.v.at("total_wape").mean) ||
                                                          a.v.at("total_wape").mean < b.v.at("total_wape").mean);
    });
    h += fmt::format("<h3>{} split</h3>\n", split);
    h += table_html(fmt::format("cmp-{}-{}", idx, split), rows, k_item, k_across);
  }
  if (!report_test.is_null()) {
    std::vector<Series> series;
    size_t k = 0;
    for (const auto& [name, m] : report_test.items()) {
      std::vector<double> y;
      if (m.contains("by_horizon"))
        for (const json& b : m["by_horizon"]) y.push_back(num(b.at("mae")));
      if (!y.empty()) series.push_back({name, y, color(k), name == "dnts" ? 2.6 : 1.4});
      ++k;
    }
    if (!series.empty()) h += line_chart("test MAE by horizon bucket", "horizon bucket", series);
  }
  h += curve_chart(model_dir / "curve.csv");
  if (fs::exists(model_dir / "config.resolved.json")) h += config_html(read_json(model_dir / "config.resolved.json"));
  return h + "</section>\n";
}

// ---- Promotion tree.

std::string tree_section(const TreeInput& in, const ReportOptions& opts) {
  const data::Dataset& ds = *in.ds;
  const tree::PropagationTable& table = *in.table;
  uint32_t item = data::kNoId;
  if (!opts.item.empty()) {
    item = ds.items.find(opts.item);
    DNTS_CHECK(item != data::kNoId && item < table.items.size(), ConfigError, "--item '{}': no such item in the data",
               opts.item);
  } else {
    double best = -1;
    for (uint32_t i = 0; i < table.items.size(); ++i) {
      double total = 0;
      for (const tree::Cell& c : table.items[i].cells) total += c.scale;
      if (total > best) best = total, item = i;
    }
  }
  if (item == data::kNoId) return "";
  const tree::ItemTable& it = table.items[item];
  const size_t n = it.num_promoters();
  std::vector<double> scale(n, 0.0), self(n, 0.0);
  for (uint32_t l = 0; l < n; ++l)
    for (const tree::Cell* c = it.cells_begin(l); c != it.cells_end(l); ++c) scale[l] += c->scale, self[l] += c->self_sales;
  // Tree parent = the first link into a promoter; none = a child of the item's root.
  std::vector<int64_t> parent(n, -1);
  for (const tree::Link& link : it.links)
    if (parent[link.child] < 0 && link.parent != link.child) parent[link.child] = link.parent;
  // Keep the largest promoters and their ancestors.
  std::vector<uint32_t> by_scale(n);
  for (uint32_t l = 0; l < n; ++l) by_scale[l] = l;
  std::stable_sort(by_scale.begin(), by_scale.end(), [&](uint32_t a, uint32_t b) { return scale[a] > scale[b]; });
  std::vector<char> keep(n, 0);
  size_t kept = 0;
  for (uint32_t l : by_scale) {
    if (int64_t(kept) >= opts.tree_nodes) break;
    for (int64_t v = l, guard = 0; v >= 0 && !keep[size_t(v)] && guard < int64_t(n); v = parent[size_t(v)], ++guard) {
      keep[size_t(v)] = 1;
      ++kept;
    }
  }
  std::vector<std::vector<uint32_t>> children(n + 1);  // index n = the item's root
  for (uint32_t l = 0; l < n; ++l)
    if (keep[l]) children[parent[l] >= 0 && keep[size_t(parent[l])] ? size_t(parent[l]) : n].push_back(l);
  for (auto& c : children)
    std::stable_sort(c.begin(), c.end(), [&](uint32_t a, uint32_t b) { return scale[a] > scale[b]; });
  // Layered layout: depth -> y, leaves in DFS order -> x, a parent centred over its children.
  std::vector<double> x(n + 1, 0.0);
  std::vector<int> depth(n + 1, 0);
  double next_leaf = 0;
  int max_depth = 0;
  std::function<void(size_t, int)> place = [&](size_t v, int d) {
    depth[v] = d;
    max_depth = std::max(max_depth, d);
    if (children[v].empty()) {
      x[v] = next_leaf++;
      return;
    }
    for (uint32_t c : children[v]) place(c, d + 1);
    x[v] = (x[children[v].front()] + x[children[v].back()]) / 2;
  };
  place(n, 0);
  const double max_scale = std::max(1.0, *std::max_element(scale.begin(), scale.end()));
  const double W = std::max(640.0, 14.0 * next_leaf + 40), Hh = 70.0 * (max_depth + 1) + 40;
  auto X = [&](size_t v) { return 20 + (next_leaf > 1 ? x[v] / (next_leaf - 1) : 0.5) * (W - 40); };
  auto Y = [&](size_t v) { return 24 + 70.0 * depth[v]; };
  std::string svg = fmt::format("<svg id=\"tree\" class=\"tree\" viewBox=\"0 0 {:.0f} {:.0f}\" width=\"{:.0f}\" height=\"{:.0f}\">",
                                W, Hh, std::min(W, 1400.0), Hh * std::min(1.0, 1400.0 / W));
  for (size_t v = 0; v <= n; ++v)
    for (uint32_t c : children[v])
      svg += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" class=\"edge\"/>", X(v), Y(v), X(c), Y(c));
  svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"6\" class=\"root\"><title>item {} (root)</title></circle>",
                     X(n), Y(n), esc(ds.items.name(item)));
  for (uint32_t l = 0; l < n; ++l) {
    if (!keep[l]) continue;
    const double r = 2.0 + 14.0 * std::sqrt(scale[l] / max_scale);
    svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{:.1f}\" class=\"node\" data-scale=\"{:.6g}\">"
                       "<title>{}: propagation scale {:.6g}, own sales {:.6g}, joined {}</title></circle>",
                       X(l), Y(l), r, scale[l], esc(ds.promoters.name(it.promoters[l])), scale[l], self[l],
                       table.frame.label(it.join_bucket[l]));
  }
  svg += "</svg>";
  return fmt::format("<section id=\"tree-section\"><h2>Promotion tree of item {}</h2>\n<p>{} promoters, {} drawn (the "
                     "largest by propagation scale over the whole data, with their ancestors); circle area ∝ propagation "
                     "scale; hover a node for its figures.</p>\n<div class=\"scroll\">{}</div></section>\n",
                     esc(ds.items.name(item)), n, kept, svg);
}

const char* kStyle = R"(
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#222;max-width:1500px}
h1{margin:0 0 4px}h2{margin-top:36px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{margin:22px 0 8px}
nav a{margin-right:14px}
table.cmp{border-collapse:collapse;font-variant-numeric:tabular-nums;margin:6px 0 14px}
table.cmp th,table.cmp td{border:1px solid #ddd;padding:3px 7px;text-align:right;white-space:nowrap}
table.cmp thead th{background:#f4f4f4;cursor:pointer;text-align:center}
table.cmp th.model{text-align:left;background:#fafafa}
td.best{background:#e3f4e0;font-weight:700}
td small{color:#777;font-weight:400}
svg.chart{background:#fff;border:1px solid #eee;margin:4px 8px 4px 0}
.grid{display:flex;flex-wrap:wrap}.ct{font-weight:600;font-size:13px}.tick,.leg{font-size:11px;fill:#444}
line.grid{stroke:#eee}.scroll{overflow-x:auto;border:1px solid #eee}
line.edge{stroke:#999;stroke-width:1}circle.node{fill:#d62728;fill-opacity:.75;stroke:#fff}circle.root{fill:#000}
pre.cfg{background:#f8f8f8;padding:8px;max-height:400px;overflow:auto}
)";

const char* kScript = R"(
window.addEventListener('error',function(e){document.body.dataset.error=String(e.message)});
document.querySelectorAll('table.cmp').forEach(function(t){
  t.querySelectorAll('thead th[data-col]').forEach(function(th){
    th.addEventListener('click',function(){
      var col=th.dataset.col,asc=th.dataset.asc!=='1';th.dataset.asc=asc?'1':'0';
      var rows=Array.prototype.slice.call(t.tBodies[0].rows);
      rows.sort(function(a,b){
        var x=a.querySelector('td[data-col="'+col+'"]').dataset.value,y=b.querySelector('td[data-col="'+col+'"]').dataset.value;
        if(x==='')return 1;if(y==='')return -1;return asc?x-y:y-x;});
      rows.forEach(function(r){t.tBodies[0].appendChild(r)});
    });
  });
});
document.body.dataset.ready='1';
)";

}  // namespace

std::string recorded_data_dir(const std::string& run_dir) {
  const fs::path d(run_dir);
  for (const char* f : {"backtest.json", "summary.json"})
    if (fs::exists(d / f)) {
      json j = read_json(d / f);
      if (j.contains("data") && j["data"].is_string()) return j["data"].get<std::string>();
    }
  return "";
}

void recorded_axis(const std::string& run_dir, std::string& bucket, std::string& tz) {
  const fs::path d(run_dir);
  for (const char* f : {"config.json", "model/config.resolved.json", "config.resolved.json"})
    if (fs::exists(d / f)) {
      json j = read_json(d / f);
      if (j.contains("data")) {
        bucket = j["data"].value("bucket", bucket);
        tz = j["data"].value("tz", tz);
        return;
      }
    }
}

std::string make_report(const ReportOptions& opts, const TreeInput& tree) {
  DNTS_CHECK(!opts.runs.empty(), ConfigError, "report: give at least one backtest or run folder");
  std::string body, nav;
  int idx = 0;
  for (const std::string& run : opts.runs) {
    const fs::path dir(run);
    ++idx;
    if (fs::exists(dir / "backtest.json")) {
      body += backtest_section(dir, read_json(dir / "backtest.json"), idx);
    } else if (fs::exists(dir / "summary.json")) {
      json s = read_json(dir / "summary.json");
      body += run_section(dir, s.value("val", json()), s.value("test", json()), dir / "model", "Run", idx);
    } else if (fs::exists(dir / "metrics.json")) {
      json m = read_json(dir / "metrics.json");
      body += run_section(dir, m.value("val", json()), m.value("test", json()), dir, "Trained model", idx);
    } else {
      throw ConfigError(fmt::format("report: {} is not a backtest folder (backtest.json), a `dnts run` folder "
                                    "(summary.json) or a run folder (metrics.json)", run));
    }
    nav += fmt::format("<a href=\"#run-{}\">{}</a>", idx, esc(dir.filename().string().empty() ? run : dir.filename().string()));
  }
  if (tree.ds != nullptr && tree.table != nullptr) {
    body += tree_section(tree, opts);
    nav += "<a href=\"#tree-section\">promotion tree</a>";
  }
  return fmt::format("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{0}</title>"
                     "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><style>{1}</style></head>\n"
                     "<body><h1>{0}</h1><p>dnts {2}. Best value per column in <b>bold green</b> (lower is better for "
                     "errors, higher for ranking); click a column to sort. Totals: each (item, origin, promoter) row's Σ "
                     "over its horizon; cells: one (row, bucket).</p>\n<nav>{3}</nav>\n{4}<script>{5}</script></body></html>\n",
                     esc(opts.title), kStyle, DNTS_VERSION, nav, body, kScript);
}

}  // namespace dnts::report
