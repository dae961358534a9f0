// Private: validation of one CSV record of orders.csv / edges.csv (DATA.md), shared by the streaming
// reader (quoted or gzip files) and the parallel in-memory parser, so both apply the same rules and
// word every rejection the same way (file, line, column, value).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dnts/data/dataset.h"
#include "dnts/data/ingest.h"
#include "dnts/error.h"

namespace dnts::data {

/// `v` cut to 80 characters for messages.
std::string shorten(std::string_view v);
/// Names joined with commas.
std::string join(const std::vector<std::string>& names);

/// Where a rejected row goes: strict mode throws InputError, lenient mode counts it in `report` by
/// reason (keeping the first 20 messages). Without a report (a parse worker) the row is only marked
/// `rejected`, and no message is formatted; the merge reports it again, in file order, with its line.
struct RowRejects {
  ErrorMode mode = ErrorMode::kStrict;
  IngestReport* report = nullptr;
  bool rejected = false;

  /// `message()` returns the text; it runs only when the row is reported.
  template <typename Message>
  void operator()(const char* reason, Message&& message) {
    rejected = true;
    if (report == nullptr) return;
    std::string text = message();
    if (mode == ErrorMode::kStrict) throw InputError(text);
    ++report->skipped[reason];
    if (report->examples.size() < 20) report->examples.push_back(std::move(text));
  }
};

/// A header row: the field index of each wanted column (-1 when absent) and the field count.
struct Header {
  std::vector<int> index;
  size_t num_fields = 0;
};

/// Matches a header row against the wanted columns. Throws InputError for a missing required column
/// (with a hint for a wrong separator or case) or a repeated one; extra columns add a warning.
Header parse_header(const std::vector<std::string_view>& fields, const std::string& file, int64_t line,
                    const std::vector<std::string>& wanted, const std::vector<bool>& required, IngestReport& report);

/// Column names of each file, in Header::index order.
const std::vector<std::string>& order_columns();  // item, promoter, ts, amount, path
const std::vector<std::string>& edge_columns();   // item, parent, child, ts

/// Rejects a record whose field count differs from the header's.
bool check_field_count(size_t found, const Header& h, const std::string& file, int64_t line, RowRejects& rejects);

struct OrderRow {
  std::string_view item, promoter;
  int64_t ts = 0;
  double amount = 1.0;
};

/// Validates one orders.csv record. `segs` receives the ids of a non-empty `path` (root first) or is
/// left empty. False when the row is rejected (reported through `rejects`).
bool parse_order_row(const std::vector<std::string_view>& fields, const Header& h, const TimeZone& tz,
                     const std::string& file, int64_t line, RowRejects& rejects, OrderRow& out,
                     std::vector<std::string_view>& segs);

struct EdgeRow {
  std::string_view item, parent, child;  ///< parent empty: attaches to the item's root
  int64_t ts = 0;
};

/// Validates one edges.csv record. False when the row is rejected (reported through `rejects`).
bool parse_edge_row(const std::vector<std::string_view>& fields, const Header& h, const TimeZone& tz,
                    const std::string& file, int64_t line, RowRejects& rejects, EdgeRow& out);

}  // namespace dnts::data
