package signals

// Level is the risk of a release as a whole: the review JSON's risk.level.
type Level string

// Risk levels, most serious first.
const (
	RiskHigh   Level = "high"
	RiskMedium Level = "medium"
	RiskLow    Level = "low"
	RiskNone   Level = "none"
)

// Risk is the roll-up of a release's signals (architecture.md §3): what
// the queue shows and what --fail-on compares. It is never lower than the
// most serious signal; corroboration (capabilities that combine in one new
// or changed file, a capability inside obfuscated or encoded code, code
// that runs at install or load time) can raise it.
type Risk struct {
	Level   Level    `json:"level"`
	Reasons []string `json:"reasons"`
}

// AtLeast reports whether the risk is as serious as severity s or more.
func (r Risk) AtLeast(s Severity) bool {
	if r.Level == RiskNone || r.Level == "" {
		return false
	}
	return Severity(r.Level).AtLeast(s)
}
