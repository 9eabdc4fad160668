\ error: 3:8 not allowed inside a definition
\ kind: wrong_mode
: main include inc/lib.fs ;
