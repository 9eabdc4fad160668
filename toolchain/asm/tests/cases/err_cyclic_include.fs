\ error: inc/cycle_b.fs:2:9 cyclic include: 
\ kind: cyclic_include
include inc/cycle_a.fs
