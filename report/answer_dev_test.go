package report

import (
	"os"
	"testing"

	"github.com/writebench/writebench/resultset"
)

func TestAnswerDev(t *testing.T) {
	p := os.Getenv("ANSWER_SET")
	if p == "" {
		t.Skip()
	}
	s, err := resultset.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	WriteAnswer(os.Stdout, s, AnswerOptions{Path: p})
}
