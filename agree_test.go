package writebench

import (
	"slices"
	"testing"
)

// TestSettingsNormalised: the configuration the ranks compare has one
// spelling per value (a size in bytes or in IEC units, defaults given or
// not), and differs in every setting that changes what is measured.
func TestSettingsNormalised(t *testing.T) {
	settings := func(cfg Config) map[string]string {
		t.Helper()
		cfg.Dir = t.TempDir()
		c := cfg.withDefaults()
		cells, err := c.expand()
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, s := range c.settings(cells) {
			m[s.Field] = s.Value
		}
		return m
	}
	base := Config{Strategies: []string{"chunked"}, Files: []int{1}, Sizes: []int64{4096}}
	a := settings(base)
	same := base
	same.Knobs = map[string][]string{"chunk": {"64KiB"}} // the default, spelled out
	same.Repeat = DefaultRepeat
	same.Seed = 99 // rank 0's seed is used: not compared
	b := settings(same)
	for k, v := range a {
		if b[k] != v {
			t.Errorf("%s: %q vs %q for the same run", k, v, b[k])
		}
	}
	for _, tc := range []struct {
		field string
		edit  func(*Config)
	}{
		{"repeat", func(c *Config) { c.Repeat = 5 }},
		{"warmup", func(c *Config) { c.Warmup = 2 }},
		{"no_verify", func(c *Config) { c.NoVerify = true }},
		{"chunk", func(c *Config) { c.Knobs = map[string][]string{"chunk": {"1MiB"}} }},
		{"memory_limit", func(c *Config) { c.MemoryLimit = -1 }},
		{"shared_dir", func(c *Config) { c.SharedDir = true }},
	} {
		cfg := base
		tc.edit(&cfg)
		if got := settings(cfg); got[tc.field] == a[tc.field] {
			t.Errorf("%s: changing it leaves the setting %q", tc.field, got[tc.field])
		}
	}
}

// TestSettingsDirOnce: the directory is one setting, "dir", present only
// with SharedDir and then equal to Dir, so ranks with their own
// directories agree and ranks sharing one compare it; no other field but
// "exec" repeats (a repeated "dir", the dir axis's empty value beside the
// shared directory, made the ranks of every --shared-dir run disagree).
func TestSettingsDirOnce(t *testing.T) {
	for _, shared := range []bool{false, true} {
		dir := t.TempDir()
		c := Config{Strategies: []string{"bufio", "chunked"}, Files: []int{1, 4}, Sizes: []int64{4096}, Dir: dir, SharedDir: shared}.withDefaults()
		cells, err := c.expand()
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		var dirs []string
		for _, s := range c.settings(cells) {
			count[s.Field]++
			if s.Field == "dir" {
				dirs = append(dirs, s.Value)
			}
		}
		for f, n := range count {
			if n > 1 && f != "exec" {
				t.Errorf("shared %v: field %q appears %d times", shared, f, n)
			}
		}
		want := []string(nil)
		if shared {
			want = []string{dir}
		}
		if !slices.Equal(dirs, want) {
			t.Errorf("shared %v: dir settings %q, want %q", shared, dirs, want)
		}
	}
}
