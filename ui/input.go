package ui

import (
	tea "github.com/charmbracelet/bubbletea"
)

// lineInput is a minimal one-line text field. It is used instead of
// bubbles/textinput because it never blinks (no timer messages, stable
// goldens) and can restrict input to digits for 2FA codes.
type lineInput struct {
	value  []rune
	limit  int
	digits bool
}

// update applies an editing key and reports whether the key was consumed.
func (in *lineInput) update(k tea.KeyMsg) bool {
	switch k.Type {
	case tea.KeyRunes, tea.KeySpace:
		rs := k.Runes
		if k.Type == tea.KeySpace {
			rs = []rune{' '}
		}
		for _, r := range rs {
			if in.digits && (r < '0' || r > '9') {
				// Pasted codes often carry spaces ("123 456"); skip non-digits.
				continue
			}
			if r < 0x20 || r == 0x7f {
				continue
			}
			if in.limit > 0 && len(in.value) >= in.limit {
				break
			}
			in.value = append(in.value, r)
		}
		return true
	case tea.KeyBackspace:
		if len(in.value) > 0 {
			in.value = in.value[:len(in.value)-1]
		}
		return true
	case tea.KeyCtrlU:
		in.value = in.value[:0]
		return true
	case tea.KeyCtrlW:
		i := len(in.value)
		for i > 0 && in.value[i-1] == ' ' {
			i--
		}
		for i > 0 && in.value[i-1] != ' ' {
			i--
		}
		in.value = in.value[:i]
		return true
	}
	return false
}

func (in *lineInput) String() string { return string(in.value) }

// clear empties the field; for a code it also overwrites the runes so the
// secret does not linger in the backing array.
func (in *lineInput) clear() {
	for i := range in.value {
		in.value[i] = 0
	}
	in.value = in.value[:0]
}

func (in *lineInput) set(s string) { in.value = []rune(s) }
