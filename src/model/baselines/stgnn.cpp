// ST-GNN baseline, in the spirit of Graph WaveNet / MTGNN: a temporal convolution per row (the same
// dilated inception module as DNTS's TCM) followed by two graph convolutions over the item's promotion
// links known at the origin (Batch::edge_src/edge_dst, undirected, self-loops, symmetric
// normalisation), mix-hop read-out of [z0, z1, z2] and one linear map to the horizon's y. One stage:
// no hypergraph, no descendant routing, no activation head.
#include "dnts/error.h"
#include "dnts/model/forecaster.h"
#include "dnts/nn/graph_conv.h"
#include "dnts/nn/shape.h"
#include "dnts/nn/temporal_conv.h"

namespace dnts::model {
namespace {

class StGnnImpl : public ForecasterImpl {
 public:
  StGnnImpl(const ModelConfig& m, int64_t in_features, int64_t horizon) : ForecasterImpl("stgnn"), features_(in_features) {
    const int64_t D = m.embed_dim;
    tcm_ = register_module("tcm", nn::TemporalConv(nn::TemporalConvOptions(in_features, m.channels, D)
                                                       .kernels(m.kernels)
                                                       .layers(m.tcm_layers)
                                                       .dropout(m.dropout)));
    gcn1_ = register_module("gcn1", torch::nn::Linear(D, D));
    gcn2_ = register_module("gcn2", torch::nn::Linear(D, D));
    head_ = register_module("head", torch::nn::Linear(3 * D, horizon));
    torch::NoGradGuard no_grad;
    head_->bias.fill_(-3.0);
  }
  ForecastOutput forward(const Batch& b, double) override {
    DNTS_CHECK(b.x.dim() == 3 && b.x.size(2) == features_, ShapeError, "stgnn: x must be [N, L, F={}], got {}",
               features_, nn::shape_str(b.x));
    torch::Tensor z0 = tcm_->forward(b.x);
    torch::Tensor z1 = torch::relu(nn::normalized_propagate(gcn1_->forward(z0), b.edge_src, b.edge_dst));
    torch::Tensor z2 = torch::relu(nn::normalized_propagate(gcn2_->forward(z1), b.edge_src, b.edge_dst));
    ForecastOutput out;
    out.y_hat = log_link(head_->forward(torch::cat({z0, z1, z2}, 1)));
    out.p_active = torch::ones_like(out.y_hat);
    return out;
  }

 private:
  int64_t features_;
  nn::TemporalConv tcm_{nullptr};
  torch::nn::Linear gcn1_{nullptr}, gcn2_{nullptr}, head_{nullptr};
};

}  // namespace

Forecaster make_stgnn(const RunConfig& cfg, int64_t f, int64_t h) { return std::make_shared<StGnnImpl>(cfg.model, f, h); }

}  // namespace dnts::model
