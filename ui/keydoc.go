package ui

import (
	"fmt"
	"strings"
)

// KeyReference renders every key of the one keymap as Markdown tables, one
// per section, exactly as the `?` screen groups them. The README's key
// section is this text (a test keeps them equal).
func KeyReference() string {
	var b strings.Builder
	for _, sec := range newKeyMap().helpSections() {
		fmt.Fprintf(&b, "**%s**\n\n| key | action |\n|---|---|\n", sec.title)
		for _, k := range sec.keys {
			h := k.Help()
			fmt.Fprintf(&b, "| `%s` | %s |\n", h.Key, h.Desc)
		}
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}
