// Package engine holds one Coraza WAF per policy and turns a request into a verdict. It knows
// nothing of gRPC: internal/extproc feeds it what Envoy sends.
package engine

import (
	"fmt"
	"io/fs"
	"strings"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
	"github.com/corazawaf/coraza/v3"
	"github.com/corazawaf/coraza/v3/types"

	"github.com/microgateway/microgateway/engine/waf/internal/config"
	"github.com/microgateway/microgateway/engine/waf/internal/crs"
)

// Policy is one named policy, ready to inspect requests.
type Policy struct {
	Name  string
	Level config.Level
	Mode  config.Mode
	waf   coraza.WAF // nil when Unfiltered
}

// Engine is every policy of the configuration.
type Engine struct {
	policies      map[string]*Policy
	defaultPolicy *Policy
	catalog       *crs.Catalog
	BodyLimit     int
	vanilla       bool
}

// Options change how policies are built.
type Options struct {
	// Vanilla builds every policy as stock CRS (crs.VanillaDirectives) and runs the response and
	// logging phases too: the baseline of the benchmark, never for production.
	Vanilla bool
}

// New builds the WAF of each policy. Patterns shared between policies compile once (the @rx
// operators share a cache), so more policies cost little more memory.
func New(cfg config.File, catalog *crs.Catalog, opts ...Options) (*Engine, error) {
	e := &Engine{policies: map[string]*Policy{}, catalog: catalog, BodyLimit: cfg.RequestBodyLimitBytes}
	for _, o := range opts {
		e.vanilla = e.vanilla || o.Vanilla
	}
	var rules fs.FS = coreruleset.FS
	if !e.vanilla {
		var err error
		if rules, err = crs.RulesFS(); err != nil {
			return nil, err
		}
	}
	for _, name := range config.PolicyNames(cfg) {
		p := cfg.Policies[name]
		built := &Policy{Name: name, Level: p.Level, Mode: p.ThreatHandlingMode}
		if p.Level != config.Unfiltered {
			directives, err := crs.Directives(catalog, p, cfg.RequestBodyLimitBytes)
			if err != nil {
				return nil, fmt.Errorf("policy %q: %w", name, err)
			}
			if e.vanilla {
				directives = crs.VanillaDirectives()
			}
			waf, err := coraza.NewWAF(coraza.NewWAFConfig().WithRootFS(rules).WithDirectives(directives))
			if err != nil {
				return nil, fmt.Errorf("policy %q: %w", name, err)
			}
			built.waf = waf
		}
		e.policies[name] = built
	}
	e.defaultPolicy = e.policies[cfg.DefaultPolicy]
	return e, nil
}

// Vanilla reports whether this is the benchmark's stock-CRS baseline.
func (e *Engine) Vanilla() bool { return e.vanilla }

// Policy is the named policy, or the default one when the name is empty or unknown.
func (e *Engine) Policy(name string) *Policy {
	if p, ok := e.policies[name]; ok {
		return p
	}
	return e.defaultPolicy
}

// Header is one request header as Envoy sends it.
type Header struct{ Name, Value string }

// Request is the start of a request: what Envoy's request headers message carries.
type Request struct {
	Method, Path, Protocol string
	ClientAddr             string
	ClientPort             int
	Headers                []Header
}

// Verdict is what the rules decided. Threat is set when a rule interrupted the request; the
// policy's mode says whether it is blocked or only logged.
type Verdict struct {
	Threat bool
	Status int
	RuleID int    // the attack rule that contributed most (or the interrupting rule)
	Family string // its family ("protocol" for a body that could not be parsed)
	Msg    string
}

// Inspection is one request going through a policy's rules.
type Inspection struct {
	engine *Engine
	policy *Policy
	tx     types.Transaction
	done   bool
}

// Begin runs phase 1 (request headers). A request without a body (endOfStream) also runs phase 2
// at once: CRS checks query arguments there. Done() tells whether a verdict was reached.
func (e *Engine) Begin(p *Policy, r Request, endOfStream bool) (*Inspection, Verdict) {
	in := &Inspection{engine: e, policy: p}
	if p.waf == nil {
		in.done = true
		return in, Verdict{}
	}
	tx := p.waf.NewTransaction()
	in.tx = tx
	tx.ProcessConnection(r.ClientAddr, r.ClientPort, "", 0)
	tx.ProcessURI(r.Path, r.Method, r.Protocol)
	for _, h := range r.Headers {
		tx.AddRequestHeader(h.Name, h.Value)
	}
	if it := tx.ProcessRequestHeaders(); it != nil {
		return in, in.finish(it)
	}
	if endOfStream {
		return in, in.Body(nil)
	}
	return in, Verdict{}
}

// Body runs phase 2 on the (possibly partial, at most BodyLimit bytes) body.
func (in *Inspection) Body(body []byte) Verdict {
	if in.done {
		return Verdict{}
	}
	if len(body) > 0 {
		if it, _, err := in.tx.WriteRequestBody(body); err != nil || it != nil {
			return in.finish(it)
		}
	}
	it, err := in.tx.ProcessRequestBody()
	if err != nil {
		return in.finish(nil)
	}
	return in.finish(it)
}

// Done reports whether the inspection reached its verdict.
func (in *Inspection) Done() bool { return in.done }

// Response runs phase 3 (response headers): only the vanilla baseline asks Envoy for them.
func (in *Inspection) Response(status int, protocol string, headers []Header) Verdict {
	if in.tx == nil || !in.engine.vanilla {
		return Verdict{}
	}
	for _, h := range headers {
		in.tx.AddResponseHeader(h.Name, h.Value)
	}
	if it := in.tx.ProcessResponseHeaders(status, protocol); it != nil {
		return in.finish(it)
	}
	return Verdict{}
}

// Close frees the transaction (Coraza pools them). Phase 5 (logging) is skipped: audit logging is
// off and the block line is written by the caller (the vanilla baseline runs it, as stock set-ups do).
func (in *Inspection) Close() {
	if in.tx != nil {
		if in.engine.vanilla {
			in.tx.ProcessLogging()
		}
		_ = in.tx.Close()
		in.tx = nil
	}
	in.done = true
}

func (in *Inspection) finish(it *types.Interruption) Verdict {
	in.done = true
	if it == nil {
		return Verdict{}
	}
	v := Verdict{Threat: true, Status: it.Status, RuleID: it.RuleID, Family: string(in.engine.catalog.FamilyOf(it.RuleID))}
	if it.RuleID == crs.BodyErrorRuleID {
		v.Family, v.Msg = string(config.Protocol), "request body could not be parsed"
		return v
	}
	// The anomaly-scoring rule (949110) interrupts; report the family with the most scoring matches
	// (a traversal to /etc/passwd also matches one RCE rule, but three LFI ones), then its most
	// severe rule, the last of equals.
	type best struct {
		count, severity, id int
		msg                 string
	}
	byFamily := map[config.Family]*best{}
	var order []config.Family
	for _, m := range in.tx.MatchedRules() {
		rule := m.Rule()
		family := in.engine.catalog.FamilyOf(rule.ID())
		// Flow-control rules (nolog, skip) match too; only scoring rules carry a message.
		if family == "" || m.Message() == "" {
			continue
		}
		b := byFamily[family]
		if b == nil {
			b = &best{severity: 99}
			byFamily[family] = b
			order = append(order, family)
		}
		b.count++
		if sev := int(rule.Severity()); sev <= b.severity {
			b.severity, b.id, b.msg = sev, rule.ID(), m.Message()
		}
	}
	var chosen *best
	for _, f := range order {
		if b := byFamily[f]; chosen == nil || b.count >= chosen.count {
			chosen, v.Family = b, string(f)
		}
	}
	if chosen != nil {
		v.RuleID, v.Msg = chosen.id, chosen.msg
	}
	if v.Family == "" {
		v.Family = "other"
	}
	v.Msg = truncate(v.Msg, 120)
	return v
}

// truncate keeps log lines short; the message is CRS's text, never the payload.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= n {
		return s
	}
	return s[:n]
}
