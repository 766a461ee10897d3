package textfmt

import (
	"fmt"
	"strings"
)

// FieldRefs renders msg, a message that names configuration fields as
// {field} (e.g. "use smaller {chunk} or a lower {concurrency}"), with each
// reference replaced by name(field): the field itself in a library's
// error, its flag ("--chunk") on the command line. "{{" is a literal "{"
// (see EscapeBraces); a brace without a closing one, or around anything
// but a field name (lower-case letters, digits, underscores), is kept as
// it is.
func FieldRefs(msg string, name func(field string) string) string {
	if !strings.Contains(msg, "{") {
		return msg
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '{')
		if i < 0 {
			break
		}
		if strings.HasPrefix(msg[i:], "{{") {
			b.WriteString(msg[:i+1])
			msg = msg[i+2:]
			continue
		}
		j := strings.IndexByte(msg[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(msg[:i])
		if f := msg[i+1 : i+j]; isField(f) {
			b.WriteString(name(f))
		} else { // not a reference: text from elsewhere ("{'a': 1}")
			b.WriteString(msg[i : i+j+1])
		}
		msg = msg[i+j+1:]
	}
	b.WriteString(msg)
	return b.String()
}

// EscapeBraces doubles every "{" of s, text from outside (a path, an
// error), so FieldRefs keeps it as it is.
func EscapeBraces(s string) string { return strings.ReplaceAll(s, "{", "{{") }

// FieldMsg is fmt.Sprintf(format, args...) for a message FieldRefs
// renders: format may name fields as {field}; every string, error or
// Stringer among args has its braces escaped.
func FieldMsg(format string, args ...any) string {
	esc := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			esc[i] = EscapeBraces(v)
		case error:
			esc[i] = EscapeBraces(v.Error())
		case fmt.Stringer:
			esc[i] = EscapeBraces(v.String())
		default:
			esc[i] = a
		}
	}
	return fmt.Sprintf(format, esc...)
}

// Errorf is fmt.Errorf for an error whose format names fields as {field}:
// the braces of every string and Stringer among args are escaped. An error
// among args is wrapped as it is: its text is a message of the same kind
// (a library error naming fields composes with the one wrapping it).
// FieldRefs renders the result.
func Errorf(format string, args ...any) error {
	esc := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case error:
			esc[i] = a
		case string:
			esc[i] = EscapeBraces(v)
		case fmt.Stringer:
			esc[i] = EscapeBraces(v.String())
		default:
			esc[i] = a
		}
	}
	return fmt.Errorf(format, esc...)
}

// isField reports whether s can name a field: a lower-case letter, then
// lower-case letters, digits and underscores.
func isField(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, c := range []byte(s) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}
