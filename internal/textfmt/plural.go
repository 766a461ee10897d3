package textfmt

import "strconv"

// Plural returns n with word, in the plural unless n is 1: "1 cell",
// "0 cells", "12 cells".
func Plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// PluralS is the plural ending for n: "" for 1, else "s", for a word that
// does not follow its number ("regression%s: NEW is slower").
func PluralS(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
