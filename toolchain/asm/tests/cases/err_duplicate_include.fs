\ error: 4:3 `twice` is already defined
\ kind: duplicate_name
include inc/lib.fs
: twice ;
