\ includes cycle_a.fs back
include cycle_a.fs
