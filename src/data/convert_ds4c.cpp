// DS4C South-Korea PatientInfo.csv -> DNTS orders.csv / edges.csv (mapping documented in convert.h).
#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dnts/data/convert.h"
#include "dnts/data/csv.h"
#include "dnts/error.h"

namespace dnts::data {
namespace {

namespace fs = std::filesystem;

enum Counter : int {
  kNoConfirmedDate,
  kUnknownCase,
  kSelfInfection,
  kCycle,
  kHashResolved,
  kHashUnresolved,
  kParentNotInFile,
  kParentOtherItem,
  kNumCounters
};
constexpr std::array<const char*, kNumCounters> kCounterNames = {
    "rows without confirmed_date (skipped: no order, no edge)",
    "rows with an empty infection_case (item 'unknown')",
    "edges dropped: infected_by is the patient himself",
    "edges dropped: would close a cycle",
    "infected_by '#<global_num>' resolved to a patient_id",
    "infected_by '#<global_num>' not resolved (kept verbatim)",
    "edges whose infector has no order in the file (a root of its own)",
    "edges whose infector belongs to another item (no order in this item)",
};

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool valid_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!is_digits(s.substr(0, 4)) || !is_digits(s.substr(5, 2)) || !is_digits(s.substr(8, 2))) return false;
  int y = std::stoi(std::string(s.substr(0, 4)));
  int m = std::stoi(std::string(s.substr(5, 2)));
  int d = std::stoi(std::string(s.substr(8, 2)));
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

struct Patient {
  int64_t line = 0;
  std::string id, global_num, item, infected_by, date;
};

}  // namespace

ConvertReport convert_ds4c(const std::string& patient_info_csv, const std::string& out_dir) {
  std::array<int64_t, kNumCounters> counts{};
  ConvertReport report;
  const std::string& file = patient_info_csv;

  CsvReader in(file);
  DNTS_CHECK(in.next(), InputError, "{}: empty file (no header row)", file);
  std::unordered_map<std::string, size_t> col;
  for (size_t i = 0; i < in.num_fields(); ++i) col.emplace(std::string(in.field(i)), i);
  auto need = [&](const char* name) {
    auto it = col.find(name);
    DNTS_CHECK(it != col.end(), InputError, "{}:{}: missing column '{}' in the header", file, in.line(), name);
    return it->second;
  };
  const size_t c_id = need("patient_id"), c_case = need("infection_case"), c_by = need("infected_by"),
               c_date = need("confirmed_date");
  const auto g_it = col.find("global_num");
  const bool has_global = g_it != col.end();
  const size_t c_global = has_global ? g_it->second : 0;
  const size_t width = in.num_fields();

  std::vector<Patient> rows;
  std::unordered_map<std::string, int64_t> line_of_id;
  while (in.next()) {
    DNTS_CHECK(in.num_fields() == width, InputError, "{}:{}: {} fields, the header has {}", file, in.line(),
               in.num_fields(), width);
    Patient p;
    p.line = in.line();
    p.id = std::string(in.field(c_id));
    DNTS_CHECK(is_digits(p.id), InputError, "{}:{}: column 'patient_id': malformed value '{}' (expected digits)", file,
               p.line, p.id);
    auto [it, fresh] = line_of_id.emplace(p.id, p.line);
    DNTS_CHECK(fresh, InputError, "{}:{}: column 'patient_id': duplicate value '{}' (first on line {})", file, p.line,
               p.id, it->second);
    p.date = std::string(in.field(c_date));
    DNTS_CHECK(p.date.empty() || valid_date(p.date), InputError,
               "{}:{}: column 'confirmed_date': malformed value '{}' (expected YYYY-MM-DD)", file, p.line, p.date);
    p.item = std::string(in.field(c_case));
    p.infected_by = std::string(in.field(c_by));
    if (has_global) p.global_num = std::string(in.field(c_global));
    rows.push_back(std::move(p));
  }
  DNTS_CHECK(!rows.empty(), InputError, "{}: no data rows", file);

  // global_num -> patient_id, for infected_by written "#<global_num>" (ambiguous numbers are not used).
  std::unordered_map<std::string, std::string> by_global;
  std::unordered_map<std::string, int> global_uses;
  for (const auto& p : rows)
    if (!p.global_num.empty()) {
      by_global.emplace(p.global_num, p.id);
      ++global_uses[p.global_num];
    }
  std::unordered_map<std::string, std::string> item_of;  // patient -> item (patients with an order)

  // Keep rows with a confirmed date; group by item in first-appearance order.
  std::vector<std::string> items;
  std::unordered_map<std::string, std::vector<const Patient*>> by_item;
  for (auto& p : rows) {
    if (p.date.empty()) {
      ++counts[kNoConfirmedDate];
      continue;
    }
    if (p.item.empty()) {
      p.item = "unknown";
      ++counts[kUnknownCase];
    }
    auto [it, fresh] = by_item.emplace(p.item, std::vector<const Patient*>{});
    if (fresh) items.push_back(p.item);
    it->second.push_back(&p);
    item_of.emplace(p.id, p.item);
  }

  std::string orders_text = "item,promoter,ts,amount\n";
  std::string edges_text = "item,parent,child,ts\n";
  for (const auto& item : items) {
    auto& list = by_item[item];
    std::stable_sort(list.begin(), list.end(), [](const Patient* a, const Patient* b) { return a->date < b->date; });
    std::unordered_map<std::string, std::string> parent_of;  // edges of this item so far
    for (const Patient* p : list) {
      CsvWriter::append_field(orders_text, item);
      orders_text.push_back(',');
      CsvWriter::append_field(orders_text, p->id);
      orders_text.push_back(',');
      orders_text.append(p->date);
      orders_text.append(",1\n");
      ++report.orders;

      if (p->infected_by.empty()) continue;
      std::string parent = p->infected_by;
      if (parent[0] == '#') {
        std::string g = parent.substr(1);
        auto it = by_global.find(g);
        if (it != by_global.end() && global_uses[g] == 1) {
          parent = it->second;
          ++counts[kHashResolved];
        } else {
          ++counts[kHashUnresolved];
        }
      }
      if (parent == p->id) {
        ++counts[kSelfInfection];
        continue;
      }
      // Does this edge close a cycle? Walk up from the parent through the edges added so far.
      std::vector<std::string> up{parent};
      bool cycle = false;
      for (auto it = parent_of.find(parent); it != parent_of.end(); it = parent_of.find(it->second)) {
        up.push_back(it->second);
        if (it->second == p->id) {
          cycle = true;
          break;
        }
        if (up.size() > parent_of.size() + 1) break;  // cannot happen: parent_of is acyclic
      }
      if (cycle) {
        ++counts[kCycle];
        // up = parent, ..., child; the cycle in infector -> infected direction is child -> ... -> parent -> child.
        std::string chain;
        for (auto r = up.rbegin(); r != up.rend(); ++r) chain += *r + " -> ";
        chain += p->id;
        report.notes.push_back(fmt::format("cycle: {} (item '{}'; dropped the edge {} -> {} of line {})", chain, item,
                                           parent, p->id, p->line));
        continue;
      }
      parent_of[p->id] = parent;
      auto owner = item_of.find(parent);
      if (owner == item_of.end()) {
        ++counts[kParentNotInFile];
      } else if (owner->second != item) {
        ++counts[kParentOtherItem];
      }
      CsvWriter::append_field(edges_text, item);
      edges_text.push_back(',');
      CsvWriter::append_field(edges_text, parent);
      edges_text.push_back(',');
      CsvWriter::append_field(edges_text, p->id);
      edges_text.push_back(',');
      edges_text.append(p->date);
      edges_text.push_back('\n');
      ++report.edges;
    }
  }

  std::error_code ec;
  fs::create_directories(out_dir, ec);
  DNTS_CHECK(fs::is_directory(out_dir), IoError, "{}: cannot create directory: {}", out_dir, ec.message());
  {
    CsvWriter orders((fs::path(out_dir) / "orders.csv").string());
    orders.raw(orders_text);
    orders.close();
    CsvWriter edges((fs::path(out_dir) / "edges.csv").string());
    edges.raw(edges_text);
    edges.close();
  }
  report.items = static_cast<int64_t>(items.size());
  for (int k = 0; k < kNumCounters; ++k) report.counts.emplace_back(kCounterNames[k], counts[k]);
  report.notes.insert(report.notes.begin(),
                      fmt::format("{} data rows read; dates are calendar days (no time of day)", rows.size()));
  return report;
}

}  // namespace dnts::data
