package crs

import (
	"fmt"
	"sort"
	"strings"

	"github.com/microgateway/microgateway/engine/waf/internal/config"
)

// FirstExceptionRuleID is where the runtime rules generated for path-scoped exceptions start.
const FirstExceptionRuleID = 10_000

// BodyErrorRuleID rejects a body its processor could not parse (malformed JSON, XML, form).
const BodyErrorRuleID = 200_002

// ParanoiaLevel of a protection level (CRS PL1 is the CRS default).
func ParanoiaLevel(l config.Level) int {
	if l == config.Strict {
		return 2
	}
	return 1
}

// basicFamilies are the classic injection families: what Basic runs.
var basicFamilies = map[config.Family]bool{
	config.SQL: true, config.XSS: true, config.LFI: true, config.RCEUnix: true,
	config.RCEWindows: true, config.Java: true, config.NoSQL: true,
}

// EnabledFamilies are the families a policy runs: its level's, then its overrides.
func EnabledFamilies(p config.Policy) map[config.Family]bool {
	on := map[config.Family]bool{}
	for _, f := range config.Families {
		switch p.Level {
		case config.Basic:
			on[f] = basicFamilies[f]
		case config.Standard, config.Strict:
			on[f] = true
		}
	}
	for f, v := range p.Families {
		on[f] = v
	}
	for _, e := range p.Exceptions {
		if e.Family != "" && len(e.Parameters) == 0 && len(e.Paths) == 0 && len(e.RuleIDs) == 0 {
			on[e.Family] = false
		}
	}
	return on
}

// Directives is the SecLang of one policy: Coraza's request-only settings, the CRS set-up at the
// level's paranoia level, the request rule files, and the family switches and exceptions.
func Directives(c *Catalog, p config.Policy, bodyLimit int) (string, error) {
	for i, e := range p.Exceptions {
		for _, id := range e.RuleIDs {
			if c.byID[id] == nil {
				return "", fmt.Errorf("exception %d: rule %d is not a loaded CRS rule", i, id)
			}
		}
	}
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }

	// Request phases only: the response is never sent to the engine (processing_mode skips it).
	line("SecRuleEngine On")
	line("SecRequestBodyAccess On")
	line("SecRequestBodyLimit %d", bodyLimit)
	line("SecRequestBodyInMemoryLimit %d", bodyLimit)
	line("SecRequestBodyNoFilesLimit %d", bodyLimit)
	// Envoy sends at most bodyLimit bytes (BUFFERED_PARTIAL); inspect those, never reject on size here.
	line("SecRequestBodyLimitAction ProcessPartial")
	line("SecResponseBodyAccess Off")
	line("SecAuditEngine Off")
	// Literal pre-filter before each regex: most values cannot match most patterns.
	line("SecRxPreFilter On")
	line(`SecRule REQUEST_HEADERS:Content-Type "@rx ^(?:application(?:/soap\+|/)|text/)xml" "id:200000,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML"`)
	line(`SecRule REQUEST_HEADERS:Content-Type "@rx ^application/(?:[a-z.+-]+\+)?json" "id:200001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"`)
	line(`SecRule REQBODY_ERROR "!@eq 0" "id:%d,phase:2,t:none,log,deny,status:403,msg:'Failed to parse request body',tag:'mgw-body-error'"`, BodyErrorRuleID)

	line("Include @crs-setup.conf.example")
	pl := ParanoiaLevel(p.Level)
	line(`SecAction "id:900000,phase:1,pass,t:none,nolog,setvar:tx.blocking_paranoia_level=%d,setvar:tx.detection_paranoia_level=%d"`, pl, pl)
	line(`SecAction "id:900110,phase:1,pass,t:none,nolog,setvar:tx.inbound_anomaly_score_threshold=%d,setvar:tx.outbound_anomaly_score_threshold=4"`, p.AnomalyThreshold)

	// Path-scoped exceptions are runtime rules: they must run before the CRS rules of phase 1.
	nextID := FirstExceptionRuleID
	for i, e := range p.Exceptions {
		if len(e.Paths) == 0 {
			continue
		}
		ctls, err := exceptionCtls(c, e)
		if err != nil {
			return "", fmt.Errorf("exception %d: %w", i, err)
		}
		for _, path := range e.Paths {
			line(`SecRule REQUEST_FILENAME "@beginsWith %s" "id:%d,phase:1,pass,nolog,t:none,%s"`, path, nextID, strings.Join(ctls, ","))
			nextID++
		}
	}

	for _, f := range RequestFiles {
		line("Include @owasp_crs/%s", f)
	}

	// Whole-path exceptions on parameters: the rules stop looking at them, at load time.
	for i, e := range p.Exceptions {
		if len(e.Paths) > 0 || len(e.Parameters) == 0 {
			continue
		}
		ids, err := exceptionRuleIDs(c, e)
		if err != nil {
			return "", fmt.Errorf("exception %d: %w", i, err)
		}
		targets := parameterTargets(e.Parameters, "!")
		for _, r := range c.Ranges(ids) {
			line(`SecRuleUpdateTargetById %s "%s"`, r, strings.Join(targets, "|"))
		}
	}

	// Families switched off, and whole-path rule exceptions: the rules are removed, costing nothing.
	on := EnabledFamilies(p)
	// 941010 is a CRS speed-up that backfires in Coraza: on every request with a plain path it runs
	// ctl:ruleRemoveTargetByTag, which walks every loaded rule (copying each) and compares its tags,
	// to spare 33 XSS regexes one short value. Without it those rules also read the path: the same
	// or stronger detection, for a fraction of the cost (docs/adr/0012-waf-engine.md).
	removed := []int{941010}
	for _, f := range config.Families {
		if !on[f] {
			removed = append(removed, c.IDs(f)...)
		}
	}
	for _, e := range p.Exceptions {
		if len(e.Paths) == 0 && len(e.Parameters) == 0 {
			removed = append(removed, e.RuleIDs...)
		}
	}
	if len(removed) > 0 {
		sortInts(removed)
		line("SecRuleRemoveById %s", strings.Join(c.Ranges(removed), " "))
	}
	return b.String(), nil
}

// exceptionRuleIDs are the rules an exception applies to: its ids, else its family's, else every
// family's.
func exceptionRuleIDs(c *Catalog, e config.Exception) ([]int, error) {
	if len(e.RuleIDs) > 0 {
		for _, id := range e.RuleIDs {
			if c.byID[id] == nil {
				return nil, fmt.Errorf("rule %d is not a loaded CRS rule", id)
			}
		}
		ids := append([]int(nil), e.RuleIDs...)
		sortInts(ids)
		return ids, nil
	}
	if e.Family != "" {
		return c.IDs(e.Family), nil
	}
	var ids []int
	for _, f := range config.Families {
		ids = append(ids, c.IDs(f)...)
	}
	sortInts(ids)
	return ids, nil
}

// exceptionCtls are the ctl actions of a path-scoped exception.
func exceptionCtls(c *Catalog, e config.Exception) ([]string, error) {
	ids, err := exceptionRuleIDs(c, e)
	if err != nil {
		return nil, err
	}
	var ctls []string
	for _, r := range c.Ranges(ids) {
		if len(e.Parameters) == 0 {
			ctls = append(ctls, "ctl:ruleRemoveById="+r)
			continue
		}
		for _, t := range parameterTargets(e.Parameters, "") {
			ctls = append(ctls, fmt.Sprintf("ctl:ruleRemoveTargetById=%s;%s", r, t))
		}
	}
	return ctls, nil
}

// parameterTargets name a parameter in the query, a form body and a JSON body (Coraza names JSON
// members json.<path>) as well as among the argument names.
func parameterTargets(params []string, prefix string) []string {
	var out []string
	for _, p := range params {
		out = append(out, prefix+"ARGS:"+p, prefix+"ARGS:json."+p, prefix+"ARGS_NAMES:"+p, prefix+"ARGS_NAMES:json."+p)
	}
	return out
}

func sortInts(s []int) { sort.Ints(s) }

// VanillaDirectives is CRS as its documentation installs it, for comparison only (mgw-waf
// --vanilla, the benchmark): Coraza's recommended configuration (request and response bodies),
// every CRS file including the response ones, the default regexp engine, no pre-filter.
func VanillaDirectives() string {
	return `Include @coraza.conf-recommended
SecRuleEngine On
Include @crs-setup.conf.example
Include @owasp_crs/*.conf
`
}
