package update

// SetFault makes the agent call f at each step (tests inject faults).
func (c *Config) SetFault(f func(step string)) { c.fault = f }

// SetWriteChunk sets how much the agent writes to a slot at a time.
func SetWriteChunk(n int) { writeChunk = n }
