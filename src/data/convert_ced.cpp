// CED Weibo repost/comment trees -> DNTS orders.csv / edges.csv (mapping documented in convert.h).
//
// Reading: the archive is streamed with libarchive (one JSON file in memory at a time); root posts are
// parsed on the reading thread (they are small and come first in the archive), repost files are parsed
// and converted by worker threads while the reader keeps decompressing. Each item's output is formatted
// into its own CSV text block; blocks are written in item order at the end, so the result does not
// depend on archive order or thread timing.
#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "dnts/data/convert.h"
#include "dnts/data/csv.h"
#include "dnts/data/time.h"
#include "dnts/error.h"
#include "dnts/progress.h"

namespace dnts::data {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr int64_t kBeijingOffset = 8 * 3600;

// ---- counters (the order here is the order of the report) -----------------------------------------
enum Counter : int {
  kRootStringTime,
  kRowsMissingParent,
  kRowsDuplicateMid,
  kRowsMidCycle,
  kRowsNoYear,
  kRowsNoYearRollover,
  kRowsBeforeRoot,
  kPathsLoopErased,
  kRowsRepeatUser,
  kEdgesSelfLoop,
  kEdgesCycle,
  kRepostFilesEmpty,
  kRootsWithoutReposts,
  kIgnoredEntries,
  kNumCounters
};
constexpr std::array<const char*, kNumCounters> kCounterNames = {
    "root posts with a string time (parsed)",
    "rows with a missing parent (attached to the root)",
    "rows repeating an earlier mid of the same file (kept as orders; parent look-ups use the first)",
    "rows in a cycle of mid parents (cut at the root)",
    "rows dated 'MM月DD日 HH:MM' (year of the file's newest dated row, else of the root post)",
    "  of which rolled over to the next year",
    "rows dated before their root post (kept)",
    "orders whose path was shortened by loop erasure",
    "rows by a user already in the post (order only, no new edge)",
    "edges skipped: self-loop (user under himself)",
    "edges skipped: would close a cycle",
    "repost files with no rows",
    "root posts without a repost file (no orders)",
    "other files ignored (.DS_Store, README, ...)",
};
using Counts = std::array<int64_t, kNumCounters>;

// ---- time helpers ------------------------------------------------------------------------------------
// Calendar arithmetic comes from dnts/data/time.h; this file keeps int fields.
void civil_from_days(int64_t z, int& y, int& m, int& d) {
  int64_t yy = 0;
  unsigned mm = 0, dd = 0;
  data::civil_from_days(z, yy, mm, dd);
  y = static_cast<int>(yy);
  m = static_cast<int>(mm);
  d = static_cast<int>(dd);
}
bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Local (UTC+8) broken-down time.
struct Civil {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  bool valid() const {
    return y >= 1900 && y <= 2999 && mo >= 1 && mo <= 12 && d >= 1 && d <= days_in_month(y, mo) && h >= 0 &&
           h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 60;
  }
  int64_t epoch() const {  // the instant, given that this is Beijing local time
    return days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + s -
           kBeijingOffset;
  }
};
Civil beijing_civil(int64_t epoch) {
  int64_t local = epoch + kBeijingOffset;
  int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  int64_t sod = local - days * 86400;
  Civil c;
  civil_from_days(days, c.y, c.mo, c.d);
  c.h = static_cast<int>(sod / 3600);
  c.mi = static_cast<int>(sod / 60 % 60);
  c.s = static_cast<int>(sod % 60);
  return c;
}

// Reads exactly `n` digits at `p`; advances.
bool read_digits(std::string_view s, size_t& p, size_t n, int& out) {
  if (p + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[p + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  p += n;
  return true;
}
// Reads 1 or 2 digits.
bool read_1or2(std::string_view s, size_t& p, int& out) {
  if (read_digits(s, p, 2, out)) return true;
  return read_digits(s, p, 1, out);
}
bool expect(std::string_view s, size_t& p, std::string_view lit) {
  if (s.substr(p, lit.size()) != lit) return false;
  p += lit.size();
  return true;
}

// "YYYY-MM-DD HH:MM:SS"
std::optional<Civil> parse_full_date(std::string_view s) {
  Civil c;
  size_t p = 0;
  if (!(read_digits(s, p, 4, c.y) && expect(s, p, "-") && read_digits(s, p, 2, c.mo) && expect(s, p, "-") &&
        read_digits(s, p, 2, c.d) && expect(s, p, " ") && read_digits(s, p, 2, c.h) && expect(s, p, ":") &&
        read_digits(s, p, 2, c.mi) && expect(s, p, ":") && read_digits(s, p, 2, c.s) && p == s.size()))
    return std::nullopt;
  if (!c.valid()) return std::nullopt;
  return c;
}
// "MM月DD日 HH:MM" (year left 0)
std::optional<Civil> parse_month_day(std::string_view s) {
  Civil c;
  size_t p = 0;
  if (!(read_1or2(s, p, c.mo) && expect(s, p, "月") && read_1or2(s, p, c.d) && expect(s, p, "日") &&
        expect(s, p, " ") && read_1or2(s, p, c.h) && expect(s, p, ":") && read_digits(s, p, 2, c.mi) &&
        p == s.size()))
    return std::nullopt;
  if (c.mo < 1 || c.mo > 12 || c.d < 1 || c.d > 31 || c.h > 23 || c.mi > 59) return std::nullopt;
  return c;
}
// "Mon May 27 12:07:05 +0800 2013" -> Unix seconds
std::optional<int64_t> parse_twitter_time(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  // Tokenize on spaces.
  std::vector<std::string_view> tok;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) tok.push_back(s.substr(i, j - i));
    i = j;
  }
  if (tok.size() != 6) return std::nullopt;
  Civil c;
  auto mit = std::find(kMonths.begin(), kMonths.end(), tok[1]);
  if (mit == kMonths.end()) return std::nullopt;
  c.mo = static_cast<int>(mit - kMonths.begin()) + 1;
  size_t p = 0;
  if (!(read_1or2(tok[2], p, c.d) && p == tok[2].size())) return std::nullopt;
  p = 0;
  if (!(read_digits(tok[3], p, 2, c.h) && expect(tok[3], p, ":") && read_digits(tok[3], p, 2, c.mi) &&
        expect(tok[3], p, ":") && read_digits(tok[3], p, 2, c.s) && p == tok[3].size()))
    return std::nullopt;
  std::string_view off = tok[4];
  int oh = 0, om = 0;
  p = 1;
  if (off.size() != 5 || (off[0] != '+' && off[0] != '-') || !read_digits(off, p, 2, oh) ||
      !read_digits(off, p, 2, om))
    return std::nullopt;
  p = 0;
  if (!(read_digits(tok[5], p, 4, c.y) && p == tok[5].size())) return std::nullopt;
  if (!c.valid()) return std::nullopt;
  int64_t offset = (oh * 3600 + om * 60) * (off[0] == '-' ? -1 : 1);
  return c.epoch() + kBeijingOffset - offset;
}

// ISO 8601 with the Beijing offset, e.g. 2013-05-27T12:07:05+08:00
void append_iso(std::string& out, const Civil& c) {
  char buf[] = "0000-00-00T00:00:00+08:00";  // years 1900..2999 (Civil::valid)
  auto put = [&](int at, int v, int width) {
    for (int k = width - 1; k >= 0; --k, v /= 10) buf[at + k] = static_cast<char>('0' + v % 10);
  };
  put(0, c.y, 4);
  put(5, c.mo, 2);
  put(8, c.d, 2);
  put(11, c.h, 2);
  put(14, c.mi, 2);
  put(17, c.s, 2);
  out.append(buf, sizeof buf - 1);
}

// ---- file names ----------------------------------------------------------------------------------------
enum class Kind { kRoot, kRumor, kNonRumor, kOther };

struct Entry {
  Kind kind = Kind::kOther;
  std::string name;  // file name, e.g. "12_AbCdE_123.json"
};

Entry classify(std::string_view path) {
  Entry e;
  size_t slash = path.find_last_of('/');
  std::string_view file = slash == std::string_view::npos ? path : path.substr(slash + 1);
  std::string_view dir = slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
  size_t s2 = dir.find_last_of('/');
  std::string_view parent = s2 == std::string_view::npos ? dir : dir.substr(s2 + 1);
  e.name = std::string(file);
  if (file.size() <= 5 || file.substr(file.size() - 5) != ".json" || file[0] == '.') return e;
  if (parent == "original-microblog") e.kind = Kind::kRoot;
  else if (parent == "rumor-repost") e.kind = Kind::kRumor;
  else if (parent == "non-rumor-repost") e.kind = Kind::kNonRumor;
  return e;
}

struct RootInfo {
  std::string name;  // file name
  std::string label;  // for messages: input path + entry path
  int64_t n = 0;
  std::string mid, uid;
  int64_t time = 0;  // Unix seconds
  bool has_reposts = false;
};

// Splits "<n>_<mid>_<uid>.json".
void split_name(const std::string& label, const std::string& name, int64_t& n, std::string& mid, std::string& uid) {
  std::string_view s(name);
  s.remove_suffix(5);  // ".json"
  size_t a = s.find('_');
  size_t b = a == std::string_view::npos ? a : s.find('_', a + 1);
  bool ok = a != std::string_view::npos && b != std::string_view::npos && a > 0 && b > a + 1 && b + 1 < s.size();
  if (ok) {
    n = 0;
    for (size_t i = 0; i < a && ok; ++i) {
      if (s[i] < '0' || s[i] > '9' || i > 15) ok = false;
      else n = n * 10 + (s[i] - '0');
    }
  }
  if (!ok)
    throw InputError(fmt::format("{}: file name '{}' does not match '<n>_<mid>_<uid>.json'", label, name));
  mid = std::string(s.substr(a + 1, b - a - 1));
  uid = std::string(s.substr(b + 1));
}

json parse_json(const std::string& label, const std::string& text) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    throw InputError(fmt::format("{}: invalid JSON: {}", label, e.what()));
  }
}

RootInfo parse_root(const std::string& label, const std::string& name, const std::string& text, Counts& counts) {
  RootInfo r;
  r.name = name;
  r.label = label;
  split_name(label, name, r.n, r.mid, r.uid);
  json j = parse_json(label, text);
  auto it = j.is_object() ? j.find("time") : j.end();
  if (!j.is_object() || it == j.end())
    throw InputError(fmt::format("{}: column 'time': missing in the root post", label));
  const json& t = *it;
  if (t.is_number_integer()) {
    r.time = t.get<int64_t>();
  } else if (t.is_number_float()) {
    r.time = static_cast<int64_t>(t.get<double>());
  } else if (t.is_string()) {
    const std::string& s = t.get_ref<const std::string&>();
    bool digits = !s.empty() && s.find_first_not_of("0123456789") == std::string::npos && s.size() < 16;
    if (digits) {
      r.time = std::stoll(s);
    } else {
      auto v = parse_twitter_time(s);
      if (!v) throw InputError(fmt::format("{}: column 'time': unparseable value '{}'", label, s));
      r.time = *v;
      ++counts[kRootStringTime];
    }
  } else {
    throw InputError(fmt::format("{}: column 'time': unexpected value {}", label, t.dump()));
  }
  for (char c : r.uid)
    if (c == '/') throw InputError(fmt::format("{}: root author '{}' contains '/', the path separator", label, r.uid));
  return r;
}

// ---- one item --------------------------------------------------------------------------------------------
struct ItemResult {
  int64_t n = 0;
  std::string name, mid;
  std::string orders_csv, edges_csv;
  int64_t orders = 0, edges = 0;
  int64_t min_ts = INT64_MAX, max_ts = INT64_MIN;
  Counts counts{};
};

// The four fields used from one repost/comment object.
struct RawRow {
  std::string uid, mid, parent, date;
  uint8_t have = 0;  // bit per field present
};

// SAX reader of a repost file: a JSON array of objects; keeps uid, mid, parent and date (strings, or
// integers written as decimal strings) and skips everything else without building a DOM.
class RepostSax : public nlohmann::json_sax<json> {
 public:
  RepostSax(const std::string& label, std::vector<RawRow>& rows) : label_(label), rows_(rows) {}

  bool null() override { return scalar(nullptr); }
  bool boolean(bool) override { return scalar(nullptr); }
  bool number_integer(number_integer_t v) override {
    std::string s = std::to_string(v);
    return scalar(&s);
  }
  bool number_unsigned(number_unsigned_t v) override {
    std::string s = std::to_string(v);
    return scalar(&s);
  }
  bool number_float(number_float_t, const string_t&) override { return scalar(nullptr); }
  bool string(string_t& v) override { return scalar(&v); }
  bool binary(binary_t&) override { return scalar(nullptr); }
  bool start_object(std::size_t) override {
    if (depth_ == 0) fail("expected a JSON array of reposts/comments, found an object");
    if (depth_ == 1) rows_.emplace_back();
    ++depth_;
    return true;
  }
  bool end_object() override {
    --depth_;
    if (depth_ == 1) {
      static constexpr const char* kNames[] = {"uid", "mid", "parent", "date"};
      for (int k = 0; k < 4; ++k)
        if (!(rows_.back().have & (1u << k)))
          throw InputError(fmt::format("{}: row {}: column '{}': missing", label_, rows_.size(), kNames[k]));
    }
    return true;
  }
  bool start_array(std::size_t) override {
    if (depth_ == 1) fail(fmt::format("row {}: expected a JSON object, found an array", rows_.size() + 1));
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool key(string_t& k) override {
    if (depth_ == 2) {
      field_ = k == "uid" ? 0 : k == "mid" ? 1 : k == "parent" ? 2 : k == "date" ? 3 : -1;
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    throw InputError(fmt::format("{}: invalid JSON: {}", label_, e.what()));
  }

 private:
  [[noreturn]] void fail(const std::string& what) { throw InputError(fmt::format("{}: {}", label_, what)); }
  // A scalar value: a row field when directly inside a row object.
  bool scalar(std::string* v) {
    if (depth_ == 0) fail("expected a JSON array of reposts/comments");
    if (depth_ == 1) fail(fmt::format("row {}: expected a JSON object", rows_.size() + 1));
    if (depth_ == 2 && field_ >= 0) {
      RawRow& r = rows_.back();
      static constexpr const char* kNames[] = {"uid", "mid", "parent", "date"};
      if (v == nullptr)
        fail(fmt::format("row {}: column '{}': expected a string", rows_.size(), kNames[field_]));
      std::string* dst[] = {&r.uid, &r.mid, &r.parent, &r.date};
      *dst[field_] = std::move(*v);
      r.have = static_cast<uint8_t>(r.have | (1u << field_));
      field_ = -1;
    }
    return true;
  }
  const std::string& label_;
  std::vector<RawRow>& rows_;
  int depth_ = 0;
  int field_ = -1;
};

ItemResult convert_item(const RootInfo& root, const std::string& label, const std::string& text) {
  ItemResult res;
  res.n = root.n;
  res.name = root.name;
  res.mid = root.mid;
  Counts& counts = res.counts;

  std::vector<RawRow> raw;
  {
    RepostSax sax(label, raw);
    json::sax_parse(text, &sax);
  }
  const size_t n = raw.size();
  if (n == 0) ++counts[kRepostFilesEmpty];

  const Civil root_civil = beijing_civil(root.time);

  // Rows.
  std::vector<std::string> uid(n), mid(n), parent(n);
  std::vector<Civil> date(n);
  std::vector<int64_t> epoch(n);
  // Weibo leaves the year off dates in the year of the crawl: a 'MM月DD日 HH:MM' row takes the year of
  // the file's newest fully dated row (of the root post when there is none), or the next year when
  // that would put it before that row.
  Civil ref = root_civil;
  for (size_t i = 0; i < n; ++i) {
    if (auto c = parse_full_date(raw[i].date)) {
      if (std::make_tuple(c->y, c->mo, c->d, c->h, c->mi, c->s) > std::make_tuple(ref.y, ref.mo, ref.d, ref.h, ref.mi, ref.s))
        ref = *c;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    uid[i] = std::move(raw[i].uid);
    mid[i] = std::move(raw[i].mid);
    parent[i] = std::move(raw[i].parent);
    const std::string& d = raw[i].date;
    if (uid[i].empty()) throw InputError(fmt::format("{}: row {}: column 'uid': empty value", label, i + 1));
    if (uid[i].find('/') != std::string::npos)
      throw InputError(
          fmt::format("{}: row {}: column 'uid': value '{}' contains '/', the path separator", label, i + 1, uid[i]));
    if (auto c = parse_full_date(d)) {
      date[i] = *c;
    } else if (auto md = parse_month_day(d)) {
      Civil c = *md;
      c.y = ref.y;
      if (std::make_tuple(c.mo, c.d, c.h, c.mi) < std::make_tuple(ref.mo, ref.d, ref.h, ref.mi)) {
        ++c.y;
        ++counts[kRowsNoYearRollover];
      }
      if (!c.valid())
        throw InputError(fmt::format("{}: row {}: column 'date': value '{}' is not a valid date in {}", label, i + 1,
                                     d, c.y));
      date[i] = c;
      ++counts[kRowsNoYear];
    } else {
      throw InputError(fmt::format(
          "{}: row {}: column 'date': unparseable value '{}' (expected 'YYYY-MM-DD HH:MM:SS' or 'MM月DD日 HH:MM')",
          label, i + 1, d));
    }
    epoch[i] = date[i].epoch();
    if (epoch[i] < root.time) ++counts[kRowsBeforeRoot];
  }
  raw = std::vector<RawRow>();

  // Users, interned per item; 0 = the root author.
  std::unordered_map<std::string_view, int> user_id;
  std::vector<std::string_view> user_name;
  auto intern = [&](std::string_view s) {
    auto [it, fresh] = user_id.emplace(s, static_cast<int>(user_name.size()));
    if (fresh) user_name.push_back(s);
    return it->second;
  };
  const int root_user = intern(root.uid);
  std::vector<int> user(n);
  for (size_t i = 0; i < n; ++i) user[i] = intern(uid[i]);

  // Parent row of each row: -1 = on the root post, -2 = parent mid not in the file.
  std::unordered_map<std::string_view, int> first_of_mid;
  first_of_mid.reserve(n * 2);
  for (size_t i = 0; i < n; ++i)
    if (!first_of_mid.emplace(mid[i], static_cast<int>(i)).second) ++counts[kRowsDuplicateMid];
  std::vector<int> parent_row(n, -1);
  for (size_t i = 0; i < n; ++i) {
    if (parent[i].empty()) continue;
    auto it = first_of_mid.find(parent[i]);
    if (it == first_of_mid.end()) {
      parent_row[i] = -2;
      ++counts[kRowsMissingParent];
    } else {
      parent_row[i] = it->second;
    }
  }

  // Loop-erased user path from the root author to each row's own user (memoised along mid chains).
  std::vector<std::vector<int>> chain(n);
  std::vector<char> state(n, 0), cut(n, 0), erased(n, 0);
  std::vector<int> stack;
  auto compute_chain = [&](int start) {
    stack.assign(1, start);
    while (!stack.empty()) {
      int k = stack.back();
      if (state[k] == 2) {
        stack.pop_back();
        continue;
      }
      int p = parent_row[k];
      if (p >= 0 && !cut[k] && state[p] != 2) {
        if (state[p] == 1) {  // p is being computed below us: the mid parents form a cycle
          cut[k] = 1;
          ++counts[kRowsMidCycle];
        } else {
          state[k] = 1;
          stack.push_back(p);
          continue;
        }
      }
      std::vector<int> v;
      bool e = false;
      if (p >= 0 && !cut[k]) {
        v = chain[p];
        e = erased[p] != 0;
      } else {
        v.push_back(root_user);
      }
      auto pos = std::find(v.begin(), v.end(), user[k]);
      if (pos != v.end()) {  // the user re-appears: erase the loop back to his first position
        e = true;
        v.erase(pos + 1, v.end());
      } else {
        v.push_back(user[k]);
      }
      chain[k] = std::move(v);
      erased[k] = e;
      state[k] = 2;
      stack.pop_back();
    }
  };

  // Time order (stable on file order).
  std::vector<int> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = static_cast<int>(i);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return epoch[a] < epoch[b]; });

  std::vector<char> seen_user(user_name.size(), 0);
  std::vector<int> tree_parent(user_name.size(), -1);
  std::string ts;
  const std::vector<int> root_chain{root_user};
  std::string& out = res.orders_csv;
  std::string& eout = res.edges_csv;
  out.reserve(n * 64);
  for (int r : order) {
    const int p = parent_row[r];
    const std::vector<int>* path = &root_chain;
    bool was_erased = false;
    if (p >= 0) {
      compute_chain(p);
      path = &chain[p];
      was_erased = erased[p] != 0;
    }
    const int credited = path->back();
    if (was_erased) ++counts[kPathsLoopErased];
    ts.clear();
    append_iso(ts, date[r]);
    res.min_ts = std::min(res.min_ts, epoch[r]);
    res.max_ts = std::max(res.max_ts, epoch[r]);

    // order: item,promoter,ts,amount,path
    CsvWriter::append_field(out, root.mid);
    out.push_back(',');
    CsvWriter::append_field(out, user_name[credited]);
    out.push_back(',');
    out.append(ts);
    out.append(",1,");
    std::string joined;
    for (size_t k = 0; k < path->size(); ++k) {
      if (k) joined.push_back('/');
      joined.append(user_name[(*path)[k]]);
    }
    CsvWriter::append_field(out, joined);
    out.push_back('\n');
    ++res.orders;

    // edge: the row's user joins the tree under the credited user, on his first row only.
    const int u = user[r];
    if (seen_user[u]) {
      ++counts[kRowsRepeatUser];
      continue;
    }
    seen_user[u] = 1;
    if (u == credited) {
      ++counts[kEdgesSelfLoop];
      continue;
    }
    bool closes_cycle = false;
    for (int x = credited; x >= 0; x = tree_parent[x])
      if (x == u) {
        closes_cycle = true;
        break;
      }
    if (closes_cycle) {
      ++counts[kEdgesCycle];
      continue;
    }
    tree_parent[u] = credited;
    CsvWriter::append_field(eout, root.mid);
    eout.push_back(',');
    CsvWriter::append_field(eout, user_name[credited]);
    eout.push_back(',');
    CsvWriter::append_field(eout, user_name[u]);
    eout.push_back(',');
    eout.append(ts);
    eout.push_back('\n');
    ++res.edges;
  }
  return res;
}

// ---- input sources ---------------------------------------------------------------------------------------
// Calls fn(entry_path, contents) for every regular file; returns the number of files visited.
class ArchiveSource {
 public:
  explicit ArchiveSource(const std::string& path) : path_(path) {
    a_ = archive_read_new();
    if (a_ == nullptr) throw IoError("libarchive: out of memory");
    archive_read_support_filter_all(a_);
    archive_read_support_format_all(a_);
    if (archive_read_open_filename(a_, path.c_str(), 1 << 20) != ARCHIVE_OK) {
      std::string msg = archive_error_string(a_) ? archive_error_string(a_) : "unknown error";
      archive_read_free(a_);
      a_ = nullptr;
      throw IoError(fmt::format("{}: cannot open as an archive: {}", path, msg));
    }
  }
  ~ArchiveSource() {
    if (a_ != nullptr) archive_read_free(a_);
  }
  ArchiveSource(const ArchiveSource&) = delete;
  ArchiveSource& operator=(const ArchiveSource&) = delete;

  // Next regular file; false at the end.
  bool next(std::string& entry_path, std::string& data) {
    for (;;) {
      archive_entry* e = nullptr;
      int rc = archive_read_next_header(a_, &e);
      if (rc == ARCHIVE_EOF) return false;
      if (rc < ARCHIVE_WARN) throw IoError(fmt::format("{}: archive read error: {}", path_, error()));
      if (archive_entry_filetype(e) != AE_IFREG) continue;
      const char* p = archive_entry_pathname(e);
      entry_path = p ? p : "";
      // Read straight into `data`, growing it when the header gave no (or a wrong) size.
      size_t used = 0;
      data.resize(archive_entry_size_is_set(e) ? static_cast<size_t>(archive_entry_size(e)) + 1 : size_t(1) << 16);
      for (;;) {
        if (used == data.size()) data.resize(data.size() * 2);
        la_ssize_t k = archive_read_data(a_, data.data() + used, data.size() - used);
        if (k < 0) throw IoError(fmt::format("{}: {}: read error: {}", path_, entry_path, error()));
        if (k == 0) break;
        used += static_cast<size_t>(k);
      }
      data.resize(used);
      return true;
    }
  }
  // Compressed bytes consumed so far.
  int64_t compressed_bytes() const { return archive_filter_bytes(a_, -1); }

 private:
  std::string error() const { return archive_error_string(a_) ? archive_error_string(a_) : "unknown error"; }
  std::string path_;
  archive* a_ = nullptr;
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw IoError(fmt::format("{}: cannot open", p.string()));
  std::string s;
  in.seekg(0, std::ios::end);
  auto size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size > 0) s.resize(static_cast<size_t>(size));
  if (size > 0 && !in.read(s.data(), size)) throw IoError(fmt::format("{}: read error", p.string()));
  return s;
}

// ---- worker pool -----------------------------------------------------------------------------------------
struct Job {
  const RootInfo* root;
  std::string label;
  std::string text;
};

class Pool {
 public:
  explicit Pool(int threads) {
    for (int t = 0; t < threads; ++t) workers_.emplace_back([this] { run(); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      failed_ = true;  // an error on the reading side: skip the queued jobs
    }
    join();
  }
  void push(Job job) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return queue_.size() < kMaxQueue || failed_; });
    queue_.push_back(std::move(job));
    not_empty_.notify_one();
  }
  // Waits for all jobs; rethrows the first error.
  std::vector<ItemResult> finish() {
    join();
    if (error_) std::rethrow_exception(error_);
    return std::move(results_);
  }
  bool failed() {
    std::lock_guard<std::mutex> lock(mu_);
    return failed_;
  }

 private:
  static constexpr size_t kMaxQueue = 64;
  void join() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    not_empty_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
  }
  void run() {
    for (;;) {
      Job job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        not_empty_.wait(lock, [&] { return !queue_.empty() || done_; });
        if (queue_.empty()) return;
        job = std::move(queue_.front());
        queue_.pop_front();
        not_full_.notify_one();
        if (failed_) continue;
      }
      try {
        ItemResult r = convert_item(*job.root, job.label, job.text);
        std::lock_guard<std::mutex> lock(mu_);
        results_.push_back(std::move(r));
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu_);
        if (!failed_) error_ = std::current_exception();
        failed_ = true;
        not_full_.notify_all();
      }
    }
  }
  std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  std::deque<Job> queue_;
  std::vector<std::thread> workers_;
  std::vector<ItemResult> results_;
  std::exception_ptr error_;
  bool done_ = false, failed_ = false;
};

std::string day_of(int64_t epoch) {
  Civil c = beijing_civil(epoch);
  return fmt::format("{:04d}-{:02d}-{:02d}", c.y, c.mo, c.d);
}

}  // namespace

ConvertReport convert_ced_weibo(const std::string& input, const std::string& out_dir) {
  Counts counts{};
  std::map<std::string, std::unique_ptr<RootInfo>> roots;  // by file name
  std::unordered_map<std::string, std::string> root_by_mid;
  // Repost files met before their root post: (kind, label, text), converted at the end.
  struct Pending {
    std::string name, label, text;
  };
  std::vector<Pending> pending;
  std::unordered_map<std::string, std::string> repost_seen;  // name -> label of the repost file
  int64_t rumor = 0, nonrumor = 0;

  int threads = static_cast<int>(std::thread::hardware_concurrency());
  threads = std::clamp(threads - 1, 1, 8);
  Pool pool(threads);

  auto handle = [&](const std::string& entry_path, const std::string& label, std::string&& text) {
    Entry e = classify(entry_path);
    if (e.kind == Kind::kOther) {
      ++counts[kIgnoredEntries];
      return;
    }
    if (e.kind == Kind::kRoot) {
      auto info = std::make_unique<RootInfo>(parse_root(label, e.name, text, counts));
      auto [it, fresh] = root_by_mid.emplace(info->mid, label);
      if (!fresh)
        throw InputError(fmt::format("{}: root post mid '{}' already used by {}", label, info->mid, it->second));
      if (roots.count(e.name)) throw InputError(fmt::format("{}: duplicate root post file", label));
      roots.emplace(e.name, std::move(info));
      return;
    }
    (e.kind == Kind::kRumor ? rumor : nonrumor) += 1;
    auto [it, fresh] = repost_seen.emplace(e.name, label);
    if (!fresh)
      throw InputError(fmt::format("{}: a second repost file for the same root post (first: {})", label, it->second));
    auto r = roots.find(e.name);
    if (r == roots.end()) {
      pending.push_back({e.name, label, std::move(text)});
      return;
    }
    r->second->has_reposts = true;
    pool.push(Job{r->second.get(), label, std::move(text)});
  };

  std::error_code ec;
  const bool is_dir = fs::is_directory(input, ec);
  if (!is_dir && !fs::exists(input, ec)) throw IoError(fmt::format("{}: no such file or directory", input));
  if (is_dir) {
    fs::path base(input);
    if (fs::is_directory(base / "CED_Dataset")) base /= "CED_Dataset";
    DNTS_CHECK(fs::is_directory(base / "original-microblog"), IoError,
               "{}: neither CED_Dataset/original-microblog/ nor original-microblog/ found", input);
    // Every regular file below `base` (like the archive's entries), root posts first, names sorted so
    // the visiting order is deterministic.
    std::vector<std::pair<std::string, fs::path>> files;  // (path relative to base, full path)
    for (const auto& de : fs::recursive_directory_iterator(base))
      if (de.is_regular_file()) files.emplace_back(fs::relative(de.path(), base).generic_string(), de.path());
    std::sort(files.begin(), files.end());
    std::stable_partition(files.begin(), files.end(),
                          [](const auto& f) { return classify(f.first).kind == Kind::kRoot; });
    Progress progress("convert ced-weibo", static_cast<int64_t>(files.size()), "files");
    for (const auto& [rel, f] : files) {
      handle(rel, f.string(), read_file(f));
      progress.add(1);
      if (pool.failed()) break;
    }
    progress.finish();
  } else {
    ArchiveSource src(input);
    Progress progress("convert ced-weibo", 0, "files");
    std::string entry_path, data;
    while (src.next(entry_path, data)) {
      handle(entry_path, input + ":" + entry_path, std::move(data));
      data = std::string();
      progress.add(1);
      if (pool.failed()) break;
    }
    progress.finish();
  }
  for (auto& p : pending) {
    auto r = roots.find(p.name);
    if (r == roots.end())
      throw InputError(fmt::format("{}: no root post original-microblog/{} for this repost file", p.label, p.name));
    r->second->has_reposts = true;
    pool.push(Job{r->second.get(), p.label, std::move(p.text)});
  }
  std::vector<ItemResult> results = pool.finish();
  for (const auto& [name, info] : roots)
    if (!info->has_reposts) ++counts[kRootsWithoutReposts];
  DNTS_CHECK(!roots.empty(), InputError, "{}: no root posts (original-microblog/*.json) found", input);

  std::sort(results.begin(), results.end(),
            [](const ItemResult& a, const ItemResult& b) { return std::tie(a.n, a.name) < std::tie(b.n, b.name); });

  ConvertReport report;
  int64_t min_ts = INT64_MAX, max_ts = INT64_MIN;
  for (const auto& r : results) {
    for (int k = 0; k < kNumCounters; ++k) counts[k] += r.counts[k];
    min_ts = std::min(min_ts, r.min_ts);
    max_ts = std::max(max_ts, r.max_ts);
  }

  // Write (after all input was read and checked: a bad input leaves no output behind).
  fs::create_directories(out_dir, ec);
  DNTS_CHECK(fs::is_directory(out_dir), IoError, "{}: cannot create directory: {}", out_dir, ec.message());
  {
    CsvWriter orders((fs::path(out_dir) / "orders.csv").string());
    CsvWriter edges((fs::path(out_dir) / "edges.csv").string());
    orders.raw("item,promoter,ts,amount,path\n");
    edges.raw("item,parent,child,ts\n");
    for (auto& r : results) {
      orders.raw(r.orders_csv);
      edges.raw(r.edges_csv);
      report.orders += r.orders;
      report.edges += r.edges;
      r.orders_csv = std::string();
      r.edges_csv = std::string();
    }
    orders.close();
    edges.close();
  }
  report.items = static_cast<int64_t>(results.size());
  for (int k = 0; k < kNumCounters; ++k) report.counts.emplace_back(kCounterNames[k], counts[k]);

  int64_t root_min = INT64_MAX, root_max = INT64_MIN;
  for (const auto& [name, info] : roots) {
    root_min = std::min(root_min, info->time);
    root_max = std::max(root_max, info->time);
  }
  report.notes.push_back(fmt::format("{} root posts ({} rumour, {} non-rumour repost files), posted {} .. {} (UTC+8)",
                                     roots.size(), rumor, nonrumor, day_of(root_min), day_of(root_max)));
  if (report.orders > 0)
    report.notes.push_back(fmt::format("interactions dated {} .. {} (UTC+8)", day_of(min_ts), day_of(max_ts)));
  report.notes.push_back("timestamps are Beijing time, written as ISO 8601 with +08:00");
  return report;
}

}  // namespace dnts::data
