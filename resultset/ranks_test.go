package resultset

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func rankCell() Cell {
	return Cell{
		Strategy: "bufio", Files: 2, FileSize: 1 << 20, Sync: "none", Ranks: 4,
		Seconds: []float64{0.5, 0.4}, WriteSyscalls: []int64{1, 1}, StorageBytes: []int64{0, 0},
		SyncSeconds: []float64{0, 0}, UserSeconds: []float64{0, 0}, SysSeconds: []float64{0, 0},
		Allocs: []uint64{0, 0}, AllocBytes: []uint64{0, 0},
		RankSeconds: [][]float64{{0.1, 0.5, 0.2, 0.3}, {0.4, 0.4, 0.1, 0.2}},
	}
}

func TestCellBytesRanks(t *testing.T) {
	for _, tc := range []struct {
		ranks int
		want  int64
	}{{0, 2 << 20}, {1, 2 << 20}, {4, 8 << 20}} {
		c := Cell{Files: 2, FileSize: 1 << 20, Ranks: tc.ranks}
		if got := c.Bytes(); got != tc.want {
			t.Errorf("ranks %d: Bytes() = %d, want %d", tc.ranks, got, tc.want)
		}
	}
}

func TestValidateRanks(t *testing.T) {
	for _, tc := range []struct {
		name    string
		edit    func(s *Set)
		wantErr string // "" means valid
	}{
		{"valid", func(s *Set) {}, ""},
		{"single process, no rank fields", func(s *Set) {
			s.Env.Ranks, s.Env.Hosts = 0, nil
			s.Results[0].Ranks, s.Results[0].RankSeconds = 0, nil
		}, ""},
		{"rank_seconds short", func(s *Set) { s.Results[0].RankSeconds = s.Results[0].RankSeconds[:1] }, "rank_seconds has 1 samples"},
		{"rank missing in a sample", func(s *Set) { s.Results[0].RankSeconds[1] = []float64{0.4} }, "sample 1 has 1 ranks, ranks is 4"},
		{"rank slower than aggregate", func(s *Set) { s.Results[0].RankSeconds[0][2] = 0.9 }, "invalid time 0.9"},
		{"negative rank time", func(s *Set) { s.Results[0].RankSeconds[0][2] = -1 }, "invalid time -1"},
		{"negative cell ranks", func(s *Set) { s.Results[0].Ranks = -2; s.Results[0].RankSeconds = nil }, "negative ranks"},
		{"hosts disagree with ranks", func(s *Set) { s.Env.Hosts = s.Env.Hosts[:3] }, "hosts names 3 ranks, ranks is 4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Set{Schema: SchemaVersion, Tool: Tool,
				Env:     Env{Ranks: 4, Hosts: []string{"a", "a", "b", "b"}},
				Results: []Cell{rankCell()}}
			tc.edit(s)
			err := s.Validate()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				// And it survives a JSON round trip through Decode.
				data, err := json.Marshal(s)
				if err != nil {
					t.Fatal(err)
				}
				got, err := Decode(bytes.NewReader(data))
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				if got.Env.Ranks != s.Env.Ranks || len(got.Results[0].RankSeconds) != len(s.Results[0].RankSeconds) {
					t.Errorf("round trip lost rank fields: %+v", got.Env)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Validate = %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}
