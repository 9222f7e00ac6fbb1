package signals

import (
	"sort"
	"strings"
)

// capability is one thing code can do that an attack needs. A release
// that adds one of them to a file is ordinary; a file that gains two (a
// network read and a file write, a secret read and a request), or one
// inside obfuscated or encoded code, is what every payload in the
// catalogue looks like, and no single rule sees it.
type capability uint8

const (
	capNetwork capability = iota
	capProcess
	capCredential
	capDynamic
	capWrite
	capPropagate
	capEncoding
	capWallet
	numCaps
)

func capLabel(c capability) string {
	switch c {
	case capNetwork:
		return "network access"
	case capProcess:
		return "process execution"
	case capCredential:
		return "credential or secret reads"
	case capDynamic:
		return "dynamic code"
	case capWrite:
		return "file writes"
	case capPropagate:
		return "self-propagation"
	case capWallet:
		return "wallet access"
	}
	return "obfuscated or encoded code"
}

// capSignal is the signal id that reports a capability when corroboration
// finds it in a file where no rule of its own fired.
func capSignal(c capability) string {
	switch c {
	case capNetwork:
		return NewEndpoint
	case capProcess:
		return ProcessSpawn
	case capCredential:
		return CredentialAccess
	case capDynamic:
		return DynamicCode
	case capWrite:
		return Persistence
	case capPropagate:
		return SelfPropagation
	case capWallet:
		return WalletHook
	}
	return ObfuscatedCode
}

// capOfSignal maps a signal id to the capability it shows, if any.
func capOfSignal(id string) (capability, bool) {
	switch id {
	case RunnerTokenAccess, CredentialAccess:
		return capCredential, true
	case DynamicCode:
		return capDynamic, true
	case SelfPropagation:
		return capPropagate, true
	case Persistence:
		return capWrite, true
	case WalletHook:
		return capNetwork, true
	case ProcessSpawn:
		return capProcess, true
	case ObfuscatedCode, EncodedBlob:
		return capEncoding, true
	}
	return 0, false
}

// capOfKind maps a content rule to its capability.
func capOfKind(k kind) (capability, bool) {
	switch {
	case k == kDownloadExec:
		return capDynamic, true
	case k <= kTokenRegex:
		return capCredential, true
	case k <= kDynRequire:
		return capDynamic, true
	case k <= kSecretsDump:
		return capPropagate, true
	case k <= kShutdown:
		return capWrite, true
	case k == kEthereum, k == kEthSend, k == kAddrRegex, k == kClipboardSwap:
		return capWallet, true
	case k <= kEditDistance:
		return capNetwork, true
	case k <= kShellDownload:
		return capProcess, true
	}
	switch k {
	case kNetRead:
		return capNetwork, true
	case kDecode, kDecrypt:
		return capEncoding, true
	case kKeyMaterial, kSecretEnv, kKeyToNet:
		return capCredential, true
	case kHiddenRecipient:
		return capNetwork, true
	}
	return 0, false
}

// fileCaps are the capabilities a release adds to one file: what it is,
// where first seen and what showed it.
type fileCaps struct {
	has  [numCaps]bool
	line [numCaps]int
	why  [numCaps]string
	// folded is set when a capability was only visible once the code was
	// folded or decoded: it hid behind string assembly or encoding.
	folded bool
	// strongEncoding is set when the encoding capability comes from more
	// than a decode call: obfuscation markers, an encoded blob, folding.
	strongEncoding bool
}

func (f *fileCaps) add(c capability, line int, why string) {
	if !f.has[c] || line > 0 && line < f.line[c] {
		f.has[c], f.line[c] = true, line
		if why != "" {
			f.why[c] = why
		}
	}
}

func (f *fileCaps) list() []capability {
	var out []capability
	for c := capability(0); c < numCaps; c++ {
		if f.has[c] {
			out = append(out, c)
		}
	}
	return out
}

// noteCaps records what a file's new code can do.
func (c *context) noteCaps(path string) *fileCaps {
	if c.caps == nil {
		c.caps = map[string]*fileCaps{}
	}
	f := c.caps[path]
	if f == nil {
		f = &fileCaps{}
		c.caps[path] = f
	}
	return f
}

// corroborate raises the signals of every file whose new code combines
// two or more capabilities, or uses one inside obfuscated or encoded
// code, to high, and says why in the risk reasons.
func corroborate(c *context) {
	// Structural findings about the same file count as obfuscation.
	for _, s := range c.signals {
		if s.Severity == Low || s.Path == "" {
			continue
		}
		if s.ID == ObfuscatedCode && !strings.HasPrefix(s.Title, "obfuscated code") {
			continue // minified is how builds ship code, not a disguise
		}
		if k, ok := capOfSignal(s.ID); ok && k == capEncoding {
			if f := c.caps[s.Path]; f != nil {
				f.add(capEncoding, s.Line, strings.ToLower(s.ID))
				f.strongEncoding = true
			}
		}
	}
	// A capability on a long line injected into a readable file is hidden
	// the way the chalk/debug and rand-user-agent payloads were: past the
	// edge of every editor and diff view.
	for _, s := range c.signals {
		if s.ID != InjectedLongLine || s.Line == 0 {
			continue
		}
		if f := c.caps[s.Path]; f != nil {
			for k := capability(0); k < numCaps; k++ {
				if k != capEncoding && f.has[k] && f.line[k] == s.Line {
					f.add(capEncoding, s.Line, "injected long line")
					f.strongEncoding = true
					break
				}
			}
		}
	}
	paths := make([]string, 0, len(c.caps))
	for p := range c.caps {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		f := c.caps[p]
		caps := f.list()
		if f.folded {
			f.add(capEncoding, 0, "folded")
			f.strongEncoding = true
			caps = f.list()
		}
		if len(caps) < 2 {
			continue
		}
		if len(caps) == 2 && f.has[capProcess] && f.has[capEncoding] && !f.strongEncoding {
			// A CLI that decodes base64 and runs a command is ordinary; a
			// dropper that decodes its command is caught by folding.
			continue
		}
		var labels []string
		for _, k := range caps {
			l := capLabel(k)
			if f.why[k] != "" && k != capEncoding {
				l += " (" + f.why[k] + ")"
			}
			labels = append(labels, l)
		}
		why := strings.Join(labels, " + ")
		raised := false
		for i := range c.signals {
			s := &c.signals[i]
			if s.Path != p {
				continue
			}
			k, ok := capOfSignal(s.ID)
			if s.ID == NewEndpoint && s.Severity != Low {
				k, ok = capNetwork, true
			}
			if s.ID == WalletHook && f.has[capWallet] {
				k = capWallet
			}
			if !ok || !f.has[k] || s.ID == ObfuscatedCode && !strings.HasPrefix(s.Title, "obfuscated code") {
				continue
			}
			if s.Severity != High {
				s.Severity = High
				s.Detail = strings.TrimSpace(s.Detail + " Corroborated: this file's new code combines " + why + ".")
			}
			raised = true
		}
		if !raised {
			// No rule of its own fired (a decoded host, a plain write):
			// report the most telling capability.
			best := caps[0]
			for _, k := range caps {
				if k != capEncoding && (best == capEncoding || capRank(k) < capRank(best)) {
					best = k
				}
			}
			c.addSeverity(capSignal(best), High, p, f.line[best], "New code combines "+strings.Join(capNames(caps), " and "),
				clip("This file's new code combines "+why+": the shape of a payload, whatever each part does alone.", 400))
		}
		c.reasons = append(c.reasons, clip(p+": new code combines "+why, 240))
	}
}

// capRank orders capabilities by how much they tell a reviewer.
func capRank(k capability) int {
	switch k {
	case capCredential:
		return 0
	case capDynamic:
		return 1
	case capPropagate:
		return 2
	case capWrite:
		return 3
	case capProcess:
		return 4
	case capWallet:
		return 5
	case capNetwork:
		return 6
	}
	return 7
}

func capNames(caps []capability) []string {
	out := make([]string, len(caps))
	for i, k := range caps {
		out[i] = capLabel(k)
	}
	return out
}

// rollUp computes the release's risk from its final signals and the
// corroboration reasons.
func rollUp(sigs []Signal, reasons []string) Risk {
	r := Risk{Level: RiskNone, Reasons: []string{}}
	for _, s := range sigs {
		switch {
		case s.Severity == High:
			r.Level = RiskHigh
		case s.Severity == Medium && r.Level != RiskHigh:
			r.Level = RiskMedium
		case s.Severity == Low && r.Level == RiskNone:
			r.Level = RiskLow
		}
	}
	r.Reasons = append(r.Reasons, reasons...)
	// Then the most serious signals, by id, one line each.
	seen := map[string]bool{}
	for _, s := range sigs {
		if len(r.Reasons) >= 8 {
			break
		}
		if Level(s.Severity) != r.Level || seen[s.ID] {
			continue
		}
		seen[s.ID] = true
		where := s.Path
		if where == "" {
			where = "the package"
		}
		r.Reasons = append(r.Reasons, clip(s.ID+" in "+where+": "+s.Title, 240))
	}
	return r
}
