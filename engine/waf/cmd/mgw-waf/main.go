// mgw-waf: the Engine's WAF, an Envoy ext_proc server running Coraza with the embedded OWASP CRS.
//
//	mgw-waf --listen unix:/run/mgw/waf.sock --config /etc/mgw/waf.json --metrics 127.0.0.1:9464
//
// Every flag has an environment variable (MGW_WAF_LISTEN, MGW_WAF_CONFIG, MGW_WAF_METRICS,
// MGW_WAF_RE2). It prints `{"msg":"ready",...}` once it accepts streams.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/grpc"

	"github.com/microgateway/microgateway/engine/waf/internal/config"
	"github.com/microgateway/microgateway/engine/waf/internal/crs"
	"github.com/microgateway/microgateway/engine/waf/internal/engine"
	"github.com/microgateway/microgateway/engine/waf/internal/extproc"
	"github.com/microgateway/microgateway/engine/waf/internal/metrics"
	"github.com/microgateway/microgateway/engine/waf/internal/re2rx"
)

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func main() {
	listen := flag.String("listen", env("MGW_WAF_LISTEN", "unix:/tmp/mgw-waf.sock"), "ext_proc address: unix:<path> or <host>:<port>")
	configPath := flag.String("config", env("MGW_WAF_CONFIG", ""), "policy file (JSON, or YAML by extension); none: one Standard blocking policy")
	metricsAddr := flag.String("metrics", env("MGW_WAF_METRICS", "127.0.0.1:9464"), "host:port of the /metrics endpoint; empty: none")
	useRE2 := flag.Bool("re2", env("MGW_WAF_RE2", "true") == "true", "run @rx with RE2 (wazero) instead of Go regexp")
	profiling := flag.Bool("pprof", env("MGW_WAF_PPROF", "false") == "true", "serve /debug/pprof/ on the metrics address")
	vanilla := flag.Bool("vanilla", env("MGW_WAF_VANILLA", "false") == "true", "benchmark baseline: stock CRS, Go regexp, no pre-filter, response phases (never in production)")
	flag.Parse()
	if *vanilla {
		*useRE2 = false
	}

	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	tuneGC()
	if err := run(log, *listen, *configPath, *metricsAddr, *useRE2, engine.Options{Vanilla: *vanilla}, *profiling); err != nil {
		log.Error("mgw-waf failed", "error", err.Error())
		os.Exit(1)
	}
}

func run(log *slog.Logger, listen, configPath, metricsAddr string, useRE2 bool, opts engine.Options, profiling bool) error {
	start := time.Now()
	cfg := config.Default()
	if configPath != "" {
		var err error
		if cfg, err = config.Load(configPath); err != nil {
			return err
		}
	}
	if useRE2 {
		re2rx.Register()
	}
	catalog, err := crs.LoadCatalog()
	if err != nil {
		return err
	}
	eng, err := engine.New(cfg, catalog, opts)
	if err != nil {
		return err
	}
	m := metrics.New()

	lis, err := listener(listen)
	if err != nil {
		return err
	}
	gs := grpc.NewServer()
	extprocv3.RegisterExternalProcessorServer(gs, &extproc.Server{Engine: eng, Metrics: m, Log: log})

	var metricsServer *http.Server
	if metricsAddr != "" {
		ml, err := net.Listen("tcp", metricsAddr)
		if err != nil {
			return err
		}
		mux := http.NewServeMux()
		mux.Handle("/metrics", m.Handler())
		if profiling {
			mux.HandleFunc("/debug/pprof/", pprof.Index)
			mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		}
		mux.HandleFunc("/ready", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
		metricsServer = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = metricsServer.Serve(ml) }()
		metricsAddr = ml.Addr().String()
	}

	ready, _ := json.Marshal(map[string]any{
		"listen": listen, "metrics": metricsAddr, "policies": config.PolicyNames(cfg), "re2": useRE2, "vanilla": opts.Vanilla,
		"startupMs": time.Since(start).Milliseconds(), "families": catalog.Summary(),
	})
	log.Info("ready", "detail", json.RawMessage(ready))

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- gs.Serve(lis) }()
	select {
	case <-ctx.Done():
	case err := <-errc:
		if err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			return err
		}
	}
	done := make(chan struct{})
	go func() { gs.GracefulStop(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		gs.Stop()
	}
	if metricsServer != nil {
		_ = metricsServer.Close()
	}
	return nil
}

func listener(address string) (net.Listener, error) {
	if path, ok := strings.CutPrefix(address, "unix:"); ok {
		_ = os.Remove(path) // a stale socket of a previous run
		return net.Listen("unix", path)
	}
	if address == "" {
		return nil, fmt.Errorf("empty --listen")
	}
	return net.Listen("tcp", address)
}

// tuneGC trades memory for CPU: a transaction allocates a lot of short-lived garbage (collections,
// transformed values), and the default GOGC=100 spends much CPU collecting it. GOGC=400 with a soft
// memory limit under the Pod's budget keeps RSS bounded. GOGC/GOMEMLIMIT in the environment win.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(160 << 20)
	}
}
