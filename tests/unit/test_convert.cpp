// Tests of `dnts convert`: CED Weibo (directory and .tar.xz) and DS4C converters on hand-made inputs
// with exactly known outputs, plus the real DS4C file when ../shared/data has it.
#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "dnts/data/convert.h"
#include "dnts/data/csv.h"
#include "dnts/error.h"
#include "dnts/progress.h"

namespace fs = std::filesystem;
using dnts::data::ConvertReport;

namespace {

// A fresh, empty directory under the system temp dir, removed by the destructor.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& tag) {
    path = fs::temp_directory_path() / ("dnts_test_convert_" + tag + "_" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void write_file(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << text;
  ASSERT_TRUE(out.good()) << p;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << p;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int64_t count_of(const ConvertReport& r, const std::string& prefix) {
  for (const auto& [name, n] : r.counts)
    if (name.rfind(prefix, 0) == 0) return n;
  ADD_FAILURE() << "no counter starting with '" << prefix << "'";
  return -1;
}

bool has_note(const ConvertReport& r, const std::string& part) {
  for (const auto& n : r.notes)
    if (n.find(part) != std::string::npos) return true;
  return false;
}

std::string row(const char* uid, const char* mid, const char* parent, const char* date) {
  return std::string("{\"kids\":[],\"uid\":\"") + uid + "\",\"parent\":\"" + parent + "\",\"text\":\"t, \\\"q\\\"\",\"mid\":\"" +
         mid + "\",\"date\":\"" + date + "\"}";
}
std::string array(const std::vector<std::string>& rows) {
  std::string s = "[\n";
  for (size_t i = 0; i < rows.size(); ++i) s += rows[i] + (i + 1 < rows.size() ? ",\n" : "\n");
  return s + "]\n";
}

// The mini CED data set: relative path -> content. Item M1 (file 9_M1_U0.json, rumour, Unix root
// time 2013-05-27 12:07:05 +08:00) and item M2 (file 10_M2_V0.json, non-rumour, string root time).
std::vector<std::pair<std::string, std::string>> mini_ced_files() {
  std::vector<std::pair<std::string, std::string>> f;
  f.emplace_back("CED_Dataset/original-microblog/9_M1_U0.json",
                 "{\"multi\":null,\"text\":\"root one\",\"user\":{\"time\":1312112304},\"time\":1369627625,"
                 "\"reposts\":9}");
  f.emplace_back("CED_Dataset/original-microblog/10_M2_V0.json",
                 "{\"text\":\"root two\",\"time\":\"Mon Dec 30 10:00:00 +0800 2013\",\"reposts\":5}");
  // M1, newest first like the real files (but e1 before d1: equal times keep file order).
  f.emplace_back("CED_Dataset/rumor-repost/9_M1_U0.json",
                 array({
                     row("G", "g1", "f2", "2013-05-27 20:00:00"),   // G under F; G is F's parent: cycle, no edge
                     row("F", "f2", "", "2013-05-27 19:30:00"),     // F again: order for U0, no edge
                     row("F", "f1", "g1", "2013-05-27 19:00:00"),   // F under G (dated before g1): path U0/F/G
                     row("U0", "u1", "b1", "2013-05-27 18:00:00"),  // root author under B: cycle, no edge
                     row("E", "e1", "", "2013-05-27 17:00:00"),
                     row("D", "d1", "zz", "2013-05-27 17:00:00"),   // parent mid missing: attached to the root
                     row("C", "c1", "a2", "2013-05-27 16:00:00"),   // chain U0/A/B/A -> loop-erased U0/A
                     row("A", "a2", "b1", "2013-05-27 15:00:00"),   // A again: order for B, no edge
                     row("B", "b1", "a1", "2013-05-27 14:00:00"),
                     row("A", "a1", "", "2013-05-27 13:00:00"),
                 }));
  f.emplace_back("CED_Dataset/non-rumor-repost/10_M2_V0.json",
                 array({
                     row("V0", "v1", "", "2013-12-30 11:00:00"),  // root author on his own post: self-loop
                     row("P", "p1", "", "12\xE6\x9C\x88" "31\xE6\x97\xA5 09:30"),  // 12月31日 -> 2014 (year of the newest dated row, 2014-01-03)
                     row("Q", "q1", "p1", "01\xE6\x9C\x88" "02\xE6\x97\xA5 08:00"),  // 01月02日 -> 2015 (before 01-03 10:00: next year)
                     row("R,x", "r1", "q1", "2014-01-02 09:00:00"),
                     row("S", "q1", "v1", "2014-01-03 10:00:00"),  // repeats mid q1; chain V0/V0 -> V0
                 }));
  f.emplace_back("CED_Dataset/original-microblog/.DS_Store", std::string("\0\0\0\1Bud1", 8));
  f.emplace_back("CED_Dataset/README.md", "# CED\n");
  return f;
}

const char* kCedOrders =
    "item,promoter,ts,amount,path\n"
    "M1,U0,2013-05-27T13:00:00+08:00,1,U0\n"
    "M1,A,2013-05-27T14:00:00+08:00,1,U0/A\n"
    "M1,B,2013-05-27T15:00:00+08:00,1,U0/A/B\n"
    "M1,A,2013-05-27T16:00:00+08:00,1,U0/A\n"
    "M1,U0,2013-05-27T17:00:00+08:00,1,U0\n"
    "M1,U0,2013-05-27T17:00:00+08:00,1,U0\n"
    "M1,B,2013-05-27T18:00:00+08:00,1,U0/A/B\n"
    "M1,G,2013-05-27T19:00:00+08:00,1,U0/F/G\n"
    "M1,U0,2013-05-27T19:30:00+08:00,1,U0\n"
    "M1,F,2013-05-27T20:00:00+08:00,1,U0/F\n"
    "M2,V0,2013-12-30T11:00:00+08:00,1,V0\n"
    "M2,Q,2014-01-02T09:00:00+08:00,1,V0/P/Q\n"
    "M2,V0,2014-01-03T10:00:00+08:00,1,V0\n"
    "M2,V0,2014-12-31T09:30:00+08:00,1,V0\n"
    "M2,P,2015-01-02T08:00:00+08:00,1,V0/P\n";

const char* kCedEdges =
    "item,parent,child,ts\n"
    "M1,U0,A,2013-05-27T13:00:00+08:00\n"
    "M1,A,B,2013-05-27T14:00:00+08:00\n"
    "M1,A,C,2013-05-27T16:00:00+08:00\n"
    "M1,U0,E,2013-05-27T17:00:00+08:00\n"
    "M1,U0,D,2013-05-27T17:00:00+08:00\n"
    "M1,G,F,2013-05-27T19:00:00+08:00\n"
    "M2,Q,\"R,x\",2014-01-02T09:00:00+08:00\n"
    "M2,V0,S,2014-01-03T10:00:00+08:00\n"
    "M2,V0,P,2014-12-31T09:30:00+08:00\n"
    "M2,P,Q,2015-01-02T08:00:00+08:00\n";

void expect_mini_ced_report(const ConvertReport& r) {
  EXPECT_EQ(r.items, 2);
  EXPECT_EQ(r.orders, 15);
  EXPECT_EQ(r.edges, 10);
  EXPECT_EQ(count_of(r, "root posts with a string time"), 1);
  EXPECT_EQ(count_of(r, "rows with a missing parent"), 1);
  EXPECT_EQ(count_of(r, "rows repeating an earlier mid"), 1);
  EXPECT_EQ(count_of(r, "rows in a cycle of mid parents"), 0);
  EXPECT_EQ(count_of(r, "rows dated 'MM"), 2);
  EXPECT_EQ(count_of(r, "  of which rolled over"), 1);
  EXPECT_EQ(count_of(r, "rows dated before their root post"), 0);
  EXPECT_EQ(count_of(r, "orders whose path was shortened"), 2);
  EXPECT_EQ(count_of(r, "rows by a user already in the post"), 2);
  EXPECT_EQ(count_of(r, "edges skipped: self-loop"), 1);
  EXPECT_EQ(count_of(r, "edges skipped: would close a cycle"), 2);
  EXPECT_EQ(count_of(r, "other files ignored"), 2);
  EXPECT_TRUE(has_note(r, "posted 2013-05-27 .. 2013-12-30")) << (r.notes.empty() ? "" : r.notes[0]);
}

// Packs files into a .tar.xz with libarchive, in the given order.
void write_tar_xz(const fs::path& out, const std::vector<std::pair<std::string, std::string>>& files) {
  archive* a = archive_write_new();
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(archive_write_add_filter_xz(a), ARCHIVE_OK) << archive_error_string(a);
  ASSERT_EQ(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
  ASSERT_EQ(archive_write_open_filename(a, out.c_str()), ARCHIVE_OK) << archive_error_string(a);
  for (const auto& [name, text] : files) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_size(e, static_cast<la_int64_t>(text.size()));
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    ASSERT_EQ(archive_write_header(a, e), ARCHIVE_OK) << archive_error_string(a);
    ASSERT_EQ(archive_write_data(a, text.data(), text.size()), static_cast<la_ssize_t>(text.size()));
    archive_entry_free(e);
  }
  ASSERT_EQ(archive_write_close(a), ARCHIVE_OK);
  archive_write_free(a);
}

class ConvertTest : public ::testing::Test {
 protected:
  void SetUp() override { dnts::Progress::set_enabled(false); }
  void TearDown() override { dnts::Progress::set_enabled(true); }
};

}  // namespace

TEST_F(ConvertTest, CedMiniDirectoryExactOutput) {
  TempDir tmp("ced_dir");
  for (const auto& [name, text] : mini_ced_files()) write_file(tmp.path / "in" / name, text);
  ConvertReport r = dnts::data::convert_ced_weibo((tmp.path / "in").string(), (tmp.path / "out").string());
  EXPECT_EQ(slurp(tmp.path / "out" / "orders.csv"), kCedOrders);
  EXPECT_EQ(slurp(tmp.path / "out" / "edges.csv"), kCedEdges);
  expect_mini_ced_report(r);
}

TEST_F(ConvertTest, CedMiniDirectoryWithoutTopFolder) {
  TempDir tmp("ced_flat");
  for (const auto& [name, text] : mini_ced_files())
    write_file(tmp.path / "in" / name.substr(std::string("CED_Dataset/").size()), text);
  ConvertReport r = dnts::data::convert_ced_weibo((tmp.path / "in").string(), (tmp.path / "out").string());
  EXPECT_EQ(slurp(tmp.path / "out" / "orders.csv"), kCedOrders);
  EXPECT_EQ(slurp(tmp.path / "out" / "edges.csv"), kCedEdges);
}

TEST_F(ConvertTest, CedMiniTarXzGivesIdenticalOutput) {
  TempDir tmp("ced_tar");
  auto files = mini_ced_files();
  // A repost file before its root post and reversed order: the output must not depend on it.
  std::reverse(files.begin(), files.end());
  write_tar_xz(tmp.path / "CED_Dataset.tar.xz", files);
  ConvertReport r =
      dnts::data::convert_ced_weibo((tmp.path / "CED_Dataset.tar.xz").string(), (tmp.path / "out").string());
  EXPECT_EQ(slurp(tmp.path / "out" / "orders.csv"), kCedOrders);
  EXPECT_EQ(slurp(tmp.path / "out" / "edges.csv"), kCedEdges);
  expect_mini_ced_report(r);
}

TEST_F(ConvertTest, CedBadDateIsAnInputErrorNamingFileRowAndValue) {
  TempDir tmp("ced_bad");
  write_file(tmp.path / "in/original-microblog/1_M_U.json", "{\"time\":1369627625}");
  write_file(tmp.path / "in/rumor-repost/1_M_U.json",
             array({row("A", "a", "", "2013-05-27 13:00:00"), row("B", "b", "a", "2013/05/27 14:00")}));
  try {
    dnts::data::convert_ced_weibo((tmp.path / "in").string(), (tmp.path / "out").string());
    FAIL() << "expected InputError";
  } catch (const dnts::InputError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("1_M_U.json"), std::string::npos) << msg;
    EXPECT_NE(msg.find("row 2"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'date'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("2013/05/27 14:00"), std::string::npos) << msg;
  }
  EXPECT_FALSE(fs::exists(tmp.path / "out" / "orders.csv"));  // nothing half-written
}

TEST_F(ConvertTest, CedRepostWithoutRootIsAnInputError) {
  TempDir tmp("ced_noroot");
  write_file(tmp.path / "in/original-microblog/1_M_U.json", "{\"time\":1369627625}");
  write_file(tmp.path / "in/rumor-repost/2_N_U.json", array({row("A", "a", "", "2013-05-27 13:00:00")}));
  EXPECT_THROW(dnts::data::convert_ced_weibo((tmp.path / "in").string(), (tmp.path / "out").string()),
               dnts::InputError);
}

TEST_F(ConvertTest, CedMidParentCycleIsCutAtTheRoot) {
  TempDir tmp("ced_midcycle");
  write_file(tmp.path / "in/original-microblog/1_M_U.json", "{\"time\":\"1369627625\"}");
  write_file(tmp.path / "in/rumor-repost/1_M_U.json",
             array({row("X", "x", "y", "2013-05-27 13:00:00"), row("Y", "y", "x", "2013-05-27 14:00:00"),
                    row("Z", "z", "x", "2013-05-27 15:00:00")}));
  ConvertReport r = dnts::data::convert_ced_weibo((tmp.path / "in").string(), (tmp.path / "out").string());
  // Row x (first in time) needs y's chain; resolving y reaches x again, so x is cut at the root
  // (chain U/X) and y's chain is U/X/Y.
  EXPECT_EQ(slurp(tmp.path / "out" / "orders.csv"),
            "item,promoter,ts,amount,path\n"
            "M,Y,2013-05-27T13:00:00+08:00,1,U/X/Y\n"
            "M,X,2013-05-27T14:00:00+08:00,1,U/X\n"
            "M,X,2013-05-27T15:00:00+08:00,1,U/X\n");
  EXPECT_EQ(slurp(tmp.path / "out" / "edges.csv"),
            "item,parent,child,ts\n"
            "M,Y,X,2013-05-27T13:00:00+08:00\n"
            "M,X,Z,2013-05-27T15:00:00+08:00\n");
  EXPECT_EQ(count_of(r, "rows in a cycle of mid parents"), 1);
  EXPECT_EQ(count_of(r, "edges skipped: would close a cycle"), 1);  // Y under X while X is under Y
}

// ---- DS4C -------------------------------------------------------------------------------------------------

const char* kDs4cMini =
    "patient_id,global_num,sex,infection_case,confirmed_date,infected_by\n"
    "1001,1,male,Church,2020-02-01,\n"
    "1002,2,female,Church,2020-02-03,1001\n"
    "1003,3,,Church,2020-02-05,1004\n"
    "1004,4,,Church,2020-02-06,1003\n"  // closes the cycle 1004 -> 1003 -> 1004
    "1005,5,,,2020-02-02,1001\n"        // item 'unknown'; infector in another item
    "1006,6,,Church,2020-02-04,1006\n"  // infected by himself
    "1007,7,,Church,,1002\n"            // no confirmed date
    "1008,8,,\"Call Center, Guro\",2020-02-07,#2\n"  // '#<global_num>' -> 1002
    "1009,9,,Church,2020-02-02,#99\n";  // unresolved, kept verbatim

TEST_F(ConvertTest, Ds4cMiniExactOutput) {
  TempDir tmp("ds4c");
  write_file(tmp.path / "PatientInfo.csv", kDs4cMini);
  ConvertReport r = dnts::data::convert_ds4c((tmp.path / "PatientInfo.csv").string(), (tmp.path / "out").string());
  EXPECT_EQ(slurp(tmp.path / "out" / "orders.csv"),
            "item,promoter,ts,amount\n"
            "Church,1001,2020-02-01,1\n"
            "Church,1009,2020-02-02,1\n"
            "Church,1002,2020-02-03,1\n"
            "Church,1006,2020-02-04,1\n"
            "Church,1003,2020-02-05,1\n"
            "Church,1004,2020-02-06,1\n"
            "unknown,1005,2020-02-02,1\n"
            "\"Call Center, Guro\",1008,2020-02-07,1\n");
  EXPECT_EQ(slurp(tmp.path / "out" / "edges.csv"),
            "item,parent,child,ts\n"
            "Church,#99,1009,2020-02-02\n"
            "Church,1001,1002,2020-02-03\n"
            "Church,1004,1003,2020-02-05\n"
            "unknown,1001,1005,2020-02-02\n"
            "\"Call Center, Guro\",1002,1008,2020-02-07\n");
  EXPECT_EQ(r.items, 3);
  EXPECT_EQ(r.orders, 8);
  EXPECT_EQ(r.edges, 5);
  EXPECT_EQ(count_of(r, "rows without confirmed_date"), 1);
  EXPECT_EQ(count_of(r, "rows with an empty infection_case"), 1);
  EXPECT_EQ(count_of(r, "edges dropped: infected_by is the patient himself"), 1);
  EXPECT_EQ(count_of(r, "edges dropped: would close a cycle"), 1);
  EXPECT_EQ(count_of(r, "infected_by '#<global_num>' resolved"), 1);
  EXPECT_EQ(count_of(r, "infected_by '#<global_num>' not resolved"), 1);
  EXPECT_EQ(count_of(r, "edges whose infector has no order"), 1);
  EXPECT_EQ(count_of(r, "edges whose infector belongs to another item"), 2);
  EXPECT_TRUE(has_note(r, "cycle: 1004 -> 1003 -> 1004"));
}

TEST_F(ConvertTest, Ds4cMalformedPatientIdNamesFileLineColumnValue) {
  TempDir tmp("ds4c_bad");
  write_file(tmp.path / "p.csv",
             "patient_id,infection_case,infected_by,confirmed_date\n1,a,,2020-01-01\n10x1,a,,2020-01-02\n");
  try {
    dnts::data::convert_ds4c((tmp.path / "p.csv").string(), (tmp.path / "out").string());
    FAIL() << "expected InputError";
  } catch (const dnts::InputError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("p.csv:3"), std::string::npos) << msg;
    EXPECT_NE(msg.find("patient_id"), std::string::npos) << msg;
    EXPECT_NE(msg.find("10x1"), std::string::npos) << msg;
  }
}

TEST_F(ConvertTest, Ds4cMalformedDateAndMissingColumn) {
  TempDir tmp("ds4c_bad2");
  write_file(tmp.path / "p.csv", "patient_id,infection_case,infected_by,confirmed_date\n1,a,,2020-02-30\n");
  try {
    dnts::data::convert_ds4c((tmp.path / "p.csv").string(), (tmp.path / "out").string());
    FAIL() << "expected InputError";
  } catch (const dnts::InputError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("p.csv:2"), std::string::npos) << msg;
    EXPECT_NE(msg.find("confirmed_date"), std::string::npos) << msg;
    EXPECT_NE(msg.find("2020-02-30"), std::string::npos) << msg;
  }
  write_file(tmp.path / "q.csv", "patient_id,infection_case,confirmed_date\n1,a,2020-02-01\n");
  try {
    dnts::data::convert_ds4c((tmp.path / "q.csv").string(), (tmp.path / "out").string());
    FAIL() << "expected InputError";
  } catch (const dnts::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("missing column 'infected_by'"), std::string::npos) << e.what();
  }
}

TEST_F(ConvertTest, Ds4cRealFile) {
  const fs::path file = fs::path(DNTS_SHARED_DATA_DIR) / "ds4c-korea" / "PatientInfo.csv";
  if (!fs::exists(file)) GTEST_SKIP() << file << " not available";
  // Count the data rows and those without a confirmed date independently of the converter.
  int64_t rows = 0, undated = 0;
  {
    dnts::data::CsvReader in(file.string());
    ASSERT_TRUE(in.next());
    size_t c_date = in.num_fields();
    for (size_t i = 0; i < in.num_fields(); ++i)
      if (in.field(i) == "confirmed_date") c_date = i;
    ASSERT_LT(c_date, in.num_fields());
    while (in.next()) {
      ++rows;
      if (in.field(c_date).empty()) ++undated;
    }
  }
  EXPECT_GE(rows, 4003);
  TempDir tmp("ds4c_real");
  ConvertReport r = dnts::data::convert_ds4c(file.string(), (tmp.path / "out").string());
  EXPECT_EQ(r.orders, rows - undated);
  EXPECT_EQ(count_of(r, "rows without confirmed_date"), undated);
  EXPECT_GT(count_of(r, "edges dropped: would close a cycle"), 0);
  EXPECT_TRUE(has_note(r, "cycle: "));
  EXPECT_GT(r.edges, 800);
  // The written files have the reported number of rows.
  int64_t n_orders = -1, n_edges = -1;
  for (auto [name, n] : {std::pair<const char*, int64_t*>{"orders.csv", &n_orders}, {"edges.csv", &n_edges}}) {
    dnts::data::CsvReader in((tmp.path / "out" / name).string());
    while (in.next()) ++*n;
  }
  EXPECT_EQ(n_orders, r.orders);
  EXPECT_EQ(n_edges, r.edges);
}
