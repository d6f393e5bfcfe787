package crs

import (
	"io/fs"
	"regexp"
	"strings"
	"testing/fstest"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
)

// logdataLine is one `logdata:'…',\` action line of a CRS rule.
var logdataLine = regexp.MustCompile(`(?m)^[ \t]*logdata:'(?:[^'\\]|\\.)*',\\\n`)

// RulesFS is the embedded CRS with every rule's `logdata` action removed.
//
// Coraza expands a rule's msg and logdata macros each time the rule is evaluated, match or not,
// and logdata (`Matched Data: %{TX.0} found within %{MATCHED_VAR_NAME}: …`) is the costly one:
// ~14 % of the CPU of a benign GET in a profile. mgw-waf never logs it anyway (a block line names
// the rule, never the payload), and no CRS rule reads %{rule.logdata}.
func RulesFS() (fs.FS, error) {
	out := fstest.MapFS{}
	err := fs.WalkDir(coreruleset.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := fs.ReadFile(coreruleset.FS, path)
		if err != nil {
			return err
		}
		if strings.HasPrefix(path, "@owasp_crs/") && strings.HasSuffix(path, ".conf") {
			raw = logdataLine.ReplaceAll(raw, nil)
		}
		out[path] = &fstest.MapFile{Data: raw, Mode: 0o444}
		return nil
	})
	return out, err
}
