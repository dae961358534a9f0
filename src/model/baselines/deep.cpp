// Deep one-stage baselines: each maps a row's L-bucket features (the same Batch::x as DNTS) to the
// horizon's y directly, through the same log link and trained with the same one-stage loss (main +
// λ_t horizon total), the same optimiser, schedule and early stopping. They differ only in the encoder:
//   tcn    - dilated causal convolutions (Bai et al. 2018), one kernel width, dilations 1, 2, 4, ...
//   gru    - a GRU over the window, last hidden state (Cho et al. 2014)
//   lstm   - the same with an LSTM (Hochreiter & Schmidhuber 1997)
//   dlinear- DLinear (Zeng et al., AAAI 2023): the log1p(y) series split into a moving-average trend
//            and a remainder, one linear map L -> H each; univariate, no other features
// Sizes come from model.channels / model.embed_dim / model.tcm_layers / model.dropout.
#include "dnts/error.h"
#include "dnts/model/forecaster.h"
#include "dnts/model/subtable.h"
#include "dnts/nn/shape.h"
#include "dnts/nn/temporal_conv.h"

namespace dnts::model {
namespace {

ForecastOutput direct_output(const torch::Tensor& eta) {
  ForecastOutput out;
  out.y_hat = log_link(eta);
  out.p_active = torch::ones_like(out.y_hat);
  return out;
}

/// A readout Linear(D, H) started near "almost no sales" (sparse targets), like DNTS's heads.
torch::nn::Linear sparse_head(int64_t in, int64_t horizon) {
  torch::nn::Linear head(in, horizon);
  torch::NoGradGuard no_grad;
  head->bias.fill_(-3.0);
  return head;
}

void check_x(const torch::Tensor& x, int64_t features, const char* who) {
  DNTS_CHECK(x.dim() == 3 && x.size(2) == features, ShapeError, "{}: x must be [N, L, F={}], got {}", who, features,
             nn::shape_str(x));
}

class TcnImpl : public ForecasterImpl {
 public:
  TcnImpl(const ModelConfig& m, int64_t in_features, int64_t horizon) : ForecasterImpl("tcn"), features_(in_features) {
    tcn_ = register_module("tcn", nn::TemporalConv(nn::TemporalConvOptions(in_features, m.channels, m.embed_dim)
                                                       .kernels({3})
                                                       .layers(std::max<int64_t>(m.tcm_layers, 3))
                                                       .dropout(m.dropout)));
    head_ = register_module("head", sparse_head(m.embed_dim, horizon));
  }
  ForecastOutput forward(const Batch& b, double) override {
    check_x(b.x, features_, "tcn");
    return direct_output(head_->forward(torch::relu(tcn_->forward(b.x))));
  }

 private:
  int64_t features_;
  nn::TemporalConv tcn_{nullptr};
  torch::nn::Linear head_{nullptr};
};

class RnnImpl : public ForecasterImpl {
 public:
  RnnImpl(const ModelConfig& m, int64_t in_features, int64_t horizon, bool lstm)
      : ForecasterImpl(lstm ? "lstm" : "gru"), features_(in_features), lstm_mode_(lstm) {
    if (lstm) {
      lstm_ = register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(in_features, m.embed_dim).batch_first(true)));
    } else {
      gru_ = register_module("gru", torch::nn::GRU(torch::nn::GRUOptions(in_features, m.embed_dim).batch_first(true)));
    }
    drop_ = register_module("drop", torch::nn::Dropout(m.dropout));
    head_ = register_module("head", sparse_head(m.embed_dim, horizon));
  }
  ForecastOutput forward(const Batch& b, double) override {
    check_x(b.x, features_, kind().c_str());
    torch::Tensor seq = lstm_mode_ ? std::get<0>(lstm_->forward(b.x)) : std::get<0>(gru_->forward(b.x));  // [N, L, D]
    torch::Tensor last = seq.select(1, seq.size(1) - 1);
    return direct_output(head_->forward(drop_->forward(last)));
  }

 private:
  int64_t features_;
  bool lstm_mode_;
  torch::nn::GRU gru_{nullptr};
  torch::nn::LSTM lstm_{nullptr};
  torch::nn::Dropout drop_{nullptr};
  torch::nn::Linear head_{nullptr};
};

class DLinearImpl : public ForecasterImpl {
 public:
  DLinearImpl(const RunConfig& cfg, int64_t horizon) : ForecasterImpl("dlinear") {
    const int64_t L = cfg.data.window;
    // DLinear's moving-average kernel is 25; an odd width that fits the window.
    kernel_ = std::min<int64_t>(25, L % 2 == 1 ? L : L - 1);
    kernel_ = std::max<int64_t>(kernel_, 1);
    trend_ = register_module("trend", torch::nn::Linear(L, horizon));
    remainder_ = register_module("remainder", torch::nn::Linear(L, horizon));
    torch::NoGradGuard no_grad;
    trend_->bias.fill_(-3.0);
    remainder_->bias.zero_();
  }
  ForecastOutput forward(const Batch& b, double) override {
    torch::Tensor series = b.x.select(2, kLogScale);  // [N, L] log1p(y)
    const int64_t pad = (kernel_ - 1) / 2, L = series.size(1);
    // Replicate-pad both ends, then a centred moving average (DLinear's series_decomp).
    torch::Tensor padded = torch::cat({series.narrow(1, 0, 1).expand({series.size(0), pad}), series,
                                       series.narrow(1, L - 1, 1).expand({series.size(0), pad})},
                                      1);
    torch::Tensor trend = torch::avg_pool1d(padded.unsqueeze(1), {kernel_}, {1}).squeeze(1);
    return direct_output(trend_->forward(trend) + remainder_->forward(series - trend));
  }

 private:
  int64_t kernel_ = 1;
  torch::nn::Linear trend_{nullptr}, remainder_{nullptr};
};

}  // namespace

Forecaster make_tcn(const RunConfig& cfg, int64_t f, int64_t h) { return std::make_shared<TcnImpl>(cfg.model, f, h); }
Forecaster make_gru(const RunConfig& cfg, int64_t f, int64_t h) { return std::make_shared<RnnImpl>(cfg.model, f, h, false); }
Forecaster make_lstm(const RunConfig& cfg, int64_t f, int64_t h) { return std::make_shared<RnnImpl>(cfg.model, f, h, true); }
Forecaster make_dlinear(const RunConfig& cfg, int64_t, int64_t h) { return std::make_shared<DLinearImpl>(cfg, h); }

}  // namespace dnts::model
