// load: a closed-loop HTTP/1.1 load generator for the WAF benchmark (test/src/bench/waf.bench.ts),
// since no wrk/hey/oha is installed. N connections, each sending its next request as soon as the
// previous answer arrived, for a duration after a warm-up; prints one JSON object.
//
//	load -url http://127.0.0.1:10000/waf/x -c 16 -d 5s [-method POST -body-file b.json -header 'content-type: application/json']
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

type headers []string

func (h *headers) String() string     { return strings.Join(*h, ", ") }
func (h *headers) Set(v string) error { *h = append(*h, v); return nil }

type result struct {
	Requests    int     `json:"requests"`
	Sent        int     `json:"sent"` // warm-up included`
	Seconds     float64 `json:"seconds"`
	RPS         float64 `json:"rps"`
	P50us       float64 `json:"p50us"`
	P99us       float64 `json:"p99us"`
	MaxUs       float64 `json:"maxUs"`
	Errors      int     `json:"errors"`
	Unexpected  int     `json:"unexpectedStatus"`
	Connections int     `json:"connections"`
}

func main() {
	url := flag.String("url", "", "target URL")
	method := flag.String("method", "GET", "HTTP method")
	bodyFile := flag.String("body-file", "", "request body file")
	conns := flag.Int("c", 1, "connections (each one request in flight)")
	duration := flag.Duration("d", 5*time.Second, "measured duration")
	warmup := flag.Duration("warmup", time.Second, "unmeasured warm-up")
	status := flag.Int("status", 200, "expected status")
	var hdrs headers
	flag.Var(&hdrs, "header", "'name: value' (repeatable)")
	flag.Parse()

	var body []byte
	if *bodyFile != "" {
		var err error
		if body, err = os.ReadFile(*bodyFile); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	start := time.Now()
	measureFrom := start.Add(*warmup)
	end := measureFrom.Add(*duration)
	lat := make([][]time.Duration, *conns)
	errs := make([]int, *conns)
	sent := make([]int, *conns)
	bad := make([]int, *conns)
	var wg sync.WaitGroup
	for i := 0; i < *conns; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// One transport per worker: exactly one keep-alive connection each.
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1, DisableCompression: true}}
			for {
				t0 := time.Now()
				if t0.After(end) {
					return
				}
				req, _ := http.NewRequest(*method, *url, bytes.NewReader(body))
				for _, h := range hdrs {
					name, value, _ := strings.Cut(h, ":")
					req.Header.Set(strings.TrimSpace(name), strings.TrimSpace(value))
				}
				res, err := client.Do(req)
				if err == nil {
					_, _ = io.Copy(io.Discard, res.Body)
					_ = res.Body.Close()
				}
				took := time.Since(t0)
				sent[i]++
				if t0.Before(measureFrom) {
					continue
				}
				if err != nil {
					errs[i]++
					continue
				}
				if res.StatusCode != *status {
					bad[i]++
				}
				lat[i] = append(lat[i], took)
			}
		}(i)
	}
	wg.Wait()
	var all []time.Duration
	r := result{Connections: *conns, Seconds: duration.Seconds()}
	for i := range lat {
		all = append(all, lat[i]...)
		r.Errors += errs[i]
		r.Unexpected += bad[i]
		r.Sent += sent[i]
	}
	slices.Sort(all)
	r.Requests = len(all)
	r.RPS = float64(len(all)) / duration.Seconds()
	if len(all) > 0 {
		q := func(p float64) float64 { return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) }
		r.P50us, r.P99us, r.MaxUs = q(0.50), q(0.99), float64(all[len(all)-1].Microseconds())
	}
	_ = json.NewEncoder(os.Stdout).Encode(r)
}
