package config

import "testing"

func TestParseJSONAndYAML(t *testing.T) {
	yaml := `
defaultPolicy: api
policies:
  api:
    level: Strict
    threatHandlingMode: LogOnly
    families: {php: false}
    exceptions:
      - parameters: [comment]
        paths: [/blog/]
`
	f, err := Parse([]byte(yaml), true)
	if err != nil {
		t.Fatal(err)
	}
	p := f.Policies["api"]
	if p.Level != Strict || p.ThreatHandlingMode != LogOnly || p.Families[PHP] || p.Exceptions[0].Parameters[0] != "comment" || p.AnomalyThreshold != 5 {
		t.Errorf("parsed %+v", p)
	}
	if f.RequestBodyLimitBytes != DefaultBodyLimitBytes {
		t.Errorf("body limit %d", f.RequestBodyLimitBytes)
	}
	if _, err := Parse([]byte(`{"policies":{"default":{"level":"Standard"}}}`), false); err != nil {
		t.Error(err)
	}
}

func TestRejectsWhatWouldSilentlyWeakenAPolicy(t *testing.T) {
	for name, doc := range map[string]string{
		"unknown field":   `{"policies":{"default":{"level":"Standard","familys":{}}}}`,
		"unknown level":   `{"policies":{"default":{"level":"Paranoid"}}}`,
		"unknown family":  `{"policies":{"default":{"level":"Standard","families":{"sqli":false}}}}`,
		"unknown mode":    `{"policies":{"default":{"level":"Standard","threatHandlingMode":"Drop"}}}`,
		"no default":      `{"defaultPolicy":"x","policies":{"default":{"level":"Standard"}}}`,
		"empty exception": `{"policies":{"default":{"level":"Standard","exceptions":[{}]}}}`,
		"injected param":  `{"policies":{"default":{"level":"Standard","exceptions":[{"parameters":["a|ARGS"]}]}}}`,
		"relative path":   `{"policies":{"default":{"level":"Standard","exceptions":[{"family":"xss","paths":["blog"]}]}}}`,
	} {
		if _, err := Parse([]byte(doc), false); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
