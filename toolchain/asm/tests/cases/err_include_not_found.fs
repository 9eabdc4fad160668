\ error: 3:9 cannot include
\ kind: include_not_found
include inc/nope.fs
