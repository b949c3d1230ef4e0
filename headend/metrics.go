package headend

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus metrics, in a registry of its own.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	handler  http.Handler
}

func newMetrics(s *Server) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "manbang_headend_requests_total",
			Help: "HTTP requests answered, by route and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "manbang_headend_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"route"}),
	}
	sessions := prometheus.NewDesc("manbang_headend_sessions", "Play sessions open, by kind (hls, rtp, udp, rtp-unicast).", []string{"kind"}, nil)
	m.reg.MustRegister(
		m.requests, m.latency,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectorFunc{sessions, func(ch chan<- prometheus.Metric) {
			n := s.sessions.count()
			for _, kind := range []string{"hls", "rtp", "udp", "rtp-unicast"} {
				ch <- prometheus.MustNewConstMetric(sessions, prometheus.GaugeValue, float64(n[kind]), kind)
			}
		}},
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "manbang_headend_devices",
			Help: "Boxes registered.",
		}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			n, err := s.devices.Count(ctx)
			if err != nil {
				return -1
			}
			return float64(n)
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "manbang_headend_titles", Help: "Titles in the catalogue."},
			func() float64 { return float64(s.store.Len()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "manbang_headend_channels", Help: "Live channels in the catalogue."},
			func() float64 { return float64(s.store.ChannelCount()) }),
	)
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return m
}

// observe counts a request answered with status in took.
func (m *metrics) observe(r *http.Request, status int, took time.Duration) {
	route := r.Pattern
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(took.Seconds())
}

func (s *Server) getMetrics(w http.ResponseWriter, r *http.Request) {
	s.metrics.handler.ServeHTTP(w, r)
}

// collectorFunc is a prometheus.Collector of one metric computed at each
// scrape.
type collectorFunc struct {
	desc    *prometheus.Desc
	collect func(chan<- prometheus.Metric)
}

func (c collectorFunc) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }
func (c collectorFunc) Collect(ch chan<- prometheus.Metric) { c.collect(ch) }
