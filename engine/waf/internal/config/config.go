// Package config reads the WAF process's policy file: named policies, each a protection level,
// per-family overrides, exceptions and a threat handling mode. Envoy picks a policy per route
// (see internal/extproc), so one process serves every route of an Engine.
package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
)

// Level is the protection level of a policy.
type Level string

const (
	// Unfiltered runs no rule at all (routes should rather disable ext_proc: no hop at all).
	Unfiltered Level = "Unfiltered"
	// Basic runs the classic injection families only, at paranoia level 1.
	Basic Level = "Basic"
	// Standard is the CRS default: every request family at paranoia level 1.
	Standard Level = "Standard"
	// Strict is every request family at paranoia level 2.
	Strict Level = "Strict"
)

// Mode is what happens to a request the rules flag.
type Mode string

const (
	Block   Mode = "Block"
	LogOnly Mode = "LogOnly"
)

// Family names a group of CRS rules that can be switched on or off as one.
type Family string

const (
	SQL        Family = "sql"
	XSS        Family = "xss"
	LFI        Family = "lfi"
	RCEUnix    Family = "rce-unix"
	RCEWindows Family = "rce-windows"
	PHP        Family = "php"
	SSRF       Family = "ssrf"
	Template   Family = "template-injection"
	LDAP       Family = "ldap"
	NoSQL      Family = "nosql"
	Protocol   Family = "protocol"
	Scanners   Family = "scanners"
	Java       Family = "java"
	Generic    Family = "generic"
)

// Families lists every family, in a stable order.
var Families = []Family{SQL, XSS, LFI, RCEUnix, RCEWindows, PHP, SSRF, Template, LDAP, NoSQL, Protocol, Scanners, Java, Generic}

// IsFamily reports whether name is a known family.
func IsFamily(name Family) bool {
	for _, f := range Families {
		if f == name {
			return true
		}
	}
	return false
}

// Exception lets traffic through rules that would otherwise flag it. Without Parameters it removes
// the rules (RuleIDs, or all of Family); with Parameters it only stops them looking at those
// parameters (query, form and JSON names). Paths (prefixes) scope it; none means every path.
type Exception struct {
	Family     Family   `json:"family,omitempty"`
	RuleIDs    []int    `json:"ruleIds,omitempty"`
	Parameters []string `json:"parameters,omitempty"`
	Paths      []string `json:"paths,omitempty"`
}

// Policy is one named WAF configuration.
type Policy struct {
	Level              Level           `json:"level"`
	ThreatHandlingMode Mode            `json:"threatHandlingMode,omitempty"`
	Families           map[Family]bool `json:"families,omitempty"`
	Exceptions         []Exception     `json:"exceptions,omitempty"`
	// AnomalyThreshold is CRS's inbound anomaly score threshold (default 5: one critical rule).
	AnomalyThreshold int `json:"anomalyThreshold,omitempty"`
}

// File is the whole policy file.
type File struct {
	// DefaultPolicy serves streams that name no policy (or an unknown one).
	DefaultPolicy string            `json:"defaultPolicy,omitempty"`
	Policies      map[string]Policy `json:"policies"`
	// RequestBodyLimitBytes is how much of a body is inspected (the rest passes uninspected);
	// Envoy's ext_proc buffer should be the same size.
	RequestBodyLimitBytes int `json:"requestBodyLimitBytes,omitempty"`
}

const (
	DefaultPolicyName     = "default"
	DefaultBodyLimitBytes = 128 * 1024
)

// Default is the configuration used without a file: one Standard, blocking policy.
func Default() File {
	return normalize(File{Policies: map[string]Policy{DefaultPolicyName: {Level: Standard}}})
}

// Load reads a JSON or YAML (.yaml/.yml) policy file.
func Load(path string) (File, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return File{}, err
	}
	ext := strings.ToLower(filepath.Ext(path))
	return Parse(raw, ext == ".yaml" || ext == ".yml")
}

// Parse decodes and validates a policy file; unknown fields are errors (a typo must not silently
// weaken a policy).
func Parse(raw []byte, isYAML bool) (File, error) {
	if isYAML {
		converted, err := yaml.YAMLToJSON(raw)
		if err != nil {
			return File{}, fmt.Errorf("policy file: %w", err)
		}
		raw = converted
	}
	var f File
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return File{}, fmt.Errorf("policy file: %w", err)
	}
	f = normalize(f)
	return f, validate(f)
}

func normalize(f File) File {
	if f.DefaultPolicy == "" {
		f.DefaultPolicy = DefaultPolicyName
	}
	if f.RequestBodyLimitBytes == 0 {
		f.RequestBodyLimitBytes = DefaultBodyLimitBytes
	}
	for name, p := range f.Policies {
		if p.ThreatHandlingMode == "" {
			p.ThreatHandlingMode = Block
		}
		if p.AnomalyThreshold == 0 {
			p.AnomalyThreshold = 5
		}
		f.Policies[name] = p
	}
	return f
}

func validate(f File) error {
	if len(f.Policies) == 0 {
		return fmt.Errorf("policy file: no policies")
	}
	if _, ok := f.Policies[f.DefaultPolicy]; !ok {
		return fmt.Errorf("policy file: defaultPolicy %q is not among the policies", f.DefaultPolicy)
	}
	for _, name := range PolicyNames(f) {
		p := f.Policies[name]
		switch p.Level {
		case Unfiltered, Basic, Standard, Strict:
		default:
			return fmt.Errorf("policy %q: level %q is not Unfiltered, Basic, Standard or Strict", name, p.Level)
		}
		if p.ThreatHandlingMode != Block && p.ThreatHandlingMode != LogOnly {
			return fmt.Errorf("policy %q: threatHandlingMode %q is not Block or LogOnly", name, p.ThreatHandlingMode)
		}
		for fam := range p.Families {
			if !IsFamily(fam) {
				return fmt.Errorf("policy %q: unknown family %q", name, fam)
			}
		}
		for i, e := range p.Exceptions {
			if e.Family != "" && !IsFamily(e.Family) {
				return fmt.Errorf("policy %q exception %d: unknown family %q", name, i, e.Family)
			}
			if e.Family == "" && len(e.RuleIDs) == 0 && len(e.Parameters) == 0 {
				return fmt.Errorf("policy %q exception %d: names no family, rule or parameter", name, i)
			}
			for _, p := range e.Parameters {
				if p == "" || strings.ContainsAny(p, ";|\"' ") {
					return fmt.Errorf("policy %q exception %d: parameter name %q is empty or has ; | quotes or spaces", name, i, p)
				}
			}
			for _, p := range e.Paths {
				if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\"' ") {
					return fmt.Errorf("policy %q exception %d: path %q must start with / and have no quotes or spaces", name, i, p)
				}
			}
		}
	}
	return nil
}

// PolicyNames are the policy names, sorted.
func PolicyNames(f File) []string {
	names := make([]string, 0, len(f.Policies))
	for n := range f.Policies {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
