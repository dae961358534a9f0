// `dnts convert`: turns a public propagation data set into a DNTS dataset folder (orders.csv, edges.csv).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "commands.h"
#include "dnts/data/convert.h"

namespace dnts::cli {
namespace {

// 1275180 -> "1,275,180"
std::string group(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return v < 0 ? "-" + out : out;
}

void print_report(const std::string& what, const data::ConvertReport& r, double seconds, const std::string& out) {
  std::printf("%s", fmt::format("{} -> {} ({:.1f} s)\n", what, out, seconds).c_str());
  std::printf("%s", fmt::format("  items  : {:>12}\n", group(r.items)).c_str());
  std::printf("%s", fmt::format("  orders : {:>12}  (orders.csv)\n", group(r.orders)).c_str());
  std::printf("%s", fmt::format("  edges  : {:>12}  (edges.csv)\n", group(r.edges)).c_str());
  for (const auto& [name, n] : r.counts) std::printf("%s", fmt::format("  {:>12}  {}\n", group(n), name).c_str());
  for (const auto& note : r.notes) std::printf("%s", fmt::format("  note: {}\n", note).c_str());
  std::fflush(stdout);
}

}  // namespace

void add_convert(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("convert", "Convert a public data set into a DNTS dataset folder (orders.csv, edges.csv)");
  cmd->require_subcommand(1);

  struct Args {
    std::string input, out;
  };
  auto ced = std::make_shared<Args>();
  auto* c1 = cmd->add_subcommand(
      "ced-weibo",
      "CED Weibo repost/comment trees: item = root post, promoter = user, one order per repost/comment");
  c1->add_option("input", ced->input, "CED_Dataset.tar.xz (streamed) or its unpacked directory")
      ->required()
      ->check(CLI::ExistingPath);
  c1->add_option("out-dir", ced->out, "output folder (created; orders.csv and edges.csv are overwritten)")
      ->required();
  c1->callback([ced, &action] {
    action = [ced] {
      auto t0 = std::chrono::steady_clock::now();
      auto r = data::convert_ced_weibo(ced->input, ced->out);
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      print_report("ced-weibo " + ced->input, r, s, ced->out);
      return 0;
    };
  });

  auto ds4c = std::make_shared<Args>();
  auto* c2 = cmd->add_subcommand(
      "ds4c", "DS4C Korea PatientInfo.csv: item = infection_case, promoter = patient, edge = infected_by");
  c2->add_option("input", ds4c->input, "PatientInfo.csv (or .csv.gz)")->required()->check(CLI::ExistingFile);
  c2->add_option("out-dir", ds4c->out, "output folder (created; orders.csv and edges.csv are overwritten)")
      ->required();
  c2->callback([ds4c, &action] {
    action = [ds4c] {
      auto t0 = std::chrono::steady_clock::now();
      auto r = data::convert_ds4c(ds4c->input, ds4c->out);
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      print_report("ds4c " + ds4c->input, r, s, ds4c->out);
      return 0;
    };
  });
}

}  // namespace dnts::cli
