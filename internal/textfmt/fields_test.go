package textfmt

import (
	"errors"
	"testing"
)

func TestFieldRefs(t *testing.T) {
	flag := func(f string) string { return "--" + f }
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"use smaller {chunk} or a lower {concurrency}", "use smaller --chunk or a lower --concurrency"},
		{"{dir} A,B", "--dir A,B"},
		{"open { without end", "open { without end"},
		{"{a}{b}", "--a--b"},
		{"{{x} stays", "{x} stays"},
		{"stderr: {'a': 1} {\"k\": 2} {} {Dir}", "stderr: {'a': 1} {\"k\": 2} {} {Dir}"}, // not field names
		{"{queue_depth2}", "--queue_depth2"},
	} {
		if got := FieldRefs(tc.in, flag); got != tc.want {
			t.Errorf("FieldRefs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestFieldMsg: braces in the arguments (a path) survive FieldRefs; those
// of the format name fields.
func TestFieldMsg(t *testing.T) {
	msg := FieldMsg("%s: use {dir} (%v)", "/tmp/{x}", errString("bad {y}"))
	if got, want := FieldRefs(msg, func(f string) string { return "--" + f }), "/tmp/{x}: use --dir (bad {y})"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// TestErrorf: the braces of string arguments survive FieldRefs, a wrapped
// error's field references are rendered, and errors.Is still finds it.
func TestErrorf(t *testing.T) {
	inner := Errorf("{dir} %s: full", "/tmp/{x}")
	err := Errorf("make scratch directory: %w", inner)
	if got, want := FieldRefs(err.Error(), func(f string) string { return "--" + f }), "make scratch directory: --dir /tmp/{x}: full"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !errors.Is(err, inner) {
		t.Error("Errorf hides the wrapped error")
	}
}
