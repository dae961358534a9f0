// `dnts report` in a real browser: a tiny backtest and a trained run rendered by headless Chromium
// (Debian's `chromium`, installed by scripts/install-deps.sh). The page loads without script errors,
// shows the comparison tables with the best value of each column marked, the charts and the tree, and
// references nothing outside itself.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <regex>

#include "support/shell.h"
#include "support/temp_dir.h"

using dnts::test::TempDir;

using Result = dnts::test::ShellResult;
using dnts::test::shell;

TEST(Report, RendersInHeadlessChromiumWithTheBestOfEachColumnMarked) {
  ASSERT_EQ(shell("command -v chromium").code, 0) << "chromium is missing: run scripts/install-deps.sh";
  TempDir dir("report");
  Result r = dnts::test::run_cli("simulate --promoters 120 --items 12 --days 60 --seed 5 -q " + dir.file("data"));
  ASSERT_EQ(r.code, 0) << r.output;
  r = dnts::test::run_cli("backtest --data " + dir.file("data") + " --models zero,last,tsb,dlinear --horizons 3 7 --epochs 1 --seeds 2 --out " +
           dir.file("bt"));
  ASSERT_EQ(r.code, 0) << r.output;
  r = dnts::test::run_cli("train --data " + dir.file("data") + " --model gru --epochs 1 --out " + dir.file("gru"));
  ASSERT_EQ(r.code, 0) << r.output;
  r = dnts::test::run_cli("report " + dir.file("bt") + " " + dir.file("gru") + " --out " + dir.file("report.html"));
  ASSERT_EQ(r.code, 0) << r.output;
  const std::string html = dnts::test::read_text(dir.file("report.html"));
  // Self-contained: no external scripts, styles, images or fonts.
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);

  r = shell("timeout 120 chromium --headless --no-sandbox --disable-gpu --user-data-dir=" + dir.file("chromium") +
         " --dump-dom file://" + dir.file("report.html") + " 2>/dev/null");
  ASSERT_EQ(r.code, 0) << r.output.substr(0, 2000);
  const std::string& dom = r.output;
  EXPECT_NE(dom.find("data-ready=\"1\""), std::string::npos) << "the page's script did not run to its end";
  EXPECT_EQ(dom.find("data-error="), std::string::npos) << "a script error";
  for (const char* id : {"id=\"cmp-1-h3\"", "id=\"cmp-1-h7\"", "id=\"cmp-2-test\"", "id=\"tree\"", "<svg class=\"chart\""})
    EXPECT_NE(dom.find(id), std::string::npos) << id;
  for (const char* model : {">zero<", ">last<", ">tsb<", ">dlinear<", ">gru<"})
    EXPECT_NE(dom.find(model), std::string::npos) << model;

  // The first table: per column, the marked cell holds the best value of the column.
  const size_t a = dom.find("id=\"cmp-1-h7\""), b = dom.find("</table>", a);
  const std::string table = dom.substr(a, b - a);
  std::regex cell("<td data-col=\"([a-z_]+)\" data-value=\"([^\"]*)\"( class=\"best\")?>");
  std::map<std::string, std::vector<std::pair<double, bool>>> cols;
  for (auto it = std::sregex_iterator(table.begin(), table.end(), cell); it != std::sregex_iterator(); ++it) {
    if ((*it)[2].str().empty()) continue;
    cols[(*it)[1].str()].push_back({std::stod((*it)[2].str()), (*it)[3].matched});
  }
  ASSERT_EQ(cols.size(), 16u);
  for (const auto& [col, cells] : cols) {
    ASSERT_EQ(cells.size(), 4u) << col;
    const bool lower = col.rfind("total_", 0) == 0 || col.rfind("cell_", 0) == 0;
    double best = cells[0].first;
    for (const auto& c : cells) best = lower ? std::min(best, c.first) : std::max(best, c.first);
    int marked = 0;
    for (const auto& c : cells) {
      EXPECT_EQ(c.second, c.first == best) << col << " " << c.first;
      marked += c.second;
    }
    EXPECT_GE(marked, 1) << col;
  }
}
