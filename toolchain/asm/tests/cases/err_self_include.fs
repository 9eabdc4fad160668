\ error: 3:9 cyclic include: 
\ kind: cyclic_include
include err_self_include.fs
