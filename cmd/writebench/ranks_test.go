package main

import (
	"strings"
	"testing"
)

func TestRankLog(t *testing.T) {
	var b strings.Builder
	l := &rankLog{w: &b, prefix: "writebench: rank 3: "}
	for _, s := range []string{
		"note: stale scratch directory from an earlier writebench run: /tmp/x\n",
		"warning: could not remove the scratch directory /tmp/y: busy (remove it by hand)\n",
	} {
		if n, err := l.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	want := "writebench: rank 3: warning: could not remove the scratch directory /tmp/y: busy (remove it by hand)\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
