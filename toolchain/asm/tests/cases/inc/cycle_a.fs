\ includes cycle_b.fs, which includes this file again
include cycle_b.fs
