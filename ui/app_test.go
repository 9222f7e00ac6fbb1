package ui

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/muesli/termenv"
)

func TestRunQuitsWhenContextEnds(t *testing.T) {
	f := &fakeBackend{items: stageItems()}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, f, Options{NoMouse: true, Theme: "dark", AutoRefresh: -1}, strings.NewReader(""), &out)
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after the context ended")
	}
}

func TestNoColorKeepsAttributesOnly(t *testing.T) {
	m := newModel(context.Background(), &fakeBackend{}, Options{NoColor: true}, termenv.TrueColor, true)
	if !m.st.noColor {
		t.Fatal("NoColor ignored")
	}
	for _, s := range []style{m.st.add, m.st.del, m.st.addWord, m.st.sevHigh, m.st.cursor} {
		if strings.Contains(s.pre, "38;") || strings.Contains(s.pre, "48;") {
			t.Fatalf("colour in no-colour mode: %q", s.pre)
		}
	}
	// Meaning survives: changed words underlined, the cursor reversed.
	if !strings.Contains(m.st.addWord.pre, "4") || !strings.Contains(m.st.cursor.pre, "7") {
		t.Fatalf("attributes lost: %q %q", m.st.addWord.pre, m.st.cursor.pre)
	}
	c := newModel(context.Background(), &fakeBackend{}, Options{}, termenv.TrueColor, false)
	if !strings.Contains(c.st.add.pre, "38;2;") {
		t.Fatalf("no colour in colour mode: %q", c.st.add.pre)
	}
	if c.st.add.pre == newStyles(termenv.TrueColor, true).add.pre {
		t.Fatal("light and dark themes are the same")
	}
}
