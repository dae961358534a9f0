// The CLI as a user runs it: exit codes, messages on stderr, files written.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>

#include "support/temp_dir.h"

using dnts::test::TempDir;

namespace {

struct Result {
  int code;
  std::string output;
};

Result run(const std::string& args) {
  std::string cmd = std::string(DNTS_CLI_PATH) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace

TEST(Cli, ScaleWritesTheMetric) {
  TempDir dir("cli");
  dnts::test::write_text(dir.file("data/orders.csv"),
                         "item,promoter,ts,amount\nA,b,2026-01-02T10:00:00Z,2\nA,a,2026-01-02T11:00:00Z,1\n");
  dnts::test::write_text(dir.file("data/edges.csv"), "item,parent,child,ts\nA,,a,2026-01-01\nA,a,b,2026-01-01\n");
  Result r = run("scale " + dir.file("data") + " --out " + dir.file("scale.csv"));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(dnts::test::read_text(dir.file("scale.csv")),
            "item,promoter,day,self_sales,propagation_scale\n"
            "A,a,2026-01-02,1,3\nA,b,2026-01-02,2,2\n*,b,2026-01-02,2,2\n*,a,2026-01-02,1,3\n");
  // Hourly buckets label bucket starts as ISO date-times.
  r = run("scale " + dir.file("data") + " --bucket 1h --tz +08:00 --out " + dir.file("scale_h.csv"));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(dnts::test::read_text(dir.file("scale_h.csv")).find("A,b,2026-01-02T18:00:00+08:00,2,2"),
            std::string::npos);
}

TEST(Cli, BadInputExitsWithCode3AndNamesTheRow) {
  TempDir dir("cli_bad");
  dnts::test::write_text(dir.file("orders.csv"), "item,promoter,ts,amount\nA,a,2026-01-02,-1\n");
  Result r = run("scale " + dir.str() + " --out " + dir.file("s.csv"));
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_NE(r.output.find("orders.csv:2: column 'amount': -1 is negative"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("s.csv")));
  // Lenient mode skips and reports the count by reason.
  dnts::test::write_text(dir.file("orders.csv"), "item,promoter,ts,amount\nA,a,2026-01-02,-1\nA,a,2026-01-02,1\n");
  r = run("scale " + dir.str() + " --lenient --no-cache --out " + dir.file("s.csv"));
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("skipped         1 rows: negative amount"), std::string::npos) << r.output;
}

TEST(Cli, BadOptionsExitWithCode2) {
  TempDir dir("cli_opt");
  dnts::test::write_text(dir.file("orders.csv"), "item,promoter,ts\nA,a,2026-01-02\n");
  Result r = run("scale " + dir.str() + " --bucket 5h --out " + dir.file("s.csv"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("--bucket '5h'"), std::string::npos) << r.output;
  r = run("scale " + dir.str() + " --tz Mars/Olympus --out " + dir.file("s.csv"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_EQ(run("no-such-command").code, 2);
}

TEST(Cli, RunOnTheBuiltInDataWritesTheRunFolder) {
  TempDir dir("cli_run");
  Result r = run("run --out " + dir.file("run"));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(std::filesystem::exists(dir.file("run/scale.csv")));
  EXPECT_TRUE(std::filesystem::exists(dir.file("run/stats.json")));
  EXPECT_NE(r.output.find("top 10 promoters by propagation scale"), std::string::npos) << r.output;
}
