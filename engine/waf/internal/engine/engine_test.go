package engine

import (
	"os"
	"testing"

	"github.com/microgateway/microgateway/engine/waf/internal/config"
	"github.com/microgateway/microgateway/engine/waf/internal/crs"
	"github.com/microgateway/microgateway/engine/waf/internal/re2rx"
)

func newEngine(t testing.TB, cfg config.File, opts ...Options) *Engine {
	t.Helper()
	if os.Getenv("MGW_WAF_RE2") != "false" {
		re2rx.Register()
	}
	catalog, err := crs.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(cfg, catalog, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func get(path string) Request {
	return Request{Method: "GET", Path: path, Protocol: "HTTP/1.1", ClientAddr: "127.0.0.1", Headers: []Header{{"host", "example.com"}, {"user-agent", "test/1.0"}, {"accept", "*/*"}}}
}

func verdict(e *Engine, policy string, r Request, body []byte) Verdict {
	in, v := e.Begin(e.Policy(policy), r, body == nil)
	defer in.Close()
	if in.Done() {
		return v
	}
	return in.Body(body)
}

func TestStandardBlocksAndPasses(t *testing.T) {
	e := newEngine(t, config.Default())
	cases := []struct {
		path   string
		threat bool
		family string
	}{
		{"/search?q=1'%20OR%20'1'='1", true, "sql"},
		{"/search?q=%3Cscript%3Ealert(1)%3C/script%3E", true, "xss"},
		{"/files?name=../../../../etc/passwd", true, "lfi"},
		{"/search?q=O'Reilly", false, ""},
		{"/plans?q=select%20a%20plan", false, ""},
		{"/notes?text=drop%20by%20tomorrow", false, ""},
	}
	for _, c := range cases {
		v := verdict(e, "", get(c.path), nil)
		if v.Threat != c.threat || (c.threat && v.Family != c.family) {
			t.Errorf("%s: got %+v, want threat=%v family=%s", c.path, v, c.threat, c.family)
		}
	}
}

func TestJSONBody(t *testing.T) {
	e := newEngine(t, config.Default())
	r := Request{Method: "POST", Path: "/api", Protocol: "HTTP/1.1", ClientAddr: "127.0.0.1", Headers: []Header{{"host", "x"}, {"user-agent", "t"}, {"accept", "*/*"}, {"content-type", "application/json"}}}
	if v := verdict(e, "", r, []byte(`{"name":"x","q":"1' UNION SELECT password FROM users--"}`)); !v.Threat || v.Family != "sql" {
		t.Errorf("SQLi in JSON: %+v", v)
	}
	if v := verdict(e, "", r, []byte(`{"name":"O'Reilly","note":"select a plan"}`)); v.Threat {
		t.Errorf("benign JSON: %+v", v)
	}
}

func TestParameterException(t *testing.T) {
	cfg := config.Default()
	p := cfg.Policies["default"]
	p.Exceptions = []config.Exception{{Parameters: []string{"html"}}}
	cfg.Policies["default"] = p
	e := newEngine(t, cfg)
	if v := verdict(e, "", get("/x?html=%3Cscript%3Ealert(1)%3C/script%3E"), nil); v.Threat {
		t.Errorf("excepted parameter blocked: %+v", v)
	}
	if v := verdict(e, "", get("/x?other=%3Cscript%3Ealert(1)%3C/script%3E"), nil); !v.Threat {
		t.Errorf("other parameter passed")
	}
}

// The engine alone, no Envoy: `go test -bench . ./internal/engine/` (RE2 on) and
// `MGW_WAF_RE2=false go test -bench Vanilla ./internal/engine/` for stock CRS with Go regexp.
func BenchmarkBenignJSON(b *testing.B) { benchJSON(b, newEngine(b, config.Default())) }
func BenchmarkBenignGET(b *testing.B)  { benchGET(b, newEngine(b, config.Default())) }
func BenchmarkVanillaJSON(b *testing.B) {
	benchJSON(b, newEngine(b, config.Default(), Options{Vanilla: true}))
}
func BenchmarkVanillaGET(b *testing.B) {
	benchGET(b, newEngine(b, config.Default(), Options{Vanilla: true}))
}

func benchJSON(b *testing.B, e *Engine) {
	r := Request{Method: "POST", Path: "/api/orders", Protocol: "HTTP/1.1", ClientAddr: "127.0.0.1", Headers: []Header{{"host", "x"}, {"user-agent", "bench"}, {"accept", "*/*"}, {"content-type", "application/json"}}}
	body := []byte(`{"customer":{"name":"Jane O'Reilly","email":"jane@example.com","phone":"+1-555-0100"},"items":[{"sku":"A-100","qty":2,"note":"select a plan that fits"},{"sku":"B-200","qty":1,"note":"drop by tomorrow"}],"shipping":{"street":"1 Main Street","city":"Springfield","zip":"12345","country":"US"},"comment":"Please deliver between 9 and 5, ring twice. Thanks!","tags":["gift","priority","fragile"],"coupon":"SPRING-2026","total":123.45,"currency":"USD","metadata":{"source":"web","campaign":"newsletter","ref":"abc123"},"padding":"lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur excepteur sint occaecat cupidatat non proident"}`)
	b.SetBytes(int64(len(body)))
	for i := 0; i < b.N; i++ {
		if v := verdict(e, "", r, body); v.Threat {
			b.Fatalf("benign flagged: %+v", v)
		}
	}
}

func benchGET(b *testing.B, e *Engine) {
	for i := 0; i < b.N; i++ {
		if v := verdict(e, "", get("/products/42?sort=price&page=2"), nil); v.Threat {
			b.Fatalf("benign flagged: %+v", v)
		}
	}
}
