\ error: 4:1 `b@` can only be used inside a definition
\ kind: wrong_mode
: main ;
b@
