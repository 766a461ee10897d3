package strategies

import (
	"fmt"
	"reflect"
	"strconv"
)

// A Params field is a knob when it carries a `knob:"name"` tag naming its
// axis (resultset's axis table). Everything that moves knob values between
// representations reads these tags rather than listing the knobs: the
// runner filling Params from a cell, the external-writer protocol's
// request fields (in field order), the knobs an exec line may declare. A
// knob's field is an int (a size or count) or a string type.

// ParamNames lists the knobs of Params, in field order.
func ParamNames() []string {
	t := reflect.TypeFor[Params]()
	var names []string
	for i := range t.NumField() {
		if n := t.Field(i).Tag.Get("knob"); n != "" {
			names = append(names, n)
		}
	}
	return names
}

// paramField is the field of p of knob name.
func paramField(p *Params, name string) (reflect.Value, bool) {
	v := reflect.ValueOf(p).Elem()
	t := v.Type()
	for i := range t.NumField() {
		if t.Field(i).Tag.Get("knob") == name {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// Get returns knob name of p as text (an int in decimal); ok is false for
// an unknown name.
func (p Params) Get(name string) (value string, ok bool) {
	f, ok := paramField(&p, name)
	if !ok {
		return "", false
	}
	if f.Kind() == reflect.Int {
		return strconv.FormatInt(f.Int(), 10), true
	}
	return f.String(), true
}

// Set sets knob name of p from text; an int knob needs a decimal integer.
// The value is not checked further (Validate and the strategies do).
func (p *Params) Set(name, value string) error {
	f, ok := paramField(p, name)
	if !ok {
		return fmt.Errorf("unknown knob %q", name)
	}
	if f.Kind() == reflect.Int {
		n, err := strconv.Atoi(value)
		if err != nil {
			return fmt.Errorf("%s=%q: not an integer", name, value)
		}
		f.SetInt(int64(n))
		return nil
	}
	f.SetString(value)
	return nil
}

// SetInt sets int knob name of p to n (a string knob to n in decimal).
func (p *Params) SetInt(name string, n int64) error {
	f, ok := paramField(p, name)
	if !ok {
		return fmt.Errorf("unknown knob %q", name)
	}
	if f.Kind() == reflect.Int {
		f.SetInt(n)
		return nil
	}
	f.SetString(strconv.FormatInt(n, 10))
	return nil
}
