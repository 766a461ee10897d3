// Package scripts carries, inside the writebench binary, the sources of the
// Python writers of the popular advice: writers/*.py, the protocol loop
// they share (writers/wbproto.py), the content reference they import
// (content.py) and the exec file that names them (python.exec, whose
// commands use paths relative to the repository root such as
// scripts/writers/open_buffered.py).
//
// The seeds preset runs these copies: each cell writes them into the run's
// scratch directory and starts the program there, so the preset works
// from any directory and never runs a file it finds in the current one.
package scripts

import "embed"

// Python holds python.exec, content.py and writers/*.py, at those paths.
//
//go:embed python.exec content.py writers/*.py
var Python embed.FS

// PythonExec is the name of the exec file in Python.
const PythonExec = "python.exec"

// PythonDir is where Python's files sit relative to the directory the
// commands of python.exec run in.
const PythonDir = "scripts"
