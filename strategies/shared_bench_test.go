package strategies_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/writebench/writebench/strategies"
)

// BenchmarkShared runs every record-verifying strategy in claim 6's shape:
// one shared file (pair) of 8 MiB, 8 writers, 300-byte records, 4 KiB
// buffers. The timed region is Write alone; each iteration writes into a
// fresh directory and is verified outside the timer. Besides MB/s it
// reports the damage found per repetition (corrupt/op = torn + lost +
// duplicated + mismatched), e.g.
//
//	go test ./strategies -run '^$' -bench BenchmarkShared -benchtime 10x
func BenchmarkShared(b *testing.B) {
	const size = 8 << 20
	p := strategies.Params{Record: 300, Buffer: 4096, Concurrency: 8}.WithDefaults()
	for _, s := range strategies.All() {
		rv, ok := s.(strategies.RecordVerifier)
		if !ok {
			continue
		}
		name := "strategy=" + s.Name() + "/writers=8/record=300/buffer=4KiB/size=8MiB"
		b.Run(name, func(b *testing.B) {
			root := b.TempDir()
			content := strategies.NewContent(1)
			b.SetBytes(expectedRecords(size, p.Concurrency, p.Record) * int64(strategies.RecordHeaderSize+p.Record))
			var sum strategies.RecordCounts
			corruptReps := 0
			i := 0
			for b.Loop() {
				b.StopTimer()
				dir := filepath.Join(root, strconv.Itoa(i))
				i++
				if err := os.Mkdir(dir, 0o755); err != nil {
					b.Fatal(err)
				}
				batch := &strategies.Batch{Dir: dir, Files: 1, Size: size, Params: p, Content: content}
				b.StartTimer()
				if err := s.Write(context.Background(), batch); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				c, err := rv.VerifyRecords(context.Background(), batch)
				if err != nil {
					b.Fatal(err)
				}
				if c.Corrupt() > 0 {
					corruptReps++
				}
				sum.Torn += c.Torn
				sum.Lost += c.Lost
				sum.Duplicated += c.Duplicated
				sum.Mismatched += c.Mismatched
				if err := os.RemoveAll(dir); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			n := float64(i)
			b.ReportMetric(float64(sum.Corrupt())/n, "corrupt/op")
			b.ReportMetric(float64(sum.Torn)/n, "torn/op")
			b.ReportMetric(float64(sum.Lost)/n, "lost/op")
			b.ReportMetric(float64(sum.Mismatched)/n, "mismatched/op")
			b.ReportMetric(float64(corruptReps)/n, "corrupt-frac")
		})
	}
}
