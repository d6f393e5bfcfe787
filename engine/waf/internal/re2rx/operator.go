// Package re2rx replaces Coraza's @rx operator (Go regexp) with RE2 (github.com/wasilibs/go-re2:
// RE2 compiled to Wasm and run by wazero, no cgo), keeping Coraza's literal pre-filter in front.
// CRS is regex-heavy and Go's regexp was ~47 % of the CPU of a benign JSON POST; RE2's DFA does
// the same matches in roughly half the time (docs/adr/0012-waf-engine.md).
package re2rx

import (
	"fmt"
	"regexp/syntax"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/corazawaf/coraza/v3/experimental/plugins"
	"github.com/corazawaf/coraza/v3/experimental/plugins/plugintypes"
	"github.com/wasilibs/go-re2"
	"rsc.io/binaryregexp"
)

type matcher interface {
	MatchString(string) bool
	FindStringSubmatchIndex(string) []int
}

type compiled struct {
	re           matcher
	minLen       int
	prefilter    func(string) bool
	exactMatch   string
	exactMatchCI bool
}

type operator struct{ *compiled }

var (
	registerOnce sync.Once
	// cache shares compiled patterns between the WAFs of every policy (same pattern, same regex).
	cache sync.Map
)

// Register makes every WAF built afterwards use RE2 for @rx. Idempotent.
func Register() {
	registerOnce.Do(func() { plugins.RegisterOperator("rx", newOperator) })
}

func newOperator(options plugintypes.OperatorOptions) (plugintypes.Operator, error) {
	// Same wrapping as Coraza's own @rx: dot matches newline, ^/$ match at line ends (ModSecurity).
	pattern := "(?sm)" + options.Arguments
	key := fmt.Sprintf("%v:%s", options.RxPreFilterEnabled, pattern)
	if c, ok := cache.Load(key); ok {
		return operator{c.(*compiled)}, nil
	}
	c, err := compile(options.Arguments, pattern, options.RxPreFilterEnabled)
	if err != nil {
		return nil, err
	}
	actual, _ := cache.LoadOrStore(key, c)
	return operator{actual.(*compiled)}, nil
}

func compile(raw, pattern string, withPrefilter bool) (*compiled, error) {
	c := &compiled{}
	if matchesArbitraryBytes(pattern) {
		re, err := binaryregexp.Compile(raw)
		if err != nil {
			return nil, err
		}
		c.re = re
		return c, nil
	}
	re, err := re2.Compile(pattern)
	if err != nil {
		return nil, err
	}
	c.re = re
	if withPrefilter {
		c.minLen = minMatchLength(pattern)
		c.prefilter = prefilterFunc(pattern)
		if parsed, err := syntax.Parse(raw, syntax.Perl); err == nil {
			c.exactMatch, c.exactMatchCI = extractExactMatch(parsed.Simplify())
		}
	}
	return c, nil
}

func (o operator) Evaluate(tx plugintypes.TransactionState, value string) bool {
	if len(value) < o.minLen {
		return false
	}
	if o.prefilter != nil && !o.prefilter(value) {
		return false
	}
	if o.exactMatch != "" && !strings.ContainsRune(value, '\n') {
		if o.exactMatchCI {
			return strings.EqualFold(value, o.exactMatch)
		}
		return value == o.exactMatch
	}
	// Most CRS rules capture, but almost no benign value matches: RE2 answers "no match" from its
	// DFA, while submatch extraction needs its slower NFA/backtracker. Ask the cheap question first.
	if !o.re.MatchString(value) {
		return false
	}
	if !tx.Capturing() {
		return true
	}
	match := o.re.FindStringSubmatchIndex(value)
	if match == nil {
		return false
	}
	for i := 0; i < len(match)/2 && i < 9; i++ {
		if match[2*i] >= 0 {
			tx.CaptureField(i, value[match[2*i]:match[2*i+1]])
		} else {
			tx.CaptureField(i, "")
		}
	}
	return true
}

// matchesArbitraryBytes is Coraza's test for patterns that match non-UTF-8 bytes (then the binary
// matcher is used, as Coraza does).
func matchesArbitraryBytes(expr string) bool {
	decoded := make([]byte, 0, len(expr))
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		if c != '\\' {
			decoded = append(decoded, c)
			continue
		}
		if i+3 >= len(expr) {
			decoded = append(decoded, expr[i:]...)
			break
		}
		if expr[i+1] != 'x' {
			decoded = append(decoded, expr[i])
			continue
		}
		sub := expr[i:]
		advance := 3
		if len(sub) >= 6 && sub[2] == '{' {
			if end := strings.IndexByte(sub, '}'); end != -1 {
				sub = `\x` + sub[3:end]
				advance = end
			}
		}
		v, mb, _, err := strconv.UnquoteChar(sub, 0)
		if err != nil || mb {
			decoded = append(decoded, expr[i])
			continue
		}
		decoded = append(decoded, byte(v))
		i += advance
	}
	return !utf8.Valid(decoded)
}
