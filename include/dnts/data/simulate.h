// Built-in affiliate-platform simulator: writes a DATA.md dataset folder (orders.csv, edges.csv)
// with item life cycles, heavy-tailed promoters and items, preferential-attachment share trees,
// weekly seasonality, campaign days and intermittent daily sales. Deterministic for a seed and
// independent of the thread count; streams items to disk, so it scales to 10 M+ orders.
// The generative model and every knob are described in docs/simulator.md.
#pragma once

#include <cstdint>
#include <string>

namespace dnts::data {

/// What the `amount` column holds.
enum class SimAmount {
  kQuantity,  ///< units bought: 1 + Poisson(quantity_extra_mean)
  kGmv,       ///< quantity x the item's price (2 decimals), discounted on campaign days
};

/// Every knob of the simulator. A knob left at 0 where "0 = auto" is documented is derived from the
/// sizes (promoters, items, days), so the defaults stay sensible from a few hundred promoters to
/// Alimama scale (100 k promoters, 2 k items, 120 days: 10 M+ orders).
///
/// Example:
///   dnts::data::SimulateOptions o;
///   o.promoters = 2000; o.items = 100; o.days = 60; o.seed = 7; o.path_mode = true;
///   auto report = dnts::data::simulate(o, "/tmp/sim");
struct SimulateOptions {
  // ---- sizes and output
  /// Number of promoters on the platform (ids p000000 ...). >= 1.
  int64_t promoters = 300;
  /// Number of items (ids i0000 ...). >= 1.
  int64_t items = 40;
  /// Length of the observation window in days; orders fall in [start, start + days). >= 1.
  int32_t days = 90;
  /// Seed: same seed and knobs give byte-identical files.
  uint64_t seed = 1;
  /// First day of the window, YYYY-MM-DD (timestamps are UTC).
  std::string start = "2026-01-01";
  /// Write an explicit `path` column; some promoters then reach an item through a second upstream
  /// (DAG case of METHOD.md §2).
  bool path_mode = false;
  /// Write orders.csv.gz / edges.csv.gz instead of plain CSV.
  bool gzip = false;
  /// Generator threads (0 = all hardware threads). The output does not depend on it.
  int32_t threads = 0;
  /// Print a progress line (rate, ETA) on stderr.
  bool progress = true;
  /// Replace an existing dataset (orders/edges files) in the output folder; without it, simulate()
  /// refuses to touch a folder that already holds one.
  bool overwrite = false;

  // ---- promoters
  /// Pareto tail index of promoter activity weights w ~ Pareto(alpha, 1): a promoter joins items with
  /// probability proportional to w. Smaller = heavier tail. > 0.
  double promoter_pareto_alpha = 1.5;
  /// Sales multiplier of a promoter = w^exponent, normalised to mean 1 over promoters. >= 0.
  double promoter_sales_exponent = 0.5;
  /// Share of promoters who onboard during the window (uniform day) instead of before it; they can
  /// only join items from that day on. In [0, 1].
  double promoter_newcomer_fraction = 0.3;
  /// Days over which a promoter's interest in an item fades after joining it (rate x
  /// exp(-days since join / fatigue)); 0 = no fatigue. >= 0.
  double promoter_fatigue_days = 60.0;
  /// Gamma shape of the per-(item, promoter) affinity multiplier (mean 1); 0 = all equal. >= 0.
  double pair_affinity_shape = 1.0;

  // ---- items
  /// Log-scale sigma of item popularity (lognormal, mean 1): scales tree size and conversion. >= 0.
  double item_popularity_sigma = 1.0;
  /// Exponent of popularity in the per-promoter conversion rate (tree size gets exponent 1). >= 0.
  double item_conversion_exponent = 0.3;
  /// Share of items launched before the window (their trees already exist at the start). In [0, 1].
  double prelaunch_fraction = 0.25;
  /// Earliest launch, in days before the window, of pre-window items. >= 0.
  int32_t prelaunch_max_days = 60;
  /// Median days of an item's linear rise to its peak (lognormal, sigma lifecycle_sigma). > 0.
  double rise_days = 5.0;
  /// Median e-folding time in days of the decay after the peak (lognormal). > 0.
  double decay_days = 30.0;
  /// Log-scale sigma of the rise and decay durations across items. >= 0.
  double lifecycle_sigma = 0.5;

  // ---- share trees
  /// Mean number of promoters who join an item over its whole life cycle; 0 = auto
  /// (30 + 4 sqrt(promoters)). Each item's size is this times its popularity, at most
  /// max_tree_fraction x promoters. >= 0.
  double tree_size = 0.0;
  /// Cap on one item's tree size as a share of all promoters. In (0, 1].
  double max_tree_fraction = 0.5;
  /// Probability a joiner attaches to the item's root (empty parent) instead of preferential
  /// attachment to an existing node (parent chosen proportionally to children + 1). In [0, 1].
  double root_attach_prob = 0.25;

  // ---- sales
  /// Expected orders per day of an average (item, promoter) pair at the item's peak, before
  /// seasonality, fatigue and multipliers. >= 0.
  double sales_rate = 1.0;
  /// Gamma shape of the day-to-day noise of a pair's rate (daily counts are negative binomial,
  /// variance m + m^2/shape); 0 = plain Poisson. >= 0.
  double sales_dispersion = 0.5;
  /// Day-of-week amplitude: rate x (1 + amplitude x pattern[weekday]), pattern in [-1, 1], with
  /// weekend highs and Monday/Tuesday lows. In [0, 1).
  double weekly_amplitude = 0.25;
  /// Platform campaign (spike) days in the window; -1 = auto (max(1, days / 30)). >= -1.
  int32_t campaign_days = -1;
  /// Sales multiplier on a campaign day (the day before gets 1 + (boost - 1) / 4; joins get sqrt).
  /// >= 1.
  double campaign_boost = 4.0;

  // ---- amounts
  /// What `amount` holds: quantity (default) or GMV.
  SimAmount amount = SimAmount::kQuantity;
  /// Quantity of an order = 1 + Poisson(this). >= 0.
  double quantity_extra_mean = 0.25;
  /// Median item price for GMV (lognormal across items). > 0.
  double price_median = 39.9;
  /// Log-scale sigma of item prices. >= 0.
  double price_sigma = 0.8;
  /// Price discount on campaign days in GMV mode. In [0, 1).
  double campaign_discount = 0.2;

  // ---- path mode (DAG)
  /// Path mode: probability that a joiner also has an alternative upstream (another node existing
  /// when it joins, not its parent). In [0, 1].
  double alt_upstream_prob = 0.3;
  /// Path mode: probability that an order of a promoter with an alternative upstream goes through it
  /// (path = that node's chain / promoter). In [0, 1].
  double reroute_prob = 0.3;

  // ---- edges
  /// Edges made before the window (items launched before it) are written at the window start,
  /// 00:00:00Z, as a snapshot of the trees that already exist, so the dataset spans exactly `days`
  /// days. false = keep their true pre-window timestamps (the time axis then starts up to
  /// prelaunch_max_days earlier, with no orders there).
  bool clip_edges_to_window = true;

  /// Throws ConfigError listing every invalid knob.
  void validate() const;
  /// Tree size after resolving auto (0).
  double resolved_tree_size() const;
  /// Campaign day count after resolving auto (-1).
  int32_t resolved_campaign_days() const;
};

/// What simulate() wrote.
struct SimulateReport {
  int64_t orders = 0;            ///< rows of orders.csv
  int64_t edges = 0;             ///< rows of edges.csv
  int64_t items = 0;             ///< items written (all of them, each has a tree)
  int64_t promoters_active = 0;  ///< distinct promoters in at least one item's tree
  int64_t promoters_selling = 0; ///< distinct promoters with at least one order
  int64_t rerouted_orders = 0;   ///< path mode: orders whose path uses an alternative upstream
  double total_amount = 0.0;     ///< sum of the amount column
  double seconds = 0.0;          ///< wall time
  std::string orders_path;       ///< file written
  std::string edges_path;        ///< file written
};

/// Simulates a platform and writes `out_dir`/orders.csv[.gz], edges.csv[.gz] and simulate.json (the
/// resolved knobs). Creates `out_dir`; removes a stale orders/edges file of the other compression.
/// Throws ConfigError on invalid options, IoError on file-system failures.
SimulateReport simulate(const SimulateOptions& options, const std::string& out_dir);

}  // namespace dnts::data
