// `dnts scale`: the propagation scale table as CSV.
#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "dnts/data/csv.h"
#include "dnts/tree/propagation.h"

namespace dnts::tree {

int64_t write_scale_csv(const data::Dataset& ds, const PropagationTable& table, const std::string& path) {
  data::CsvWriter w(path);
  w.raw("item,promoter,day,self_sales,propagation_scale\n");
  std::vector<std::string> labels(size_t(table.frame.num_buckets));
  for (int32_t b = 0; b < table.frame.num_buckets; ++b) labels[size_t(b)] = table.frame.label(b);
  int64_t rows = 0;
  std::string buf;
  std::vector<std::pair<int32_t, uint64_t>> order;  // (bucket, cell index) -> sorted by bucket then local
  std::vector<uint32_t> cell_local;
  for (const ItemTable& it : table.items) {
    order.clear();
    cell_local.resize(it.cells.size());
    for (uint32_t l = 0; l < it.num_promoters(); ++l) {
      for (uint64_t c = it.cell_offset[l]; c < it.cell_offset[l + 1]; ++c) {
        cell_local[c] = l;
        if (it.cells[c].orders > 0) order.emplace_back(it.cells[c].bucket, c);
      }
    }
    std::sort(order.begin(), order.end());  // cell index grows with local id within a bucket
    std::string item_field;
    data::CsvWriter::append_field(item_field, ds.items.name(it.item));
    for (const auto& [bucket, c] : order) {
      const Cell& cell = it.cells[c];
      buf.append(item_field);
      buf.push_back(',');
      data::CsvWriter::append_field(buf, ds.promoters.name(it.promoters[cell_local[c]]));
      fmt::format_to(std::back_inserter(buf), ",{},{},{}\n", labels[size_t(bucket)], cell.self_sales, cell.scale);
      ++rows;
      if (buf.size() > (1 << 20)) {
        w.raw(buf);
        buf.clear();
      }
    }
  }
  for (uint32_t p = 0; p + 1 < table.total_offset.size(); ++p) {
    for (uint64_t k = table.total_offset[p]; k < table.total_offset[p + 1]; ++k) {
      const TotalCell& t = table.totals[k];
      buf.append("*,");
      data::CsvWriter::append_field(buf, ds.promoters.name(p));
      fmt::format_to(std::back_inserter(buf), ",{},{},{}\n", labels[size_t(t.bucket)], t.self_sales, t.scale);
      ++rows;
      if (buf.size() > (1 << 20)) {
        w.raw(buf);
        buf.clear();
      }
    }
  }
  w.raw(buf);
  w.close();
  return rows;
}

}  // namespace dnts::tree
