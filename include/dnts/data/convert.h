// Converters from public propagation data sets to a DNTS dataset folder (spec/DATA.md): each writes
// `orders.csv` and `edges.csv` into an output directory (created if missing) and returns a report of
// what it did, so that no input row is ever dropped without being counted.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dnts::data {

/// What a converter did: sizes of the output and named counters of every special case met.
struct ConvertReport {
  int64_t items = 0;   ///< distinct items written
  int64_t orders = 0;  ///< rows of orders.csv
  int64_t edges = 0;   ///< rows of edges.csv
  /// Named counters in a stable order, e.g. {"rows with a missing parent (attached to the root)", 3}.
  /// Every counter the converter knows is listed, zeros included.
  std::vector<std::pair<std::string, int64_t>> counts;
  /// Free-text remarks (time range of the data, each cycle found, ...).
  std::vector<std::string> notes;
};

/// Converts the CED Weibo rumour data set (Song et al. 2018; ../shared/data/ced-weibo/SOURCE.txt).
///
/// `input` is either the archive `CED_Dataset.tar.xz` (any archive libarchive reads; streamed, never
/// unpacked to disk) or an unpacked directory that contains `CED_Dataset/` or `original-microblog/`
/// directly. Files used: `original-microblog/<n>_<mid>_<uid>.json` (the root post; its `time` is Unix
/// seconds or a string like "Mon May 27 12:07:05 +0800 2013") and `rumor-repost/<same name>` or
/// `non-rumor-repost/<same name>` (a JSON array of {uid, mid, parent, kids, text, date}); `.DS_Store`
/// and README files are ignored.
///
/// Mapping (spec/DATA.md):
///  - item = the root post's mid (from the file name); the root author is the file name's uid.
///  - promoter = user (uid).
///  - Every interaction row is an ORDER of amount 1 at the row's date, credited to the user it was made
///    on: the uid of the row whose mid is the row's `parent`, or the root author when `parent` is "".
///    A parent mid not found in the file attaches the row to the root (counted). When a mid occurs
///    twice in a file (crawl duplicates), parent look-ups use its first occurrence; both rows are
///    orders (counted).
///  - The order's `path` is the users along the chain of mid parents from the root author down to the
///    credited user, joined by '/', loop-erased: walking root -> end, a user who re-appears truncates
///    the path back to his first position (U0/A/B/A -> U0/A). So the path never repeats a user and
///    always ends with the credited promoter. (A cycle of mid parents, absent from the real data, is
///    cut where the walk meets it: that row's chain restarts at the root author; counted.)
///  - The row's own user joins the item's tree under the credited user: EDGE (item, parent = credited
///    user, child = row uid, ts = row date), only for the user's first row in the post (by date, then
///    file order). An edge that would be a self-loop, or whose child is already an ancestor of its
///    parent in the edges written so far (it would close a cycle), is skipped and counted.
///  - Row dates "YYYY-MM-DD HH:MM:SS" are Beijing time and written as ISO 8601 with offset
///    ("2013-05-27T12:07:05+08:00"). Dates "MM月DD日 HH:MM" (no year; Weibo omits the year of the
///    crawl) take the year of the file's newest fully dated row (of the root post when there is none),
///    or the next year when that would put them before that row (counted).
///  - Items are written in the order of the file number <n>; the rows of each item are sorted by
///    ts (stable: file order among equal times).
///
/// Throws InputError (file, row, field, value) on malformed JSON, missing fields, unparseable dates,
/// an empty uid or a uid containing '/', and a repost file without its root post; IoError on I/O failure.
ConvertReport convert_ced_weibo(const std::string& input, const std::string& out_dir);

/// Converts the DS4C South-Korea `PatientInfo.csv` (../shared/data/ds4c-korea/SOURCE.txt).
///
/// Mapping:
///  - item = infection_case ("unknown" when empty); promoter = patient_id (digits only).
///  - Each patient with a confirmed_date (YYYY-MM-DD) is an ORDER of amount 1 at that date, credited
///    to the patient; orders.csv has no `path` column (the engine derives paths from the edges).
///  - EDGE (item, parent = infected_by, child = patient_id, ts = confirmed_date) when infected_by is
///    non-empty. An infected_by written "#<global_num>" is resolved to the patient with that
///    global_num when exactly one patient has it (counted; otherwise kept verbatim, counted).
///  - Rows without confirmed_date are skipped (no order, no edge) and counted; infected_by equal to
///    the row's own patient_id drops the edge (counted).
///  - Cycles in infected_by within an item: edges are added in (confirmed_date, file order); the
///    edge whose child is already an ancestor of its parent closes a cycle, is dropped and counted,
///    and the cycle is reported in the notes as "cycle: a -> b -> a" (infector -> infected).
///  - Rows of both files are sorted by (item in first-appearance order, ts, file order). An edge's
///    infector may have no order in the item (another item, or not in the file): counted only.
///
/// Throws InputError naming file, line, column and value for a malformed patient_id or
/// confirmed_date, a duplicate patient_id, or a missing column.
ConvertReport convert_ds4c(const std::string& patient_info_csv, const std::string& out_dir);

}  // namespace dnts::data
