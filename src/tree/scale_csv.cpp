// `dnts scale`: the propagation scale table as CSV.
#include <charconv>

#include "dnts/data/csv.h"
#include "dnts/tree/propagation.h"

namespace dnts::tree {
namespace {

// Shortest round-trip decimal of a double (integers print without a fraction).
void append_number(std::string& out, double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, size_t(end - buf));
}

void append_row(std::string& out, std::string_view item_field, std::string_view promoter, const std::string& label,
                double self_sales, double scale) {
  out.append(item_field);
  out.push_back(',');
  data::CsvWriter::append_field(out, promoter);
  out.push_back(',');
  out.append(label);
  out.push_back(',');
  append_number(out, self_sales);
  out.push_back(',');
  append_number(out, scale);
  out.push_back('\n');
}

}  // namespace

int64_t write_scale_csv(const data::Dataset& ds, const PropagationTable& table, const std::string& path) {
  data::CsvWriter w(path);
  w.raw("item,promoter,day,self_sales,propagation_scale\n");
  const int32_t nb = table.frame.num_buckets;
  std::vector<std::string> labels(static_cast<size_t>(nb));
  for (int32_t b = 0; b < nb; ++b) labels[size_t(b)] = table.frame.label(b);
  int64_t rows = 0;
  std::string buf;
  // Per item: cells with y > 0, bucket-major (counting sort), promoters in local-id order.
  std::vector<uint64_t> by_bucket, start(static_cast<size_t>(nb) + 1);
  std::vector<uint32_t> cell_local;
  for (const ItemTable& it : table.items) {
    std::fill(start.begin(), start.end(), 0);
    cell_local.resize(it.cells.size());
    for (uint32_t l = 0; l < it.num_promoters(); ++l) {
      for (uint64_t c = it.cell_offset[l]; c < it.cell_offset[l + 1]; ++c) {
        cell_local[c] = l;
        if (it.cells[c].scale > 0) ++start[size_t(it.cells[c].bucket) + 1];
      }
    }
    for (size_t b = 1; b < start.size(); ++b) start[b] += start[b - 1];
    by_bucket.resize(start.back());
    for (uint64_t c = 0; c < it.cells.size(); ++c)
      if (it.cells[c].scale > 0) by_bucket[start[size_t(it.cells[c].bucket)]++] = c;
    std::string item_field;
    data::CsvWriter::append_field(item_field, ds.items.name(it.item));
    for (uint64_t c : by_bucket) {
      const Cell& cell = it.cells[c];
      append_row(buf, item_field, ds.promoters.name(it.promoters[cell_local[c]]), labels[size_t(cell.bucket)],
                 cell.self_sales, cell.scale);
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
      if (!(t.scale > 0)) continue;
      append_row(buf, "*", ds.promoters.name(p), labels[size_t(t.bucket)], t.self_sales, t.scale);
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
