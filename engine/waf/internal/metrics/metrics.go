// Package metrics holds the WAF's Prometheus counters, served on /metrics.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the process's counters. Labels stay bounded: routes are configured, families are
// a fixed list, actions are "blocked" or "logged".
type Metrics struct {
	registry *prometheus.Registry
	Requests *prometheus.CounterVec
	Threats  *prometheus.CounterVec
	Inspect  prometheus.Histogram
	Errors   *prometheus.CounterVec
}

func New() *Metrics {
	r := prometheus.NewRegistry()
	m := &Metrics{
		registry: r,
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mgw_waf_requests_total", Help: "Requests inspected, by route and policy.",
		}, []string{"route", "policy"}),
		Threats: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mgw_waf_threats_total", Help: "Requests the rules flagged, by route, rule family and action (blocked or logged).",
		}, []string{"route", "family", "action"}),
		Inspect: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "mgw_waf_inspection_seconds", Help: "Time in the rule engine per request (all phases).",
			Buckets: []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1},
		}),
		Errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mgw_waf_stream_errors_total", Help: "ext_proc streams that ended in an error, by reason.",
		}, []string{"reason"}),
	}
	r.MustRegister(m.Requests, m.Threats, m.Inspect, m.Errors, prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

// Handler serves the exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}
