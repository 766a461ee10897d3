package writebench_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/writebench/writebench"
	"github.com/writebench/writebench/strategies"
)

// writeFileStrategy writes each file in one os.WriteFile call, the way a
// program that holds the whole content in memory would.
type writeFileStrategy struct{}

func (writeFileStrategy) Name() string     { return "writefile" }
func (writeFileStrategy) Describe() string { return "os.WriteFile per file, content built in memory" }
func (writeFileStrategy) Knobs() []string  { return nil }

func (writeFileStrategy) Write(ctx context.Context, b *strategies.Batch) error {
	data := make([]byte, b.Size)
	for i := 0; i < b.Files; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		b.Content.Expected(data, i, 0)
		if err := os.WriteFile(b.Path(i), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Run measures a strategy of your own under the same conditions as the
// built-in ones: here a custom os.WriteFile strategy next to the built-in
// chunked, every byte read back and verified.
func ExampleRun() {
	dir, err := os.MkdirTemp("", "example-run")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	set, err := writebench.Run(context.Background(), writebench.Config{
		Strategies: []string{"writefile", "chunked"},
		Custom:     []strategies.Strategy{writeFileStrategy{}},
		Files:      []int{16},
		Sizes:      []int64{64 << 10},
		Repeat:     6,
		Dir:        dir,
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range set.Results {
		fmt.Printf("%s: %d files of %d bytes, %d samples, verified %v\n",
			c.Strategy, c.Files, c.FileSize, len(c.Seconds), c.Verified)
	}
	// Output:
	// writefile: 16 files of 65536 bytes, 6 samples, verified true
	// chunked: 16 files of 65536 bytes, 6 samples, verified true
}
