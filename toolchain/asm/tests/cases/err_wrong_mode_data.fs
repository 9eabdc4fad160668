\ error: 3:8 `variable` is not allowed inside a definition
\ kind: wrong_mode
: main variable x ;
