package crs

import (
	"io/fs"
	"strconv"
	"strings"
	"testing"

	"github.com/microgateway/microgateway/engine/waf/internal/config"
)

func TestRulesFSDropsEveryLogdata(t *testing.T) {
	rules, err := RulesFS()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range RequestFiles {
		raw, err := fs.ReadFile(rules, "@owasp_crs/"+f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), "logdata:") {
			t.Errorf("%s still has a logdata action", f)
		}
	}
	if _, err := fs.ReadFile(rules, "@crs-setup.conf.example"); err != nil {
		t.Error("the set-up file is missing")
	}
}

func TestCatalogFamilies(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]config.Family{
		942100: config.SQL, 941100: config.XSS, 930100: config.LFI, 932160: config.RCEUnix,
		944150: config.Java, 942290: config.NoSQL, 921200: config.LDAP, 913100: config.Scanners,
		920170: config.Protocol, 933100: config.PHP, 931100: config.SSRF,
		949110: "", 901100: "", 942011: "",
	}
	for id, f := range want {
		if got := c.FamilyOf(id); got != f {
			t.Errorf("rule %d: family %q, want %q", id, got, f)
		}
	}
	for _, f := range config.Families {
		if len(c.IDs(f)) == 0 {
			t.Errorf("family %s has no rule", f)
		}
	}
}

func TestRangesNeverCoverOtherRules(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	ids := c.IDs(config.RCEWindows)
	in := map[int]bool{}
	for _, id := range ids {
		in[id] = true
	}
	for _, r := range c.Ranges(ids) {
		lo, hi, _ := strings.Cut(r, "-")
		if hi == "" {
			hi = lo
		}
		for _, rule := range c.Rules {
			if s := itoa(rule.ID); s >= lo && s <= hi && len(s) == len(lo) && !in[rule.ID] {
				t.Errorf("range %s covers rule %d of family %q", r, rule.ID, rule.Family)
			}
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestDirectivesOfLevels(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	strict, _ := Directives(c, config.Policy{Level: config.Strict, AnomalyThreshold: 5}, 1024)
	if !strings.Contains(strict, "tx.blocking_paranoia_level=2") {
		t.Error("Strict is not paranoia level 2")
	}
	basic, _ := Directives(c, config.Policy{Level: config.Basic, AnomalyThreshold: 5}, 1024)
	on := EnabledFamilies(config.Policy{Level: config.Basic})
	if on[config.Protocol] || !on[config.SQL] {
		t.Errorf("Basic families: %v", on)
	}
	if !strings.Contains(basic, "SecRuleRemoveById") {
		t.Error("Basic removes no rule")
	}
	if _, err := Directives(c, config.Policy{Level: config.Standard, Exceptions: []config.Exception{{RuleIDs: []int{1}}}}, 1024); err == nil {
		t.Error("an unknown rule id in an exception was accepted")
	}
}
