// Validation of single orders.csv / edges.csv records (ingest_rows_impl.h).
#include "data/ingest_rows_impl.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace dnts::data {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// Parses the timestamp field or rejects the row.
bool parse_ts(std::string_view v, const TimeZone& tz, const std::string& file, int64_t line, RowRejects& rejects,
              int64_t& out) {
  auto t = parse_timestamp(v, tz);
  if (!t) {
    rejects("unparseable timestamp", [&] {
      return fmt::format("{}:{}: column 'ts': cannot parse '{}' as a timestamp (expected YYYY-MM-DD, "
                         "YYYY-MM-DD HH:MM:SS, ISO 8601 with T and Z or an offset, or Unix seconds)",
                         file, line, shorten(v));
    });
    return false;
  }
  out = *t;
  return true;
}

// Parses an amount: plain digits (at most 15, exactly representable) directly, anything else with
// from_chars; both give the correctly rounded double.
bool parse_amount(std::string_view v, double& out) {
  if (!v.empty() && v.size() <= 15) {
    uint64_t n = 0;
    size_t i = 0;
    for (; i < v.size(); ++i) {
      const unsigned d = unsigned(v[i]) - '0';
      if (d > 9) break;
      n = n * 10 + d;
    }
    if (i == v.size()) {
      out = double(n);
      return true;
    }
  }
  double a = 0;
  auto [p, e] = std::from_chars(v.data(), v.data() + v.size(), a);
  if (v.empty() || e != std::errc() || p != v.data() + v.size()) return false;
  out = a;
  return true;
}

// Splits "a/b/c", checks it ends with `promoter` and never repeats an id.
bool parse_path(std::string_view pv, std::string_view promoter, const std::string& file, int64_t line,
                RowRejects& rejects, std::vector<std::string_view>& segs) {
  segs.clear();
  size_t start = 0;
  for (;;) {
    size_t slash = pv.find('/', start);
    std::string_view seg = pv.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg.empty()) {
      segs.clear();
      rejects("empty id in path", [&] {
        return fmt::format("{}:{}: column 'path': '{}' has an empty id (ids are separated by a single '/')", file,
                           line, shorten(pv));
      });
      return false;
    }
    segs.push_back(seg);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (segs.back() != promoter) {
    segs.clear();
    rejects("path does not end with promoter", [&] {
      return fmt::format("{}:{}: column 'path': '{}' does not end with the order's promoter '{}'", file, line,
                         shorten(pv), shorten(promoter));
    });
    return false;
  }
  // Repeated ids: quadratic check for short paths, sorting for long ones.
  std::string_view rep;
  if (segs.size() <= 64) {
    for (size_t i = 0; i < segs.size() && rep.empty(); ++i)
      for (size_t j = i + 1; j < segs.size(); ++j)
        if (segs[i] == segs[j]) {
          rep = segs[i];
          break;
        }
  } else {
    std::vector<std::string_view> sorted = segs;
    std::sort(sorted.begin(), sorted.end());
    auto it = std::adjacent_find(sorted.begin(), sorted.end());
    if (it != sorted.end()) rep = *it;
  }
  if (!rep.empty()) {
    segs.clear();
    rejects("path repeats a promoter", [&] {
      return fmt::format("{}:{}: column 'path': '{}' passes through promoter '{}' more than once", file, line,
                         shorten(pv), shorten(rep));
    });
    return false;
  }
  return true;
}

bool reject_reserved_item(const std::string& file, int64_t line, RowRejects& rejects) {
  rejects("reserved id", [&] {
    return fmt::format("{}:{}: column 'item': '*' is reserved (it marks the cross-item totals of `dnts scale`)",
                       file, line);
  });
  return false;
}

}  // namespace

std::string shorten(std::string_view v) {
  if (v.size() <= 80) return std::string(v);
  return std::string(v.substr(0, 77)) + "...";
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& s : names) {
    if (!out.empty()) out += ",";
    out += s;
  }
  return out;
}

const std::vector<std::string>& order_columns() {
  static const std::vector<std::string> kColumns{"item", "promoter", "ts", "amount", "path"};
  return kColumns;
}

const std::vector<std::string>& edge_columns() {
  static const std::vector<std::string> kColumns{"item", "parent", "child", "ts"};
  return kColumns;
}

Header parse_header(const std::vector<std::string_view>& fields, const std::string& file, int64_t line,
                    const std::vector<std::string>& wanted, const std::vector<bool>& required, IngestReport& report) {
  Header h;
  h.num_fields = fields.size();
  h.index.assign(wanted.size(), -1);
  std::vector<std::string> extra;
  for (size_t f = 0; f < fields.size(); ++f) {
    std::string name = trim(fields[f]);
    auto it = std::find(wanted.begin(), wanted.end(), name);
    if (it == wanted.end()) {
      extra.push_back(name);
      continue;
    }
    size_t w = static_cast<size_t>(it - wanted.begin());
    if (h.index[w] >= 0) {
      throw InputError(fmt::format("{}:{}: column '{}' appears twice in the header", file, line, name));
    }
    h.index[w] = static_cast<int>(f);
  }
  std::vector<std::string> missing;
  for (size_t w = 0; w < wanted.size(); ++w)
    if (required[w] && h.index[w] < 0) missing.push_back(wanted[w]);
  if (!missing.empty()) {
    std::vector<std::string> seen(fields.begin(), fields.end());
    std::string hint;
    if (seen.size() == 1 && seen[0].find_first_of(";\t|") != std::string::npos) {
      hint = "; the header looks separated by ';', tab or '|': dnts reads comma-separated files";
    } else {
      for (const auto& name : seen) {
        std::string lower = name;
        for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
        if (std::find(missing.begin(), missing.end(), trim(lower)) != missing.end()) {
          hint = fmt::format("; column names are case-sensitive: rename '{}' to '{}'", name, trim(lower));
          break;
        }
      }
    }
    throw InputError(fmt::format("{}:{}: missing required column{} '{}' (header has: {}){}", file, line,
                                 missing.size() > 1 ? "s" : "", join(missing), join(seen), hint));
  }
  if (!extra.empty()) report.warnings.push_back(fmt::format("{}: ignoring extra column(s): {}", file, join(extra)));
  return h;
}

bool check_field_count(size_t found, const Header& h, const std::string& file, int64_t line, RowRejects& rejects) {
  if (found == h.num_fields) return true;
  rejects("wrong number of fields", [&] {
    return fmt::format("{}:{}: expected {} fields (as in the header), found {}", file, line, h.num_fields, found);
  });
  return false;
}

bool parse_order_row(const std::vector<std::string_view>& fields, const Header& h, const TimeZone& tz,
                     const std::string& file, int64_t line, RowRejects& rejects, OrderRow& out,
                     std::vector<std::string_view>& segs) {
  const int c_amount = h.index[3], c_path = h.index[4];
  segs.clear();
  out.item = fields[size_t(h.index[0])];
  out.promoter = fields[size_t(h.index[1])];
  if (out.item.empty()) {
    rejects("empty id", [&] { return fmt::format("{}:{}: column 'item': empty item id", file, line); });
    return false;
  }
  if (out.promoter.empty()) {
    rejects("empty id", [&] { return fmt::format("{}:{}: column 'promoter': empty promoter id", file, line); });
    return false;
  }
  if (out.item == "*") return reject_reserved_item(file, line, rejects);
  if (!parse_ts(fields[size_t(h.index[2])], tz, file, line, rejects, out.ts)) return false;
  out.amount = 1.0;
  if (c_amount >= 0) {
    std::string_view v = fields[size_t(c_amount)];
    double a = 0;
    if (!parse_amount(v, a) || !std::isfinite(a)) {
      rejects("non-numeric amount", [&] {
        return fmt::format("{}:{}: column 'amount': '{}' is not a finite number", file, line, shorten(v));
      });
      return false;
    }
    if (a < 0) {
      rejects("negative amount", [&] {
        return fmt::format("{}:{}: column 'amount': {} is negative (amounts must be >= 0)", file, line, shorten(v));
      });
      return false;
    }
    out.amount = a + 0.0;  // folds -0 into +0
  }
  if (c_path >= 0 && !fields[size_t(c_path)].empty()) {
    if (!parse_path(fields[size_t(c_path)], out.promoter, file, line, rejects, segs)) return false;
  }
  return true;
}

bool parse_edge_row(const std::vector<std::string_view>& fields, const Header& h, const TimeZone& tz,
                    const std::string& file, int64_t line, RowRejects& rejects, EdgeRow& out) {
  out.item = fields[size_t(h.index[0])];
  out.parent = fields[size_t(h.index[1])];
  out.child = fields[size_t(h.index[2])];
  if (out.item.empty()) {
    rejects("empty id", [&] { return fmt::format("{}:{}: column 'item': empty item id", file, line); });
    return false;
  }
  if (out.child.empty()) {
    rejects("empty id", [&] { return fmt::format("{}:{}: column 'child': empty child id", file, line); });
    return false;
  }
  if (out.item == "*") return reject_reserved_item(file, line, rejects);
  if (out.parent == out.child) {
    rejects("cycle in edges", [&] {
      return fmt::format("{}:{}: column 'parent': edge '{}' -> '{}' is a self-loop (a cycle of length 1)", file, line,
                         shorten(out.parent), shorten(out.child));
    });
    return false;
  }
  return parse_ts(fields[size_t(h.index[3])], tz, file, line, rejects, out.ts);
}

}  // namespace dnts::data
