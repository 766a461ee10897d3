package report

// Formatting helpers the command line shares with the renderers, so every
// output spells units and plurals the same way.

// FormatDuration formats seconds with a unit: "850ns", "12.3µs", "1.20ms",
// "2.50s".
func FormatDuration(sec float64) string { return formatDuration(sec) }
