// Data-driven ingestion cases: every tests/cases/**/*.case file is one test. Format (one directive per
// line, '#' comments):
//   name: <title>            checks: <what it pins>        group: <area>
//   option tz <zone> | option bucket <width>
//   file <name> [crlf] [bom] [gz] [noeol]   ... lines ...   end
//   strict error: <substring of the message>     (strict ingest must throw InputError containing it)
//   strict ok                                     (strict ingest must succeed)
//   lenient skipped: <reason> = <n>               (lenient ingest counts n rows under reason)
//   lenient merged: <reason> = <n>
//   warning: <substring>                          (a warning of the lenient/strict-ok ingest)
//   orders: <n> | edges: <n>                      (rows kept, lenient or strict-ok ingest)
//   scale ... end                                 (exact `dnts scale` rows, header excluded)
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "dnts/data/ingest.h"
#include "dnts/error.h"
#include "dnts/tree/propagation.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace dnts;

namespace {

struct CaseFile {
  std::string name;
  std::string tz = "UTC", bucket = "1d";
  struct File {
    std::string name, text;
    bool gz = false;
  };
  std::vector<File> files;
  std::optional<std::string> strict_error;
  bool strict_ok = false;
  std::map<std::string, int64_t> skipped, merged;
  std::vector<std::string> warnings;
  std::optional<int64_t> orders, edges;
  std::optional<std::string> scale;
};

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

CaseFile parse_case(const fs::path& path) {
  CaseFile c;
  c.name = path.stem().string();
  std::ifstream in(path);
  std::string line;
  auto block = [&](bool crlf, bool noeol) {
    std::string text, l;
    bool first = true;
    while (std::getline(in, l) && l != "end") {
      if (!first) text += crlf ? "\r\n" : "\n";
      text += l;
      first = false;
    }
    if (!noeol && !first) text += crlf ? "\r\n" : "\n";
    return text;
  };
  auto count = [](const std::string& rest, std::map<std::string, int64_t>& into) {
    auto eq = rest.rfind('=');
    into[trim(rest.substr(0, eq))] = std::stoll(rest.substr(eq + 1));
  };
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string word;
    ls >> word;
    std::string rest = line.size() > word.size() ? trim(line.substr(word.size())) : "";
    if (word == "name:") c.name = rest;
    else if (word == "checks:" || word == "group:") {
    } else if (word == "option") {
      std::string key, value;
      ls >> key >> value;
      (key == "tz" ? c.tz : c.bucket) = value;
    } else if (word == "file") {
      CaseFile::File f;
      ls >> f.name;
      bool crlf = false, bom = false, noeol = false;
      std::string flag;
      while (ls >> flag) {
        crlf |= flag == "crlf";
        bom |= flag == "bom";
        f.gz |= flag == "gz";
        noeol |= flag == "noeol";
      }
      f.text = (bom ? "\xEF\xBB\xBF" : "") + block(crlf, noeol);
      c.files.push_back(f);
    } else if (word == "strict") {
      if (rest.rfind("error:", 0) == 0) c.strict_error = trim(rest.substr(6));
      else c.strict_ok = true;
    } else if (word == "lenient") {
      if (rest.rfind("skipped:", 0) == 0) count(rest.substr(8), c.skipped);
      else count(rest.substr(7), c.merged);
    } else if (word == "warning:") c.warnings.push_back(rest);
    else if (word == "orders:") c.orders = std::stoll(rest);
    else if (word == "edges:") c.edges = std::stoll(rest);
    else if (word == "scale") c.scale = block(false, false);
    else ADD_FAILURE() << path << ": unknown directive '" << word << "'";
  }
  return c;
}

std::vector<std::string> case_paths() {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(DNTS_CASES_DIR))
    if (e.path().extension() == ".case") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

class IngestCase : public ::testing::TestWithParam<std::string> {};

TEST_P(IngestCase, Holds) {
  CaseFile c = parse_case(GetParam());
  SCOPED_TRACE(c.name);
  test::TempDir dir("case");
  for (const auto& f : c.files) {
    if (f.gz) {
      gzFile gz = gzopen(dir.file(f.name).c_str(), "wb");
      gzwrite(gz, f.text.data(), unsigned(f.text.size()));
      gzclose(gz);
    } else {
      test::write_text(dir.file(f.name), f.text);
    }
  }
  data::IngestOptions opts;
  opts.data_dir = dir.str();
  opts.use_cache = false;
  opts.tz = data::TimeZone::parse(c.tz);
  ASSERT_TRUE(c.strict_error || c.strict_ok) << "a case must say what strict mode does";
  if (c.strict_error) {
    try {
      data::ingest(opts);
      FAIL() << "strict ingest succeeded; expected an error containing: " << *c.strict_error;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(*c.strict_error), std::string::npos)
          << "message: " << e.what() << "\nexpected to contain: " << *c.strict_error;
    }
  }
  bool lenient = !c.skipped.empty() || c.strict_error.has_value();
  if (lenient) opts.mode = data::ErrorMode::kLenient;
  if (!c.strict_ok && c.skipped.empty()) return;  // a fatal error in both modes (e.g. an empty file)
  data::Dataset ds = data::ingest(opts);
  EXPECT_EQ(ds.report.skipped, c.skipped);
  EXPECT_EQ(ds.report.merged, c.merged);
  for (const auto& w : c.warnings) {
    bool found = false;
    for (const auto& got : ds.report.warnings) found |= got.find(w) != std::string::npos;
    EXPECT_TRUE(found) << "no warning containing: " << w;
  }
  if (c.orders) {
    EXPECT_EQ(int64_t(ds.orders.size()), *c.orders);
  }
  if (c.edges) {
    EXPECT_EQ(int64_t(ds.edges.size()), *c.edges);
  }
  if (c.scale) {
    data::TimeAxis axis{data::TimeAxis::parse_width(c.bucket), opts.tz};
    tree::PropagationTable t = tree::build_propagation(ds, axis, 1);
    tree::write_scale_csv(ds, t, dir.file("scale.csv"));
    std::string got = test::read_text(dir.file("scale.csv"));
    got = got.substr(got.find('\n') + 1);
    EXPECT_EQ(got, *c.scale);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, IngestCase, ::testing::ValuesIn(case_paths()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = fs::relative(info.param, DNTS_CASES_DIR).replace_extension().string();
                           for (char& ch : n)
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

}  // namespace

namespace {
data::IngestOptions lenient_uncached(const test::TempDir& dir) {
  data::IngestOptions opts;
  opts.data_dir = dir.str();
  opts.use_cache = false;
  opts.mode = data::ErrorMode::kLenient;
  return opts;
}
}  // namespace

TEST(IngestFailures, LenientWithNoValidOrderIsAnError) {
  test::TempDir dir("all_bad");
  test::write_text(dir.file("orders.csv"), "item,promoter,ts\nA,a,yesterday\nA,b,tomorrow\n");
  data::IngestOptions opts = lenient_uncached(dir);
  try {
    data::ingest(opts);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no valid orders: all 2 rows were skipped"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("unparseable timestamp"), std::string::npos) << e.what();
  }
}

TEST(IngestFailures, TruncatedGzipIsAnErrorNotAShortFile) {
  test::TempDir dir("gz_cut");
  std::string text = "item,promoter,ts\n";
  for (int i = 0; i < 20000; ++i) text += "A,p" + std::to_string(i) + ",2026-01-01\n";
  gzFile gz = gzopen(dir.file("full.gz").c_str(), "wb");
  gzwrite(gz, text.data(), unsigned(text.size()));
  gzclose(gz);
  std::string bytes = test::read_text(dir.file("full.gz"));
  test::write_text(dir.file("orders.csv.gz"), bytes.substr(0, bytes.size() / 2));
  data::IngestOptions opts = lenient_uncached(dir);
  try {
    data::ingest(opts);
    FAIL() << "a truncated gzip file was read as a shorter file";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("truncated or corrupt gzip"), std::string::npos) << e.what();
  }
}

TEST(IngestFailures, RejectedPathsLeaveNoPhantomIds) {
  test::TempDir dir("phantom");
  test::write_text(dir.file("orders.csv"), "item,promoter,ts,amount,path\nA,c,2026-01-01,1,x1/x2/x3\nA,c,2026-01-01,1,\n");
  data::IngestOptions opts = lenient_uncached(dir);
  data::Dataset ds = data::ingest(opts);
  EXPECT_EQ(ds.promoters.size(), 1u);
  EXPECT_EQ(ds.promoters.find("x1"), data::kNoId);
}
