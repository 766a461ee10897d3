package report

// placeholder
