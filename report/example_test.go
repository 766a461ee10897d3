package report_test

import (
	"bufio"
	"bytes"
	"fmt"
	"log"

	"github.com/writebench/writebench/report"
	"github.com/writebench/writebench/resultset"
)

// ExampleRender renders a saved result set as CSV, one row per cell with
// medians in base units.
func ExampleRender() {
	set, err := resultset.Load("testdata/basic.json")
	if err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer
	if err := report.Render(&buf, []*resultset.Set{set}, []string{"basic"}, "csv"); err != nil {
		log.Fatal(err)
	}
	sc := bufio.NewScanner(&buf)
	sc.Scan()
	sc.Scan()
	fmt.Println(sc.Text()[:47])
	// Output:
	// basic,bufio,10,4096,256,8192,,,,,,,none,,6,0.00
}
