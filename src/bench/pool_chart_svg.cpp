#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "pgstack/bench/pool_report.h"

namespace pgstack::bench {
namespace {

constexpr double kWidth = 1160, kHeight = 460;
constexpr double kPanelWidth = 310, kPanelHeight = 280;
// Each panel leaves room on its right for the line labels (up to about 160px).
constexpr double kTop = 90, kLeft[2] = {80, 650};
constexpr double kLabelGap = 13;  // least vertical distance between two line labels

struct Series {
  EndpointKind endpoint;
  ConnMode mode;
  std::vector<const PointResult*> points;  // by rising clients
  std::string color() const { return endpoint == EndpointKind::kDirect ? "#c2410c" : "#1d4ed8"; }
  std::string dash() const {
    return mode == ConnMode::kPersistent ? "" : " stroke-dasharray=\"6 4\"";
  }
  std::string label() const { return fmt::format("{} {}", Name(endpoint), Name(mode)); }
};

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// A value axis: linear from 0 with round steps, or logarithmic (ticks at 1, 2, 5 times powers of
// ten) when the values span more than kLogSpan, so that per-transaction figures stay readable
// next to persistent ones.
constexpr double kLogSpan = 30;

struct Axis {
  bool log = false;
  double lo = 0, hi = 1;
  std::vector<double> ticks;
  // 0 at the bottom of the panel, 1 at the top.
  double Fraction(double v) const {
    if (!log) return v / hi;
    v = std::clamp(v, lo, hi);
    return (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo));
  }
};

Axis MakeAxis(double min_positive, double max) {
  Axis a;
  if (max <= 0) {
    a.ticks = {0, 0.25, 0.5, 0.75, 1};
    return a;
  }
  if (min_positive > 0 && max / min_positive > kLogSpan) {
    a.log = true;
    a.lo = std::pow(10, std::floor(std::log10(min_positive)));
    a.hi = std::pow(10, std::ceil(std::log10(max)));
    for (double decade = a.lo; decade < a.hi * 1.001; decade *= 10) {
      for (double m : {1.0, 2.0, 5.0}) {
        if (decade * m <= a.hi * 1.001) a.ticks.push_back(decade * m);
      }
    }
    return a;
  }
  double raw = max / 5;
  double p = std::pow(10, std::floor(std::log10(raw)));
  double step = raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
  a.hi = std::ceil(max / step) * step;
  for (double v = 0; v <= a.hi + step / 2; v += step) a.ticks.push_back(v);
  return a;
}

std::string Number(double v) {
  if (v >= 1000) return fmt::format("{:g}k", v / 1000);
  return fmt::format("{:g}", v);
}

double Tps(const PointResult& p) {
  return p.load.measured_s > 0 ? p.load.transactions / p.load.measured_s : 0;
}
double P99(const PointResult& p) { return Ms(p.load.latency.Percentile(99)); }

void Panel(std::string& svg, int index, const std::string& title, const std::string& unit,
           const std::vector<Series>& series, const std::vector<int>& clients,
           double (*value)(const PointResult&)) {
  double left = kLeft[index];
  double max = 0, min_positive = 0;
  for (const auto& s : series) {
    for (const auto* p : s.points) {
      double v = value(*p);
      max = std::max(max, v);
      if (v > 0 && (min_positive == 0 || v < min_positive)) min_positive = v;
    }
  }
  Axis axis = MakeAxis(min_positive, max);
  auto x_of = [&](int c) {
    size_t i = std::find(clients.begin(), clients.end(), c) - clients.begin();
    return clients.size() == 1 ? left + kPanelWidth / 2
                               : left + kPanelWidth * static_cast<double>(i) / (clients.size() - 1);
  };
  auto y_of = [&](double v) { return kTop + kPanelHeight * (1 - axis.Fraction(v)); };

  svg += fmt::format("<text x=\"{}\" y=\"{}\" class=\"title\">{}{}</text>\n", left, kTop - 22,
                     Escape(title), axis.log ? " (log scale)" : "");
  for (double v : axis.ticks) {
    svg += fmt::format(
        "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" class=\"grid\"/>"
        "<text x=\"{3}\" y=\"{4:.1f}\" class=\"tick\" text-anchor=\"end\">{5}</text>\n",
        left, left + kPanelWidth, y_of(v), left - 8, y_of(v) + 4, Number(v));
  }
  for (int c : clients) {
    svg +=
        fmt::format("<text x=\"{:.1f}\" y=\"{}\" class=\"tick\" text-anchor=\"middle\">{}</text>\n",
                    x_of(c), kTop + kPanelHeight + 18, c);
  }
  svg += fmt::format(
      "<text x=\"{:.1f}\" y=\"{}\" class=\"axis\" text-anchor=\"middle\">clients</text>\n"
      "<text x=\"{}\" y=\"{}\" class=\"axis\" text-anchor=\"middle\" "
      "transform=\"rotate(-90 {} {})\">{}</text>\n",
      left + kPanelWidth / 2, kTop + kPanelHeight + 38, left - 55, kTop + kPanelHeight / 2,
      left - 55, kTop + kPanelHeight / 2, Escape(unit));

  // Lines, points (a cross where clients got errors), then labels at the right end of each
  // line, nudged apart so that none overlap.
  std::vector<std::pair<double, const Series*>> labels;
  for (const auto& s : series) {
    std::string path;
    for (const auto* p : s.points) {
      path += fmt::format("{}{:.1f},{:.1f}", path.empty() ? "M" : " L", x_of(p->point.clients),
                          y_of(value(*p)));
    }
    svg += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2.5\"{}/>\n",
                       path, s.color(), s.dash());
    for (const auto* p : s.points) {
      double x = x_of(p->point.clients), y = y_of(value(*p));
      if (p->load.errors.empty()) {
        svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"{}\"/>\n", x, y,
                           s.color());
      } else {
        svg += fmt::format(
            "<path d=\"M{0:.1f},{1:.1f} l8,8 m0,-8 l-8,8\" stroke=\"{2}\" stroke-width=\"2.5\"/>\n",
            x - 4, y - 4, s.color());
      }
    }
    if (!s.points.empty()) labels.emplace_back(y_of(value(*s.points.back())), &s);
  }
  std::sort(labels.begin(), labels.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 1; i < labels.size(); ++i) {
    labels[i].first = std::max(labels[i].first, labels[i - 1].first + kLabelGap);
  }
  // Pushed below the panel's bottom: shift back up, keeping the gaps.
  double bottom = kTop + kPanelHeight;
  for (size_t i = labels.size(); i-- > 0;) {
    labels[i].first = std::min(labels[i].first, bottom);
    bottom = labels[i].first - kLabelGap;
  }
  for (const auto& [y, s] : labels) {
    svg += fmt::format("<text x=\"{}\" y=\"{:.1f}\" class=\"label\" fill=\"{}\">{}</text>\n",
                       left + kPanelWidth + 8, y + 4, s->color(), Escape(s->label()));
  }
}

}  // namespace

std::string PoolChartSvg(const PoolReport& r) {
  std::vector<Series> series;
  std::set<int> client_set;
  for (const auto& p : r.results) {
    client_set.insert(p.point.clients);
    auto it = std::find_if(series.begin(), series.end(), [&](const Series& s) {
      return s.endpoint == p.point.endpoint && s.mode == p.point.mode;
    });
    if (it == series.end()) {
      series.push_back({p.point.endpoint, p.point.mode, {}});
      it = series.end() - 1;
    }
    it->points.push_back(&p);
  }
  for (auto& s : series) {
    std::sort(s.points.begin(), s.points.end(),
              [](auto* a, auto* b) { return a->point.clients < b->point.clients; });
  }
  std::vector<int> clients(client_set.begin(), client_set.end());

  std::string svg = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"Helvetica, Arial, sans-serif\">\n"
      "<style>.title{{font-size:16px;font-weight:bold}} .tick{{font-size:12px;fill:#444}} "
      ".axis{{font-size:13px;fill:#222}} .label{{font-size:12px;font-weight:bold}} "
      ".grid{{stroke:#ddd;stroke-width:1}} .note{{font-size:12px;fill:#444}}</style>\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"20\" y=\"24\" style=\"font-size:18px;font-weight:bold\">pgstack bench pool: {2} "
      "workload, PostgreSQL {3}, direct against PgBouncer</text>\n",
      kWidth, kHeight, Escape(std::string(Name(r.workload))), Escape(r.server.version));
  Panel(svg, 0, "Throughput (higher is better)", "transactions per second", series, clients, &Tps);
  Panel(svg, 1, "p99 latency (lower is better)", "p99 latency, ms", series, clients, &P99);
  svg += fmt::format(
      "<text x=\"20\" y=\"{}\" class=\"note\">Solid: persistent connections; dashed: a new "
      "connection per transaction. A cross marks a point where clients got errors (beyond "
      "max_connections or max_client_conn: refused, 53300).</text>\n",
      kHeight - 14);
  svg += "</svg>\n";
  return svg;
}

}  // namespace pgstack::bench
