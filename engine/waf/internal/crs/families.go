// Package crs maps the embedded OWASP CRS onto Microgateway's rule families and builds the
// SecLang directives of one policy.
package crs

import (
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"

	"github.com/microgateway/microgateway/engine/waf/internal/config"
)

// RequestFiles are the CRS files loaded, in order. Response files (95x, 959, 980) are not:
// the engine never inspects responses (see docs/adr/0012-waf-engine.md).
var RequestFiles = []string{
	"REQUEST-901-INITIALIZATION.conf",
	"REQUEST-905-COMMON-EXCEPTIONS.conf",
	"REQUEST-911-METHOD-ENFORCEMENT.conf",
	"REQUEST-913-SCANNER-DETECTION.conf",
	"REQUEST-920-PROTOCOL-ENFORCEMENT.conf",
	"REQUEST-921-PROTOCOL-ATTACK.conf",
	"REQUEST-922-MULTIPART-ATTACK.conf",
	"REQUEST-930-APPLICATION-ATTACK-LFI.conf",
	"REQUEST-931-APPLICATION-ATTACK-RFI.conf",
	"REQUEST-932-APPLICATION-ATTACK-RCE.conf",
	"REQUEST-933-APPLICATION-ATTACK-PHP.conf",
	"REQUEST-934-APPLICATION-ATTACK-GENERIC.conf",
	"REQUEST-941-APPLICATION-ATTACK-XSS.conf",
	"REQUEST-942-APPLICATION-ATTACK-SQLI.conf",
	"REQUEST-943-APPLICATION-ATTACK-SESSION-FIXATION.conf",
	"REQUEST-944-APPLICATION-ATTACK-JAVA.conf",
	"REQUEST-949-BLOCKING-EVALUATION.conf",
}

// Rule is what the catalog knows of one CRS rule (chained sub-rules belong to their head).
type Rule struct {
	ID     int
	Tags   []string
	Family config.Family // "" for the plumbing rules (initialisation, scoring, markers)
}

// Catalog is every rule of the loaded files, with its family.
type Catalog struct {
	Rules    []Rule
	byID     map[int]*Rule
	byFamily map[config.Family][]int
}

var (
	ruleStart = regexp.MustCompile(`(?m)^\s*(SecRule|SecAction)\b`)
	idAction  = regexp.MustCompile(`\bid:(\d+)`)
	tagAction = regexp.MustCompile(`\btag:'([^']*)'`)
)

// LoadCatalog reads the embedded CRS files and classifies each rule.
func LoadCatalog() (*Catalog, error) {
	c := &Catalog{byID: map[int]*Rule{}, byFamily: map[config.Family][]int{}}
	for _, file := range RequestFiles {
		raw, err := fs.ReadFile(coreruleset.FS, "@owasp_crs/"+file)
		if err != nil {
			return nil, err
		}
		fileNumber, _ := strconv.Atoi(file[len("REQUEST-") : len("REQUEST-")+3])
		text := string(raw)
		starts := ruleStart.FindAllStringIndex(text, -1)
		for i, s := range starts {
			end := len(text)
			if i+1 < len(starts) {
				end = starts[i+1][0]
			}
			block := text[s[0]:end]
			m := idAction.FindStringSubmatch(block)
			if m == nil {
				continue // a chained sub-rule: its head carries the id
			}
			id, _ := strconv.Atoi(m[1])
			var tags []string
			for _, t := range tagAction.FindAllStringSubmatch(block, -1) {
				tags = append(tags, t[1])
			}
			c.Rules = append(c.Rules, Rule{ID: id, Tags: tags, Family: classify(fileNumber, id, tags)})
		}
	}
	for i := range c.Rules {
		r := &c.Rules[i]
		c.byID[r.ID] = r
		if r.Family != "" {
			c.byFamily[r.Family] = append(c.byFamily[r.Family], r.ID)
		}
	}
	if len(c.byFamily[config.SQL]) == 0 || len(c.byFamily[config.XSS]) == 0 {
		return nil, fmt.Errorf("crs catalog: no SQL or XSS rules found: the CRS layout changed")
	}
	return c, nil
}

// classify puts a rule in a family by its file and tags; the few rules whose file is broader than
// their attack (LDAP in 921, MongoDB in 942, SSRF/SSTI in 934) are picked out by tag or id.
func classify(file, id int, tags []string) config.Family {
	has := func(tag string) bool {
		for _, t := range tags {
			if t == tag {
				return true
			}
		}
		return false
	}
	// Only rules that score an attack belong to a family; the 9xx0xx/9xx01x paranoia-level
	// skips and markers are plumbing that must keep running.
	if id%1000 < 100 {
		return ""
	}
	switch {
	case has("language-ldap"):
		return config.LDAP
	case id == 942290: // "Finds basic MongoDB SQL injection attempts"
		return config.NoSQL
	case has("attack-ssti"):
		return config.Template
	case has("attack-ssrf") || has("attack-rfi"):
		return config.SSRF
	}
	switch file {
	case 911, 920, 921, 922:
		return config.Protocol
	case 913:
		return config.Scanners
	case 930:
		return config.LFI
	case 931:
		return config.SSRF
	case 932:
		if has("platform-windows") || has("language-powershell") {
			return config.RCEWindows
		}
		return config.RCEUnix
	case 933:
		return config.PHP
	case 934:
		if has("language-php") {
			return config.PHP
		}
		return config.Generic
	case 941:
		return config.XSS
	case 942:
		return config.SQL
	case 943:
		return config.Generic
	case 944:
		return config.Java
	}
	return ""
}

// FamilyOf is the family of a rule id ("" when it has none or is unknown).
func (c *Catalog) FamilyOf(id int) config.Family {
	if r, ok := c.byID[id]; ok {
		return r.Family
	}
	return ""
}

// IDs are the rule ids of a family, sorted.
func (c *Catalog) IDs(f config.Family) []int {
	ids := append([]int(nil), c.byFamily[f]...)
	sort.Ints(ids)
	return ids
}

// Ranges compresses sorted ids into "a-b" ranges that contain no rule outside the set, so a
// range-taking directive (ctl:ruleRemoveById, SecRuleRemoveById) touches exactly those rules.
func (c *Catalog) Ranges(ids []int) []string {
	if len(ids) == 0 {
		return nil
	}
	all := make([]int, 0, len(c.Rules))
	for _, r := range c.Rules {
		all = append(all, r.ID)
	}
	sort.Ints(all)
	pos := make(map[int]int, len(all))
	for i, id := range all {
		pos[id] = i
	}
	var out []string
	start, prev := ids[0], ids[0]
	flush := func() {
		if start == prev {
			out = append(out, strconv.Itoa(start))
		} else {
			out = append(out, fmt.Sprintf("%d-%d", start, prev))
		}
	}
	for _, id := range ids[1:] {
		pi, ok1 := pos[prev]
		ci, ok2 := pos[id]
		if ok1 && ok2 && ci == pi+1 {
			prev = id
			continue
		}
		flush()
		start, prev = id, id
	}
	flush()
	return out
}

// Summary is a one-line count of rules per family, for the start-up log.
func (c *Catalog) Summary() string {
	parts := make([]string, 0, len(config.Families))
	for _, f := range config.Families {
		parts = append(parts, fmt.Sprintf("%s=%d", f, len(c.byFamily[f])))
	}
	return strings.Join(parts, " ")
}
