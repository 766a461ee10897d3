// Package report renders saved result sets as text: the answer line, the
// cell and verdict tables (plain, Markdown, CSV, JSON), Go benchmark
// format, comparisons of two sets and the self-contained Markdown page
// that links the charts drawn by package charts. It reads saved sets only,
// so a set renders years after it was taken.
package report
